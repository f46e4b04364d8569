"""list order indexes: the assessments and agreements lists read in index order

The assessments list is ordered newest period first (period_start DESC, id DESC) and the
agreements list by start, number and id, all descending, both within the region. Without an index in
that order, every page sorted the region's rows (24 000 assessments at 2 000
institutions, 240 000 at 20 000); with one, a page is a short range scan.

Revision ID: b7e2c4d91a05
Revises: a41f6c2e9b10
Create Date: 2026-12-03 17:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2c4d91a05'
down_revision = 'a41f6c2e9b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_list', ['region_id', 'period_start', 'id'])
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index('ix_agreements_list', ['region_id', 'start', 'number', 'id'])


def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_list')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_list')
