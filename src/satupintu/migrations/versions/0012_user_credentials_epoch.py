"""users.credentials_epoch: server-side revocation of sessions and API tokens

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch copy of `users` cannot drop the old table
    # while other rows (officers linked to their logins) point at it.
    op.drop_column('users', 'credentials_epoch')
