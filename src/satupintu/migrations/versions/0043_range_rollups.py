"""Kept glances of long ranges: the national view over a year reads one row per site

The national view over a year read each site's month glances and the kept days around them
(about 26 rows a site, 7,800 over 301 sites). A range's glance merges them once, with a stamp of
the range's kept days and day closes; it is merged again when one of them changes.

Revision ID: 0043
Revises: 0041
Create Date: 2026-12-04 18:40:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0043'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('range_rollups',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('first', sa.Date(), nullable=False),
    sa.Column('last', sa.Date(), nullable=False),
    sa.Column('stamp', sa.String(length=64), nullable=False),
    sa.Column('glance', sa.Text(), nullable=False),
    sa.Column('built_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_range_rollups_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'first', 'last', name=op.f('pk_range_rollups'))
    )


def downgrade() -> None:
    op.drop_table('range_rollups')
