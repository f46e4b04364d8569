"""indicator value range: an indicator's own min / max beside its unit's range

A measurement outside its unit's range is refused (a percentage in 0-100, a count not
negative: saas.domain.units); an indicator widens it with its own bounds (a growth rate
may be negative or above 100 %). NULL: the unit's bound.

Revision ID: c3d5e7f9a1b2
Revises: b7e2c4d91a05
Create Date: 2026-12-04 00:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d5e7f9a1b2'
down_revision = 'b7e2c4d91a05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_min', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('value_max', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('value_max')
        batch_op.drop_column('value_min')
