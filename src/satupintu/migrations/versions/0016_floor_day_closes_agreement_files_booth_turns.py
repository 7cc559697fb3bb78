"""Counters' floor, location and status; a service's booking switch, daily quota and last issue
time; a site's issuing cut-off, close grace and event status; closed days (once each);
agreement files and renewals; booth turns (the UMKM rota)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 00:37:05.242228
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue_day_closes',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('closed_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('closed_by', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('closed_tickets', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_queue_day_closes_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', 'local_date', name=op.f('pk_queue_day_closes'))
    )
    op.create_table('booth_turns',
    sa.Column('booth_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('products', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['booth_id'], ['booths.id'], name=op.f('fk_booth_turns_booth_id_booths'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booth_turns'))
    )
    with op.batch_alter_table('booth_turns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booth_turns_booth_id'), ['booth_id'], unique=False)

    op.create_table('agreement_files',
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                            name=op.f('fk_agreement_files_agreement_id_agreements'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_files'))
    )
    with op.batch_alter_table('agreement_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_files_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('renews_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agreements_renews_id_agreements'), 'agreements',
                                    ['renews_id'], ['id'],                                    ondelete='SET NULL')

    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('location', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('status', sa.Enum('open', 'planned', 'retired', name='counter_status',
                                                    native_enum=False, length=32),
                                      server_default='open', nullable=False))

    with op.batch_alter_table('queue_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('daily_quota', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_issue_time', sa.Time(), nullable=True))

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_status', sa.String(length=16), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('issue_cutoff_minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('close_grace_minutes', sa.Integer(), server_default='30', nullable=False))



def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of `sites` or
    # `counters` would drop a table other tables' rows still point at.
    for table, column in (("sites", "close_grace_minutes"), ("sites", "issue_cutoff_minutes"),
                          ("sites", "event_status"), ("queue_settings", "last_issue_time"),
                          ("queue_settings", "daily_quota"), ("queue_settings", "booking_enabled"),
                          ("counters", "status"), ("counters", "location"), ("counters", "floor")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

    with op.batch_alter_table('agreement_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_files_agreement_id'))

    op.drop_table('agreement_files')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agreements_renews_id_agreements'), type_='foreignkey')
        batch_op.drop_column('renews_id')
        batch_op.drop_column('notes')

    with op.batch_alter_table('booth_turns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booth_turns_booth_id'))

    op.drop_table('booth_turns')
    op.drop_table('queue_day_closes')
