"""perspectives key: the perspective scores as one number beside their JSON

A bulk recompute compares what it computed with what is stored for every assessment of a
region; comparing one integer instead of spelling each scorecard's perspectives as JSON
text takes a tenth off it (docs/performance.md). Existing rows get their key at their
next save or recompute.

Revision ID: 5d2e8a41c7b9
Revises: 3b8e5f0c2d71
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8a41c7b9'
down_revision = '3b8e5f0c2d71'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('perspectives_key', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('perspectives_key')
