"""notifications: a message to one user about a step that concerns them

In-app (an unread count in the top bar) and by e-mail (SMTP_URL, else the instance's
outbox folder). Region-owned (RLS kind 'region'); services show users their own only.

Revision ID: e2f4a6b8c0d3
Revises: d1e3f5a7b9c2
Create Date: 2026-12-04 05:30:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'e2f4a6b8c0d3'
down_revision = 'd1e3f5a7b9c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('kind', sa.String(32), nullable=False),
        sa.Column('subject_msgid', sa.String(300), nullable=False),
        sa.Column('subject_params', sa.JSON(), nullable=False),
        sa.Column('link', sa.String(300)),
        sa.Column('read', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('read_at', sa.DateTime()),
        sa.Column('emailed_at', sa.DateTime()),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_notifications_region_id', 'notifications', ['region_id'])
    op.create_index('ix_notifications_user_read', 'notifications', ['user_id', 'read', 'id'])
    rls.apply(op, {'notifications': 'region'})


def downgrade():
    op.drop_table('notifications')
