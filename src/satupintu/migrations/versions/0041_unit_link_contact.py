"""Mobile service units: the link's last contact with the centre (any answer, a refusal too)
and the code of its last error (so the status page can tell "install version X" apart)

Revision ID: 0041
Revises: 0042
Create Date: 2026-12-03 18:45:00
"""
import sqlalchemy as sa
from alembic import op

import satupintu.db

revision = '0041'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unit_centre_links') as batch:
        batch.add_column(sa.Column('last_contact_at', satupintu.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('last_error_code', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('unit_centre_links') as batch:
        batch.drop_column('last_error_code')
        batch.drop_column('last_contact_at')
