"""Stored daily rollups of settled days, and their monthly merges for the national view

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 09:30:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0028'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_rollups',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('closed_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('rollups', sa.Text(), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('built_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_daily_rollups_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'day', name=op.f('pk_daily_rollups'))
    )
    op.create_index('ix_daily_rollups_marks', 'daily_rollups',
                    ['site_id', 'day', 'built_at', 'closed_at', 'tickets'], unique=False)
    op.create_table('monthly_rollups',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('stamp', sa.String(length=64), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('built_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_monthly_rollups_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'month', name=op.f('pk_monthly_rollups'))
    )


def downgrade() -> None:
    op.drop_table('monthly_rollups')
    op.drop_index('ix_daily_rollups_marks', table_name='daily_rollups')
    op.drop_table('daily_rollups')
