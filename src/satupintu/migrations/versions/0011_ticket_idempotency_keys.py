"""ticket idempotency keys

A kiosk that retries an issue whose answer was lost sends the same Idempotency-Key and gets
the ticket the first attempt made, not a second number.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
    # An index, not a table constraint: SQLite adds it without copying the table.
    op.create_index('ix_tickets_idempotency', 'tickets', ['site_id', 'idempotency_key'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_tickets_idempotency', table_name='tickets')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('idempotency_key')
