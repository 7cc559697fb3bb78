"""Client systems' own reference numbers for applications

Revision ID: 0031
Revises: 0027
Create Date: 2026-12-03 09:20:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0031'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('application_external_refs',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('client_name', sa.String(length=100), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_application_external_refs_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['client_systems.id'],
                            name=op.f('fk_application_external_refs_client_id_client_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_external_refs')),
    sa.UniqueConstraint('application_id', 'client_id',
                        name=op.f('uq_application_external_refs_application_id_client_id')),
    sa.UniqueConstraint('client_id', 'external_ref', name=op.f('uq_application_external_refs_client_id_external_ref'))
    )
    op.create_index(op.f('ix_application_external_refs_application_id'), 'application_external_refs',
                    ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_application_external_refs_application_id'), table_name='application_external_refs')
    op.drop_table('application_external_refs')
