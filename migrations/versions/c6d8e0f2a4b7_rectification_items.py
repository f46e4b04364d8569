"""rectification items: the 整改台账, one row per problem to fix

Numbered YYYY-category-NNN, unique within the institution; private to the institution
when it comes from a mock inspection (RLS kind 'private').

Revision ID: c6d8e0f2a4b7
Revises: b5c7d9e1f3a6
Create Date: 2026-12-04 07:00:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'c6d8e0f2a4b7'
down_revision = 'b5c7d9e1f3a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rectification_items',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey('institutions.id'),
                  nullable=False),
        sa.Column('private', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('number', sa.String(40), nullable=False),
        sa.Column('finding_id', sa.Integer(), sa.ForeignKey('findings.id')),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('category', sa.String(40), nullable=False),
        sa.Column('severity', sa.String(16)),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('measures_to_take', sa.Text()),
        sa.Column('department', sa.String(100)),
        sa.Column('owner_id', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('institution_id', 'number'),
    )
    for column in ('region_id', 'institution_id', 'finding_id'):
        op.create_index(f'ix_rectification_items_{column}', 'rectification_items', [column])
    op.create_index('ix_rectification_items_region_status', 'rectification_items',
                    ['region_id', 'status', 'due_date'])
    rls.apply(op, {'rectification_items': 'private'})


def downgrade():
    op.drop_table('rectification_items')
