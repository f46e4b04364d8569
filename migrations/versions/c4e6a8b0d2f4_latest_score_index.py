"""ix_assessments_latest: each institution's scored assessments, newest first

The latest score of every institution (the dashboards' overview and grid, the
institutions list; saas.services.analytics.latest_scores, dashboards._latest_scores)
reads this index in its own order instead of sorting the region's scored assessments:
the grid block at 20 000 institutions 205 → 120 ms.

Revision ID: c4e6a8b0d2f4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-04 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f4'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

SCORED = sa.text("total IS NOT NULL")


def upgrade():
    op.create_index('ix_assessments_latest', 'assessments',
                    ['region_id', 'institution_id', sa.text('period_end DESC'),
                     sa.text('id DESC')],
                    postgresql_include=['total', 'grade', 'kind', 'private'],
                    postgresql_where=SCORED, sqlite_where=SCORED)


def downgrade():
    op.drop_index('ix_assessments_latest', table_name='assessments')
