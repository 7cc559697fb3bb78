"""feedback: paper tallies and published indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:00:14.793493
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('skm_publications',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('report', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.Column('published_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_skm_publications_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skm_publications'))
    )
    with op.batch_alter_table('skm_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skm_publications_site_id'), ['site_id'], unique=False)

    op.create_table('survey_tallies',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('regulation', sa.String(length=32), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('tally', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_survey_tallies_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_survey_tallies_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_tallies'))
    )
    with op.batch_alter_table('survey_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_tallies_site_id'), ['site_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_tallies_site_id'))

    op.drop_table('survey_tallies')
    with op.batch_alter_table('skm_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skm_publications_site_id'))

    op.drop_table('skm_publications')
