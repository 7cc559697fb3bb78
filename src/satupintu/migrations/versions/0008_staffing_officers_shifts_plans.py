"""staffing officers shifts plans

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:05:08.969709
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_plans',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('counters', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_staff_plans_agency_id_agencies')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_staff_plans_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_plans')),
    sa.UniqueConstraint('site_id', 'agency_id', 'weekday', 'hour',
            name=op.f('uq_staff_plans_site_id_agency_id_weekday_hour'))
    )
    op.create_table('staff_officers',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('services', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False),
    sa.Column('max_minutes_per_day', sa.Integer(), nullable=False),
    sa.Column('max_minutes_per_week', sa.Integer(), nullable=False),
    sa.Column('friday_prayer', sa.Boolean(), nullable=False),
    sa.Column('workdays', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_staff_officers_agency_id_agencies')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_staff_officers_site_id_sites')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_officers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_officers'))
    )
    with op.batch_alter_table('staff_officers', schema=None) as batch_op:
        batch_op.create_index('ix_staff_officers_site_agency', ['site_id', 'agency_id'], unique=False)

    op.create_table('staff_visit_history',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('issued_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('called_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('serving_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', satupintu.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_priority', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_staff_visit_history_service_id_services')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_staff_visit_history_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_visit_history'))
    )
    with op.batch_alter_table('staff_visit_history', schema=None) as batch_op:
        batch_op.create_index('ix_staff_visit_history_site_issued', ['site_id', 'issued_at'], unique=False)

    op.create_table('staff_assignments',
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('officer_id', sa.Uuid(), nullable=False),
    sa.Column('counter_id', sa.Uuid(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_staff_assignments_counter_id_counters'),
            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['staff_officers.id'],
            name=op.f('fk_staff_assignments_officer_id_staff_officers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_staff_assignments_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_assignments'))
    )
    with op.batch_alter_table('staff_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_assignments_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index('ix_staff_assignments_site_day', ['site_id', 'on_date'], unique=False)

    op.create_table('staff_days_off',
    sa.Column('officer_id', sa.Uuid(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['staff_officers.id'],
            name=op.f('fk_staff_days_off_officer_id_staff_officers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_days_off')),
    sa.UniqueConstraint('officer_id', 'on_date', name=op.f('uq_staff_days_off_officer_id_on_date'))
    )


def downgrade() -> None:
    op.drop_table('staff_days_off')
    with op.batch_alter_table('staff_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_assignments_site_day')
        batch_op.drop_index(batch_op.f('ix_staff_assignments_officer_id'))

    op.drop_table('staff_assignments')
    with op.batch_alter_table('staff_visit_history', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_visit_history_site_issued')

    op.drop_table('staff_visit_history')
    with op.batch_alter_table('staff_officers', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_officers_site_agency')

    op.drop_table('staff_officers')
    op.drop_table('staff_plans')
