"""feedback: complaints

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:57:34.684099
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_settings',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('severity', sa.String(length=12), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_complaint_settings_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', 'severity', name=op.f('pk_complaint_settings'))
    )
    op.create_table('complaints',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('tracking_code', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('privacy', sa.String(length=12), nullable=False),
    sa.Column('severity', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reporter_name', sa.String(length=200), nullable=False),
    sa.Column('reporter_contact', sa.String(length=200), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('received_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verify_due_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('answered_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_complaints_agency_id_agencies')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_complaints_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_complaints_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_complaints_tracking_code'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_complaints_site_state', ['site_id', 'state'], unique=False)

    op.create_table('complaint_events',
    sa.Column('complaint_id', sa.Uuid(), nullable=False),
    sa.Column('at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'],
            name=op.f('fk_complaint_events_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events'))
    )
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_events_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_events_complaint_id'))

    op.drop_table('complaint_events')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_site_state')
        batch_op.drop_index(batch_op.f('ix_complaints_agency_id'))

    op.drop_table('complaints')
    op.drop_table('complaint_settings')
