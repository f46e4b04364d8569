"""sign-in abuse: refused sign-ins per address, and the user's previous passwords

A refused sign-in is kept with its address for the per-address throttle (platform table,
no tenant); a user keeps the hashes of their previous passwords, so the last ones are
refused on a change.

Revision ID: c9d1e3f5a7b9
Revises: b8c0d2e4f6a7
Create Date: 2026-12-04 03:00:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'c9d1e3f5a7b9'
down_revision = 'b8c0d2e4f6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_failures_address_at', 'sign_in_failures', ['address', 'at'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_password_hashes', sa.JSON(), nullable=False,
                                      server_default='[]'))
    rls.apply(op, {})  # the app role's grants, on the new table too


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('previous_password_hashes')
    op.drop_index('ix_sign_in_failures_address_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
