"""audit_entries.chain: each region's audit entries chain on their own

Until now every entry of every region chained to the previous entry of the whole
database, under one lock: every write of the platform waited for every other. New
entries ("region") chain to the previous entry of their own region (platform entries,
without a region, to the previous platform entry) under that region's lock; the entries
written before ("global") keep the chain they were written in (saas.services.audit).
Added as a column with a default, so no existing row is rewritten (the table refuses
updates); (region_id, id) finds a region's last entry.

Revision ID: d5f7a9b1c3e6
Revises: c4e6a8b0d2f4
Create Date: 2026-12-04 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5f7a9b1c3e6'
down_revision = 'c4e6a8b0d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_entries', sa.Column('chain', sa.String(length=8), nullable=False,
                                             server_default='global'))
    op.create_index('ix_audit_entries_region_chain', 'audit_entries', ['region_id', 'id'])


def downgrade():
    op.drop_index('ix_audit_entries_region_chain', table_name='audit_entries')
    with op.batch_alter_table('audit_entries') as batch_op:
        batch_op.drop_column('chain')
