"""board_texts: the running text a site's display boards show, set by its manager

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 14:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('board_texts',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('updated_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_board_texts_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_board_texts'))
    )


def downgrade() -> None:
    op.drop_table('board_texts')
