"""Client systems of other agencies and their API keys

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-02 18:50:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_systems',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner_agency', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_client_systems_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_systems')),
    sa.UniqueConstraint('site_id', 'name', name=op.f('uq_client_systems_site_id_name'))
    )
    op.create_index(op.f('ix_client_systems_site_id'), 'client_systems', ['site_id'], unique=False)
    op.create_table('api_keys',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('rate_per_minute', sa.Integer(), nullable=False),
    sa.Column('expires_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('replaced_by_id', sa.Uuid(), nullable=True),
    sa.Column('overlap_ends_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.Column('last_used_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_api_keys_agency_id_agencies')),
    sa.ForeignKeyConstraint(['client_id'], ['client_systems.id'], name=op.f('fk_api_keys_client_id_client_systems'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['api_keys.id'], name=op.f('fk_api_keys_replaced_by_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_index(op.f('ix_api_keys_client_id'), 'api_keys', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_api_keys_client_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index(op.f('ix_client_systems_site_id'), table_name='client_systems')
    op.drop_table('client_systems')
