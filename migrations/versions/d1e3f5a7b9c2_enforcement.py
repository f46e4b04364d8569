"""enforcement: the points ledger, measures and their due process

An agreement's points ledger (points_entries: lines only added, a reversal in the
original year), its measures (measures: one row per measure with where it stands, a
unique proposal key per agreement so that a cause proposes once, even under concurrent
confirmations), each step of their due process (measure_events), an appeal's evidence
(evidence.measure_event_id) and the institution's ownership (公立/非公立).

Measures and their steps are shown to the institution once notified: RLS kind
'notified' (tenants.rls.NOTIFIED_SCOPE).

Revision ID: d1e3f5a7b9c2
Revises: c9d1e3f5a7b9
Create Date: 2026-12-04 05:10:00

"""
import sqlalchemy as sa
from alembic import op

from tenants import rls

# revision identifiers, used by Alembic.
revision = 'd1e3f5a7b9c2'
down_revision = 'c9d1e3f5a7b9'
branch_labels = None
depends_on = None

PROPOSAL_KEY = sa.text("proposal_key IS NOT NULL")


def _tenant_columns(notified=False):
    columns = [
        sa.Column('region_id', sa.Integer(), sa.ForeignKey('regions.id'), nullable=False),
        sa.Column('institution_id', sa.Integer(), sa.ForeignKey('institutions.id'),
                  nullable=False),
    ]
    if notified:
        columns.append(sa.Column('notified_at', sa.DateTime(), nullable=True))
    return columns


def upgrade():
    op.create_table(
        'measures',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('agreement_id', sa.Integer(), sa.ForeignKey('agreements.id'), nullable=False),
        sa.Column('measure', sa.String(24), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('months', sa.Integer()),
        sa.Column('amount_fen', sa.BigInteger()),
        sa.Column('basis', sa.Text(), nullable=False),
        sa.Column('clause_number', sa.String(32)),
        sa.Column('article', sa.String(100)),
        sa.Column('finding_id', sa.Integer(), sa.ForeignKey('findings.id')),
        sa.Column('ground', sa.String(40)),
        sa.Column('proposal_key', sa.String(60)),
        sa.Column('year', sa.Integer()),
        sa.Column('proposed_by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('decided_by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('appeal_until', sa.Date()),
        sa.Column('effective_on', sa.Date()),
        sa.Column('ends_on', sa.Date()),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        *_tenant_columns(notified=True),
    )
    op.create_index('ix_measures_agreement_id', 'measures', ['agreement_id'])
    op.create_index('ix_measures_region_id', 'measures', ['region_id'])
    op.create_index('ix_measures_institution_id', 'measures', ['institution_id'])
    op.create_index('ix_measures_region_status', 'measures', ['region_id', 'status', 'id'])
    op.create_index('uq_measures_proposal_key', 'measures', ['agreement_id', 'proposal_key'],
                    unique=True, postgresql_where=PROPOSAL_KEY, sqlite_where=PROPOSAL_KEY)
    op.create_table(
        'measure_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('measure_id', sa.Integer(), sa.ForeignKey('measures.id'), nullable=False),
        sa.Column('action', sa.String(16), nullable=False),
        sa.Column('from_status', sa.String(16)),
        sa.Column('to_status', sa.String(16), nullable=False),
        sa.Column('decision', sa.String(16)),
        sa.Column('reason', sa.Text()),
        sa.Column('by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('at', sa.DateTime(), nullable=False),
        *_tenant_columns(notified=True),
    )
    op.create_index('ix_measure_events_measure_id', 'measure_events', ['measure_id'])
    op.create_index('ix_measure_events_region_id', 'measure_events', ['region_id'])
    op.create_index('ix_measure_events_institution_id', 'measure_events', ['institution_id'])
    op.create_table(
        'points_entries',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('agreement_id', sa.Integer(), sa.ForeignKey('agreements.id'), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), sa.ForeignKey('findings.id'), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('reason', sa.String(32), nullable=False),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('factor', sa.Float(), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('measure_id', sa.Integer(), sa.ForeignKey('measures.id')),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        *_tenant_columns(),
        sa.UniqueConstraint('finding_id', 'kind'),
    )
    op.create_index('ix_points_entries_agreement_year', 'points_entries',
                    ['agreement_id', 'year'])
    op.create_index('ix_points_entries_region_id', 'points_entries', ['region_id'])
    op.create_index('ix_points_entries_institution_id', 'points_entries', ['institution_id'])
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure_event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_evidence_measure_event_id', 'measure_events',
                                    ['measure_event_id'], ['id'])
        batch_op.create_index('ix_evidence_measure_event_id', ['measure_event_id'])
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ownership', sa.String(16), nullable=True))
    rls.apply(op, {'measures': 'notified', 'measure_events': 'notified',
                   'points_entries': 'institution'})


def downgrade():
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_column('ownership')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_measure_event_id')
        batch_op.drop_constraint('fk_evidence_measure_event_id', type_='foreignkey')
        batch_op.drop_column('measure_event_id')
    op.drop_table('points_entries')
    op.drop_table('measure_events')
    op.drop_table('measures')
