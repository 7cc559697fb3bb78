"""bookings.cancelled_at: when a citizen cancelled a booking by its code

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01 21:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', satupintu.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
