"""institutions.district: 所属区县/街道, a filter of the bureau dashboards

Revision ID: e8f0a2b4c6d9
Revises: d7e9f1a3b5c8
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e8f0a2b4c6d9'
down_revision = 'd7e9f1a3b5c8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('institutions') as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(50), nullable=True))
        batch_op.create_index('ix_institutions_region_district', ['region_id', 'district'])


def downgrade():
    with op.batch_alter_table('institutions') as batch_op:
        batch_op.drop_index('ix_institutions_region_district')
        batch_op.drop_column('district')
