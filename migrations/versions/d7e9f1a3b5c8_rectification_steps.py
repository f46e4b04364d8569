"""rectification steps: what was done and who checked it, each step's row, the item's
evidence, and one reminder per user, item and day

rectification_items gain the source assessment, who verifies (the bureau for a bureau
finding's item), the statement (完成情况) and who submitted and closed it (销号日期);
rectification_events keep every step (private with its item); evidence may prove an
item; a notification may carry a key, unique per user (a reminder's item and day).

Revision ID: d7e9f1a3b5c8
Revises: c6d8e0f2a4b7
Create Date: 2026-12-04 08:00:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd7e9f1a3b5c8'
down_revision = 'c6d8e0f2a4b7'
branch_labels = None
depends_on = None

BUREAU_KINDS = "('routine', 'special', 'flight', 'random', 'annual')"


def upgrade():
    with op.batch_alter_table('rectification_items') as batch_op:
        batch_op.add_column(sa.Column('assessment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('bureau_verifies', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('statement', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('submitted_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_rectification_items_assessment_id', 'assessments',
                                    ['assessment_id'], ['id'])
        batch_op.create_foreign_key('fk_rectification_items_submitted_by', 'users',
                                    ['submitted_by'], ['id'])
        batch_op.create_foreign_key('fk_rectification_items_closed_by', 'users',
                                    ['closed_by'], ['id'])
        batch_op.create_index('ix_rectification_items_assessment_id', ['assessment_id'])
    op.execute(
        "UPDATE rectification_items SET assessment_id = (SELECT f.assessment_id FROM findings f"
        " WHERE f.id = rectification_items.finding_id) WHERE finding_id IS NOT NULL")
    op.execute(
        "UPDATE rectification_items SET bureau_verifies = EXISTS (SELECT 1 FROM assessments a"
        " WHERE a.id = rectification_items.assessment_id AND a.kind IN " + BUREAU_KINDS + ")")
    op.create_table(
        'rectification_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey('institutions.id'),
                  nullable=False),
        sa.Column('private', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('rectification_items.id'),
                  nullable=False),
        sa.Column('action', sa.String(16), nullable=False),
        sa.Column('from_status', sa.String(16)),
        sa.Column('to_status', sa.String(16), nullable=False),
        sa.Column('reason', sa.Text()),
        sa.Column('changes', sa.JSON()),
        sa.Column('by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('at', sa.DateTime(), nullable=False),
    )
    for column in ('region_id', 'institution_id', 'item_id'):
        op.create_index(f'ix_rectification_events_{column}', 'rectification_events', [column])
    rls.apply(op, {'rectification_events': 'private'})
    with op.batch_alter_table('evidence') as batch_op:
        batch_op.add_column(sa.Column('rectification_item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('storage_version', sa.String(200), nullable=True))
        batch_op.create_foreign_key('fk_evidence_rectification_item_id', 'rectification_items',
                                    ['rectification_item_id'], ['id'])
        batch_op.create_index('ix_evidence_rectification_item_id', ['rectification_item_id'])
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.add_column(sa.Column('key', sa.String(80), nullable=True))
        batch_op.create_unique_constraint('uq_notifications_user_id_key', ['user_id', 'key'])
    op.create_table(
        'export_files',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('kind', sa.String(32), nullable=False),
        sa.Column('fmt', sa.String(8), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('done_rows', sa.Integer(), nullable=False),
        sa.Column('total_rows', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(200)),
        sa.Column('storage_key', sa.String(300)),
        sa.Column('error', sa.Text()),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime()),
    )
    op.create_index('ix_export_files_region_id', 'export_files', ['region_id'])
    op.create_index('ix_export_files_user_id', 'export_files', ['user_id'])
    rls.apply(op, {'export_files': 'region'})


def downgrade():
    op.drop_table('export_files')
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.drop_constraint('uq_notifications_user_id_key', type_='unique')
        batch_op.drop_column('key')
    with op.batch_alter_table('evidence') as batch_op:
        batch_op.drop_index('ix_evidence_rectification_item_id')
        batch_op.drop_constraint('fk_evidence_rectification_item_id', type_='foreignkey')
        batch_op.drop_column('rectification_item_id')
        batch_op.drop_column('storage_version')
    op.drop_table('rectification_events')
    with op.batch_alter_table('rectification_items') as batch_op:
        batch_op.drop_index('ix_rectification_items_assessment_id')
        for name in ('assessment_id', 'submitted_by', 'closed_by'):
            batch_op.drop_constraint(f'fk_rectification_items_{name}', type_='foreignkey')
        for column in ('closed_at', 'closed_by', 'submitted_at', 'submitted_by', 'statement',
                       'bureau_verifies', 'assessment_id'):
            batch_op.drop_column(column)
