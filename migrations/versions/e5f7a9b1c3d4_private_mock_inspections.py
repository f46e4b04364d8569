"""private mock inspections: a flag on the rows the bureau never sees

A mock inspection (模拟检查) is the institution's own rehearsal: its assessment,
measurements, findings and evidence are the institution's alone. Each of those rows
carries ``private``; the ORM filter hides private rows from region-scope contexts, and the
row-level security policy of the four tables does the same without a join:
region scope sees a row only when it is not private (tenants.rls.PRIVATE_SCOPE).

Revision ID: e5f7a9b1c3d4
Revises: d4e6f8a0b2c3
Create Date: 2026-12-04 00:30:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'e5f7a9b1c3d4'
down_revision = 'd4e6f8a0b2c3'
branch_labels = None
depends_on = None

TABLES = ('assessments', 'measurements', 'findings', 'evidence')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('private', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    with rls.owner_sees_every_row(op, TABLES):
        op.execute("UPDATE assessments SET private = true WHERE kind = 'mock'")
        mock = "SELECT id FROM assessments WHERE kind = 'mock'"
        for table in ('measurements', 'findings'):
            op.execute(f"UPDATE {table} SET private = true WHERE assessment_id IN ({mock})")
        op.execute("UPDATE evidence SET private = true"
                   " WHERE measurement_id IN (SELECT id FROM measurements WHERE private)"
                   " OR finding_id IN (SELECT id FROM findings WHERE private)")
    rls.apply(op, {table: 'private' for table in TABLES})


def downgrade():
    rls.apply(op, {table: 'institution' for table in TABLES})
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('private')
