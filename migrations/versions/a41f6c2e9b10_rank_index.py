"""rank index: a scorecard's rank counted in one index

A scorecard's rank in the region and its peer group is a count of the period's higher
totals of its rank group (saas.services.scoring._rank_counts). The index on (region_id,
kind, period) carrying the institution, id, status and total answers it with an
index-only scan of that period, never the region's rows.

Revision ID: a41f6c2e9b10
Revises: 5d2e8a41c7b9
Create Date: 2026-12-03 08:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a41f6c2e9b10'
down_revision = '5d2e8a41c7b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_rank', ['region_id', 'kind', 'period'],
                              unique=False,
                              postgresql_include=['institution_id', 'id', 'status', 'total'])


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_rank')
