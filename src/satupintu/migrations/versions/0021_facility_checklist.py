"""The facilities checklist (sarana prasarana) of a site and its photo evidence

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 14:30:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('facility_records',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('updated_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_facility_records_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'key', name=op.f('pk_facility_records'))
    )
    op.create_table('facility_photos',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_facility_photos_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_photos'))
    )
    op.create_index(op.f('ix_facility_photos_site_id'), 'facility_photos', ['site_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_facility_photos_site_id'), table_name='facility_photos')
    op.drop_table('facility_photos')
    op.drop_table('facility_records')
