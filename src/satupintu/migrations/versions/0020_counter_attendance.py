"""Counter attendance (who opened a counter, when, and how it was closed) and since when a
counter is closed

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-02 14:30:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0020'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counter_attendance',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('counter_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('officer_label', sa.String(length=100), nullable=False),
    sa.Column('opened_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=200), nullable=False),
    sa.Column('closed_by', sa.String(length=100), nullable=False),
    sa.Column('confirmed_by', sa.String(length=100), nullable=False),
    sa.Column('confirm_reason', sa.String(length=300), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_counter_attendance_counter_id_counters')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_counter_attendance_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_attendance'))
    )
    with op.batch_alter_table('counter_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_attendance_counter_id'), ['counter_id'], unique=False)
        batch_op.create_index('ix_counter_attendance_site_opened', ['site_id', 'opened_at'], unique=False)
    op.add_column('counter_states', sa.Column('closed_at', satupintu.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('counter_states', 'closed_at')
    with op.batch_alter_table('counter_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_attendance_site_opened')
        batch_op.drop_index(batch_op.f('ix_counter_attendance_counter_id'))
    op.drop_table('counter_attendance')
