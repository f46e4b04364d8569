"""measurements without cached scores; assessments rewritten in place

A measurement's score and colour are a pure function of its value and the template
version, and the scorecard computes them when read: the cached columns were written on
every recompute and read by nothing. The index on assessment_id repeats the leading
column of the unique (assessment_id, indicator_id) index. Assessments get half-full pages so that the recompute's
rewrites of totals and ranks are HOT updates.

Revision ID: 7c1d2a9f4b3e
Revises: e588ca104ec9
Create Date: 2026-11-23 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1d2a9f4b3e'
down_revision = 'e588ca104ec9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurements_assessment_id'))
        batch_op.drop_column('score')
        batch_op.drop_column('color')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE assessments SET (fillfactor = 50)")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE assessments RESET (fillfactor)")
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('color', sa.String(length=8), nullable=False,
                                      server_default='no_data'))
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f('ix_measurements_assessment_id'), ['assessment_id'],
                              unique=False)
