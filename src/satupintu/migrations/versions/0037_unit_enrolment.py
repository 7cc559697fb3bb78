"""Mobile service units: enrolment codes at the centre, the centre link at the unit

Revision ID: 0037
Revises: 0028
Create Date: 2026-12-03 13:45:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0037'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_enrolment_codes',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('expires_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('unit_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_unit_enrolment_codes_site_id_sites'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['client_systems.id'],
                            name=op.f('fk_unit_enrolment_codes_client_id_client_systems'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_enrolment_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_unit_enrolment_codes_code_hash'))
    )
    op.create_index(op.f('ix_unit_enrolment_codes_site_id'), 'unit_enrolment_codes', ['site_id'], unique=False)
    op.create_table('unit_centre_links',
    sa.Column('centre_url', sa.String(length=500), nullable=False),
    sa.Column('event_code', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('api_key', sa.Text(), nullable=False),  # encrypted by the model's EncryptedText
    sa.Column('key_hint', sa.String(length=16), nullable=False),
    sa.Column('enrolled_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('centre_release', sa.String(length=32), server_default='', nullable=False),
    sa.Column('last_pull_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_push_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_centre_links'))
    )


def downgrade() -> None:
    op.drop_table('unit_centre_links')
    op.drop_index(op.f('ix_unit_enrolment_codes_site_id'), table_name='unit_enrolment_codes')
    op.drop_table('unit_enrolment_codes')
