"""A site's board voice: its preference and its own voice pack (recordings)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 14:40:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('site_voices',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('preference', sa.String(length=20), nullable=False),
    sa.Column('pack_name', sa.String(length=200), nullable=False),
    sa.Column('pack_uploaded_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pack_uploaded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_voices_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site_voices'))
    )
    op.create_table('voice_clips',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_voice_clips_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'key', name=op.f('pk_voice_clips'))
    )


def downgrade() -> None:
    op.drop_table('voice_clips')
    op.drop_table('site_voices')
