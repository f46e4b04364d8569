"""assessments.ranked_as, peer_group: the rank read model

The assessment that speaks for its institution in a period's ranks (its latest submitted
or finalized one with a total, per rank group) carries the rank group and its
institution's peer group, so that a scorecard's rank is a count of index entries
(saas.services.rank_model). Existing rows are marked here.

Revision ID: a2c4e6f8b0d1
Revises: f9a1b3c5d7e0
Create Date: 2026-12-04 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2c4e6f8b0d1'
down_revision = 'f9a1b3c5d7e0'
branch_labels = None
depends_on = None

RANKED = sa.text("ranked_as IS NOT NULL")
GROUP = ("CASE a.kind WHEN 'routine' THEN 'official' WHEN 'special' THEN 'official'"
         " WHEN 'flight' THEN 'official' WHEN 'random' THEN 'official'"
         " WHEN 'self' THEN 'self' WHEN 'annual' THEN 'annual' END")
ELIGIBLE = (f"CASE WHEN a.status IN ('submitted', 'finalized') AND a.total IS NOT NULL"
            f" AND {GROUP} IS NOT NULL THEN 1 ELSE 0 END")


def upgrade():
    with op.batch_alter_table('assessments') as batch_op:
        batch_op.add_column(sa.Column('ranked_as', sa.String(16), nullable=True))
        batch_op.add_column(sa.Column('peer_group', sa.String(40), nullable=True))
    op.execute(f"""
        UPDATE assessments SET ranked_as = d.grp, peer_group = d.peer_group
        FROM (
          SELECT c.id, c.grp, i.kind || '/' || coalesce(i.level, '') AS peer_group
          FROM (
            SELECT a.id, a.institution_id, {GROUP} AS grp, {ELIGIBLE} AS eligible,
                   row_number() OVER (PARTITION BY a.institution_id, a.period, {GROUP},
                                      {ELIGIBLE} ORDER BY a.id DESC) AS n
            FROM assessments a) AS c
          JOIN institutions i ON i.id = c.institution_id
          WHERE c.eligible = 1 AND c.n = 1) AS d
        WHERE assessments.id = d.id""")
    op.create_index('ix_assessments_ranked', 'assessments',
                    ['region_id', 'ranked_as', 'period', 'total'],
                    postgresql_include=['institution_id', 'private', 'peer_group'],
                    postgresql_where=RANKED, sqlite_where=RANKED)


def downgrade():
    op.drop_index('ix_assessments_ranked', table_name='assessments')
    with op.batch_alter_table('assessments') as batch_op:
        batch_op.drop_column('peer_group')
        batch_op.drop_column('ranked_as')
