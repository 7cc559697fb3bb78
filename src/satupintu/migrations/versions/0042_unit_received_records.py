"""Mobile service units, hand-over: the centre's register of the complaints and applications
that came up from a unit (only those go back down in the bundle)

Revision ID: 0042
Revises: 0040
Create Date: 2026-12-03 19:10:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0042'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_received_records',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('received_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'record_id', name=op.f('pk_unit_received_records')),
    )
    op.create_index(op.f('ix_unit_received_records_event_id'), 'unit_received_records', ['event_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_unit_received_records_event_id'), table_name='unit_received_records')
    op.drop_table('unit_received_records')
