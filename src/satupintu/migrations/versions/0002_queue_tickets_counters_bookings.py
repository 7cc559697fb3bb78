"""queue: tickets, counters, bookings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:10:17.480735
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_sequences',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=3), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_ticket_sequences_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', 'prefix', 'local_date', name=op.f('pk_ticket_sequences'))
    )
    op.create_table('visits',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('priority', sa.Enum('none', 'elderly', 'disabled', 'pregnant', 'infant', name='priority',
            native_enum=False, length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_visits_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_site_id'), ['site_id'], unique=False)

    op.create_table('booking_slots',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('slot_start', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_booking_slots_service_id_services')),
    sa.PrimaryKeyConstraint('service_id', 'slot_start', name=op.f('pk_booking_slots'))
    )
    op.create_table('bookings',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('slot_start', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('nik_hash', sa.String(length=64), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('nik_masked', sa.String(length=20), nullable=False),
    sa.Column('phone_masked', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_bookings_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_bookings_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code')),
    sa.UniqueConstraint('service_id', 'on_date', 'nik_hash', name=op.f('uq_bookings_service_id_on_date_nik_hash')),
    sa.UniqueConstraint('service_id', 'on_date', 'phone_hash', name=op.f('uq_bookings_service_id_on_date_phone_hash'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_site_id'), ['site_id'], unique=False)

    op.create_table('counter_states',
    sa.Column('counter_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('officer_id', sa.Uuid(), nullable=True),
    sa.Column('officer_label', sa.String(length=100), nullable=False),
    sa.Column('opened_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=200), nullable=False),
    sa.Column('current_ticket_id', sa.Uuid(), nullable=True),
    sa.Column('priority_streak', sa.Integer(), nullable=False),
    sa.Column('updated_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_counter_states_counter_id_counters')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_counter_states_site_id_sites')),
    sa.PrimaryKeyConstraint('counter_id', name=op.f('pk_counter_states'))
    )
    with op.batch_alter_table('counter_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_states_site_id'), ['site_id'], unique=False)

    op.create_table('queue_settings',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=3), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('slot_quota', sa.Integer(), nullable=False),
    sa.Column('booking_grace_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_queue_settings_service_id_services'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_queue_settings'))
    )
    op.create_table('tickets',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=3), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.Enum('kiosk', 'reception', 'booking', 'mobile', 'referral', name='channel',
            native_enum=False, length=16), nullable=False),
    sa.Column('priority', sa.Enum('none', 'elderly', 'disabled', 'pregnant', 'infant', name='priority',
            native_enum=False, length=16), nullable=False),
    sa.Column('is_priority', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'called', 'serving', 'on_hold', 'no_show', 'done', 'referred', 'closed',
            name='ticket_status', native_enum=False, length=16), nullable=False),
    sa.Column('ready_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('called_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('serving_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('counter_id', sa.Uuid(), nullable=True),
    sa.Column('recall_count', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Uuid(), nullable=True),
    sa.Column('referred_from_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('closed_reason', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_tickets_counter_id_counters')),
    sa.ForeignKeyConstraint(['referred_from_id'], ['tickets.id'], name=op.f('fk_tickets_referred_from_id_tickets')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_tickets_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tickets_site_id_sites')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_tickets_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('site_id', 'prefix', 'local_date', 'seq', name=op.f('uq_tickets_site_id_prefix_local_date_seq'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_calling', ['service_id', 'status', 'is_priority', 'ready_at', 'id'],
                unique=False)
        batch_op.create_index('ix_tickets_site_day', ['site_id', 'local_date', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_visit_id'), ['visit_id'], unique=False)

    op.create_table('ticket_events',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('counter_id', sa.Uuid(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_visit_id'))
        batch_op.drop_index('ix_tickets_site_day')
        batch_op.drop_index('ix_tickets_calling')

    op.drop_table('tickets')
    op.drop_table('queue_settings')
    with op.batch_alter_table('counter_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_states_site_id'))

    op.drop_table('counter_states')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_site_id'))

    op.drop_table('bookings')
    op.drop_table('booking_slots')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_site_id'))

    op.drop_table('visits')
    op.drop_table('ticket_sequences')
