"""assessments.red_count, yellow_count: the 三色预警 counts of each scoring

A read model for the dashboards and the workbench: how many indicators of the assessment
are red (target missed), how many yellow (past the warning line). saas.services.scoring
and bulk_scoring write them with the total; existing rows are counted here from their
measurements (the same rules, in SQL).

Revision ID: f9a1b3c5d7e0
Revises: e8f0a2b4c6d9
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f9a1b3c5d7e0'
down_revision = 'e8f0a2b4c6d9'
branch_labels = None
depends_on = None

SCORED = ("m.assessment_id = assessments.id AND m.value IS NOT NULL"
          " AND m.not_applicable = false")
RED = ("(i.direction = 'lower_better' AND m.value > i.target)"
       " OR (i.direction = 'higher_better' AND m.value < i.target)"
       " OR (i.direction = 'boolean' AND m.value = 0)")
YELLOW = ("i.warning IS NOT NULL AND ((i.direction = 'lower_better' AND m.value <= i.target"
          " AND m.value > i.warning) OR (i.direction = 'higher_better'"
          " AND m.value >= i.target AND m.value < i.warning))")


def _count(condition: str) -> str:
    return (f"(SELECT count(*) FROM measurements m JOIN indicators i ON i.id = m.indicator_id"
            f" WHERE {SCORED} AND ({condition}))")


def upgrade():
    with op.batch_alter_table('assessments') as batch_op:
        batch_op.add_column(sa.Column('red_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('yellow_count', sa.Integer(), nullable=True))
    op.execute(f"UPDATE assessments SET red_count = {_count(RED)},"
               f" yellow_count = {_count(YELLOW)} WHERE total IS NOT NULL")


def downgrade():
    with op.batch_alter_table('assessments') as batch_op:
        batch_op.drop_column('yellow_count')
        batch_op.drop_column('red_count')
