"""The manager's scores of the readiness self-assessment's manual indicators

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 14:40:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('readiness_scores',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_readiness_scores_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'indicator', name=op.f('pk_readiness_scores'))
    )


def downgrade() -> None:
    op.drop_table('readiness_scores')
