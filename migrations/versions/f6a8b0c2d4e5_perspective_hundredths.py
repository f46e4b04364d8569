"""perspective hundredths: the four perspective scores as integer columns

An assessment kept its perspective scores as JSON and, for the bulk recompute, as one
packed number (perspectives_key). Four integer columns of hundredths replace both: "did
it change" is a plain IS DISTINCT FROM per column, and no JSON is spelled in SQL.

Revision ID: f6a8b0c2d4e5
Revises: e5f7a9b1c3d4
Create Date: 2026-12-04 01:00:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'f6a8b0c2d4e5'
down_revision = 'e5f7a9b1c3d4'
branch_labels = None
depends_on = None

PERSPECTIVES = ('financial', 'patient', 'process', 'learning')


def _score(perspective: str, dialect: str) -> str:
    """The stored JSON score as hundredths, as saas.domain.scoring.hundredths rounds."""
    if dialect == 'postgresql':
        return f"CAST(floor(CAST(perspectives->>'{perspective}' AS DOUBLE PRECISION)" \
               " * 100 + 0.5) AS INTEGER)"
    return f"CAST(json_extract(perspectives, '$.{perspective}') * 100 + 0.5 AS INTEGER)"


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        for p in PERSPECTIVES:
            batch_op.add_column(sa.Column(f'{p}_hundredths', sa.Integer(), nullable=True))
    with rls.owner_sees_every_row(op, ['assessments']):
        op.execute("UPDATE assessments SET " + ", ".join(
            f"{p}_hundredths = {_score(p, dialect)}" for p in PERSPECTIVES)
            + " WHERE perspectives IS NOT NULL")
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('perspectives_key')
        batch_op.drop_column('perspectives')


def downgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('perspectives', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('perspectives_key', sa.BigInteger(), nullable=True))
    build = 'json_build_object' if dialect == 'postgresql' else 'json_object'
    pairs = ", ".join(f"'{p}', {p}_hundredths / 100.0" for p in PERSPECTIVES)
    with rls.owner_sees_every_row(op, ['assessments']):
        op.execute(f"UPDATE assessments SET perspectives = {build}({pairs})"
                   " WHERE total IS NOT NULL")
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        for p in reversed(PERSPECTIVES):
            batch_op.drop_column(f'{p}_hundredths')
