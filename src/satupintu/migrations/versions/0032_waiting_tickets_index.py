"""The calling index holds waiting tickets only (a partial index)

ix_tickets_calling covered every ticket ever issued, so it grew with each day's called, served
and closed tickets that the calling query never reads. ix_tickets_waiting holds only the
waiting ones, in the calling query's order: service, class, day, then ready_at and id.

Revision ID: 0032
Revises: 0027
Create Date: 2026-12-03 09:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0030'
branch_labels = None
depends_on = None

WAITING_ONLY = "status = 'waiting'"


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_calling')
        batch_op.create_index('ix_tickets_waiting', ['service_id', 'is_priority', 'local_date', 'ready_at', 'id'],
                              unique=False, postgresql_where=sa.text(WAITING_ONLY),
                              sqlite_where=sa.text(WAITING_ONLY))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_waiting')
        batch_op.create_index('ix_tickets_calling', ['service_id', 'status', 'is_priority', 'ready_at', 'id'],
                              unique=False)
