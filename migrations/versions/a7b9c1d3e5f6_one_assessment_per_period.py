"""one assessment per period: a partial unique index for self-inspections and annual ones

The service refused a second self-inspection (or annual assessment) of an agreement for
the same period, but two requests at the same moment could both pass that check. The
database now holds the rule: unique (agreement_id, kind, period) where kind is one of
saas.domain.permissions.ONE_PER_PERIOD.

Revision ID: a7b9c1d3e5f6
Revises: f6a8b0c2d4e5
Create Date: 2026-12-04 01:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7b9c1d3e5f6'
down_revision = 'f6a8b0c2d4e5'
branch_labels = None
depends_on = None

ONE_PER_PERIOD = sa.text("kind IN ('self', 'annual')")


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('uq_assessments_one_per_period', ['agreement_id', 'kind', 'period'],
                              unique=True, postgresql_where=ONE_PER_PERIOD,
                              sqlite_where=ONE_PER_PERIOD)


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('uq_assessments_one_per_period')
