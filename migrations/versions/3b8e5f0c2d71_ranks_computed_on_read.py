"""ranks computed on read, not stored

A rank follows from the totals of the whole period: one changed total moves every rank
between its old and new place, so storing ranks meant rewriting most of a region's
assessments after any correction. The scorecard and saas.services.bulk_scoring's
region_ranks compute them from the stored totals when read.

Revision ID: 3b8e5f0c2d71
Revises: 7c1d2a9f4b3e
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b8e5f0c2d71'
down_revision = '7c1d2a9f4b3e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('rank_region')
        batch_op.drop_column('rank_peer')


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank_peer', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rank_region', sa.Integer(), nullable=True))
