"""rescission by measure: the agreement's own rescission request goes

解除 is a measure with its due process (notice, appeal, a second bureau user's decision:
saas.services.measures); the two-person request kept on the agreement since d4e6f8a0b2c3
is no longer used.

Revision ID: b5c7d9e1f3a6
Revises: a4b6c8d0e2f5
Create Date: 2026-12-04 06:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5c7d9e1f3a6'
down_revision = 'a4b6c8d0e2f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agreements_rescission_requested_by', type_='foreignkey')
        batch_op.drop_column('rescission_reason')
        batch_op.drop_column('rescission_requested_at')
        batch_op.drop_column('rescission_requested_by')


def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescission_requested_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rescission_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rescission_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_agreements_rescission_requested_by', 'users',
                                    ['rescission_requested_by'], ['id'])
