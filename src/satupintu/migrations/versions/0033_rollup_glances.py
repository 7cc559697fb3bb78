"""Kept rollups carry what the national view reads: a glance beside each day's and month's headline

The national view over a year read each site's month headlines whole: the wait histogram and a
service-time histogram per service, merged per site. A glance holds the site's additive figures
with its histograms as dense runs and the counts of service times within each service's standard,
so a year over 300 sites adds a few thousand short rows. The month rows are dropped (a cache,
merged again with their glance on the next reading); the kept days without a glance are read from
their headline until they are rebuilt (`satupintu oversight rollup`).

Revision ID: 0033
Revises: 0037
Create Date: 2026-12-03 13:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('daily_rollups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('glance', sa.Text(), nullable=True))
    op.execute("DELETE FROM monthly_rollups")
    with op.batch_alter_table('monthly_rollups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('glance', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('monthly_rollups', schema=None) as batch_op:
        batch_op.drop_column('glance')
    with op.batch_alter_table('daily_rollups', schema=None) as batch_op:
        batch_op.drop_column('glance')
