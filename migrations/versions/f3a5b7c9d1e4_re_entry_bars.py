"""re-entry bars: after a rescission, the institution and its leading persons

An effective rescission bars the institution (by 统一社会信用代码) for 1 or 3 years by its
ground, and its legal representative and main officer (by ID number) for 5, in every
region of the deployment: a platform table, also read by the public list of rescissions.
Institutions record the two persons' ID numbers.

Revision ID: f3a5b7c9d1e4
Revises: e2f4a6b8c0d3
Create Date: 2026-12-04 05:40:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'f3a5b7c9d1e4'
down_revision = 'e2f4a6b8c0d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        're_entry_bars',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('subject', sa.String(16), nullable=False),
        sa.Column('key', sa.String(32), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('role', sa.String(32)),
        sa.Column('institution_name', sa.String(200), nullable=False),
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('measure_id', sa.Integer(), sa.ForeignKey('measures.id')),
        sa.Column('ground', sa.String(40)),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('rescinded_on', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_re_entry_bars_key_until', 're_entry_bars', ['key', 'until'])
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_representative_id', sa.String(18)))
        batch_op.add_column(sa.Column('main_officer', sa.String(100)))
        batch_op.add_column(sa.Column('main_officer_id', sa.String(18)))
    rls.apply(op, {})  # the app role's grants, on the new table too


def downgrade():
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_column('main_officer_id')
        batch_op.drop_column('main_officer')
        batch_op.drop_column('legal_representative_id')
    op.drop_table('re_entry_bars')
