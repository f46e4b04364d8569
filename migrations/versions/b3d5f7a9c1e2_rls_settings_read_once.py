"""row-level security: each tenant setting read once per statement

The policies compare every row with current_setting(…), which PostgreSQL evaluated once
per row; wrapped in a scalar subquery it is evaluated once per statement (an InitPlan).
Same rows, same checks (tenants.rls). Each table keeps its kind of policy, read off the
policy it has.

Revision ID: b3d5f7a9c1e2
Revises: a2c4e6f8b0d1
Create Date: 2026-12-04 13:00:00

"""
import sqlalchemy as sa
from alembic import op

from tenants.rls import enable_sql

# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = 'a2c4e6f8b0d1'
branch_labels = None
depends_on = None


def _kind(qual: str) -> str:
    """The tenants.rls kind of an existing policy, from its condition."""
    if "notified_at" in qual:
        return "notified"
    if "private" in qual:
        return "private"
    if "app.institution_id" not in qual:
        return "region"
    return "institution" if "institution_id =" in qual else "root"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    policies = bind.execute(sa.text(
        "SELECT tablename, qual FROM pg_policies"
        " WHERE schemaname = current_schema() AND policyname = 'tenant_isolation'")).all()
    for table, qual in policies:
        for statement in enable_sql(table, _kind(qual)):
            op.execute(statement)


def downgrade():
    pass  # the same rows either way: nothing to undo
