"""agreement requests: the institution asks to suspend, end or not renew

At least 3 months ahead, a public institution never to suspend or end; a bureau admin
accepts (a decided measure taking effect on the day asked) or refuses.

Revision ID: a4b6c8d0e2f5
Revises: f3a5b7c9d1e4
Create Date: 2026-12-04 06:05:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'a4b6c8d0e2f5'
down_revision = 'f3a5b7c9d1e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'agreement_requests',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey('institutions.id'),
                  nullable=False),
        sa.Column('agreement_id', sa.Integer(), sa.ForeignKey('agreements.id'), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('months', sa.Integer()),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('requested_by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('decided_by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('decided_at', sa.DateTime()),
        sa.Column('decision_reason', sa.Text()),
        sa.Column('measure_id', sa.Integer(), sa.ForeignKey('measures.id')),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    for column in ('region_id', 'institution_id', 'agreement_id'):
        op.create_index(f'ix_agreement_requests_{column}', 'agreement_requests', [column])
    rls.apply(op, {'agreement_requests': 'institution'})


def downgrade():
    op.drop_table('agreement_requests')
