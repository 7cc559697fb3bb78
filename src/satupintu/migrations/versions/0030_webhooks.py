"""Outgoing webhooks: client subscriptions and the delivery outbox

Revision ID: 0030
Revises: 0027
Create Date: 2026-12-03 09:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0030'
down_revision = '0031'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('event_types', _JSON, nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('secret_prefix', sa.String(length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('failing_since', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client_systems.id'],
                            name=op.f('fk_webhook_endpoints_client_id_client_systems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_webhook_endpoints_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_index(op.f('ix_webhook_endpoints_client_id'), 'webhook_endpoints', ['client_id'], unique=False)
    op.create_index(op.f('ix_webhook_endpoints_site_id'), 'webhook_endpoints', ['site_id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('endpoint_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_token', sa.Uuid(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_duration_ms', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('last_attempt_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'],
                            name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_webhook_deliveries_entity', 'webhook_deliveries', ['endpoint_id', 'entity', 'status'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_webhook_deliveries_entity', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_due', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_webhook_endpoints_site_id'), table_name='webhook_endpoints')
    op.drop_index(op.f('ix_webhook_endpoints_client_id'), table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
