"""device_pairings (the /pasang flow) and device_tokens.display_scope (what a board shows)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('device_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_scope', sa.JSON().with_variant(
            postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
    op.create_table('device_pairings',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('claim_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('confirmed_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('token_sealed', sa.Text(), nullable=True),
    sa.Column('delivered_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['device_tokens.id'],
                            name=op.f('fk_device_pairings_device_id_device_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_pairings')),
    sa.UniqueConstraint('claim_hash', name=op.f('uq_device_pairings_claim_hash'))
    )
    with op.batch_alter_table('device_pairings', schema=None) as batch_op:
        batch_op.create_index('uq_device_pairings_pending_code', ['code'], unique=True,
                              sqlite_where=sa.text('device_id IS NULL'),
                              postgresql_where=sa.text('device_id IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('device_pairings', schema=None) as batch_op:
        batch_op.drop_index('uq_device_pairings_pending_code')
    op.drop_table('device_pairings')
    with op.batch_alter_table('device_tokens', schema=None) as batch_op:
        batch_op.drop_column('display_scope')
