"""rescission review: 解除 needs a second bureau user

The first bureau admin asks for the rescission with its reason; it takes effect when
another bureau user confirms it (saas.services.agreements.rescind). The request is kept
on the agreement until then.

Revision ID: d4e6f8a0b2c3
Revises: c3d5e7f9a1b2
Create Date: 2026-12-04 00:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e6f8a0b2c3'
down_revision = 'c3d5e7f9a1b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescission_requested_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rescission_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rescission_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_agreements_rescission_requested_by', 'users',
                                    ['rescission_requested_by'], ['id'])


def downgrade():
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agreements_rescission_requested_by', type_='foreignkey')
        batch_op.drop_column('rescission_reason')
        batch_op.drop_column('rescission_requested_at')
        batch_op.drop_column('rescission_requested_by')
