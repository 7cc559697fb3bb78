"""Mobile service units, up: the unit's change log (filled by triggers made at enrolment) and the
cursor of changes the centre has acknowledged

Revision ID: 0038
Revises: 0033
Create Date: 2026-12-03 14:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0038'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_changes',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_pk', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_unit_changes')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('unit_centre_links') as batch:
        batch.add_column(sa.Column('pushed_seq', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('unit_centre_links') as batch:
        batch.drop_column('pushed_seq')
    op.drop_table('unit_changes')
