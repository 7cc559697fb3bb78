"""Mobile service units, hand-over: the unit's marks of records the centre took over, and the
rows the centre refused at a push (for the van's status page)

Revision ID: 0040
Revises: 0038
Create Date: 2026-12-03 18:40:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0040'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_handovers',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('label', sa.String(length=200), server_default='', nullable=False),
    sa.Column('state', sa.String(length=64), server_default='', nullable=False),
    sa.Column('handed_over_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'record_id', name=op.f('pk_unit_handovers')),
    )
    op.create_table('unit_refusals',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('refused_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_refusals')),
    )


def downgrade() -> None:
    op.drop_table('unit_refusals')
    op.drop_table('unit_handovers')
