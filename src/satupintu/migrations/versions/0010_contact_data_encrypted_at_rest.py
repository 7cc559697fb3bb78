"""contact data encrypted at rest

Phone numbers and e-mail addresses of bookings (reminders), applications, the notification
outbox and complaints become encrypted text (satupintu.secretbox, keys from
SATUPINTU_DATA_KEYS or derived from the secret key: migrate with the same settings the app
runs with). Existing rows are encrypted here; contacts no message needs any more are erased
now (settled notifications, applications in their last state); notifications get a keyed
hash of their recipient so they can still be found by address.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 09:00:00
"""
import sqlalchemy as sa
from alembic import op

from satupintu import secretbox

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# (table, column, its length before this revision)
COLUMNS = [("bookings", "notify_to", 20), ("applications", "phone", 20), ("applications", "email", 200),
           ("notifications", "recipient", 320), ("complaints", "reporter_contact", 200)]


def _rows(table: str, column: str) -> list[tuple[object, str]]:
    t = sa.table(table, sa.column("id", sa.Uuid()), sa.column(column, sa.Text()))
    return [(i, v) for i, v in op.get_bind().execute(sa.select(t.c.id, t.c[column]).where(t.c[column] != ""))]


def _set(table: str, column: str, values: dict[object, str]) -> None:
    t = sa.table(table, sa.column("id", sa.Uuid()), sa.column(column, sa.Text()))
    conn = op.get_bind()
    for row_id, value in values.items():
        conn.execute(sa.update(t).where(t.c.id == row_id).values({column: value}))


def upgrade() -> None:
    for table, column, _length in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=_length), type_=sa.Text(),
                                  existing_nullable=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_recipient_hash'), ['recipient_hash'], unique=False)

    conn = op.get_bind()
    n = sa.table("notifications", sa.column("id", sa.Uuid()), sa.column("recipient", sa.Text()),
                 sa.column("status", sa.String()), sa.column("recipient_hash", sa.String()))
    for row_id, recipient, status in conn.execute(sa.select(n.c.id, n.c.recipient, n.c.status)).all():
        plain = secretbox.decrypt(recipient) if secretbox.is_token(recipient) else recipient
        settled = status in ("sent", "failed")
        conn.execute(sa.update(n).where(n.c.id == row_id).values(
            recipient_hash=secretbox.blind_index("recipient", plain.strip()),
            recipient="" if settled else secretbox.encrypt(plain)))

    a = sa.table("applications", sa.column("closed_at"), sa.column("phone", sa.Text()), sa.column("email", sa.Text()))
    conn.execute(sa.update(a).where(a.c.closed_at.is_not(None)).values(phone="", email=""))

    for table, column, _length in COLUMNS:
        if (table, column) == ("notifications", "recipient"):
            continue
        _set(table, column, {i: secretbox.encrypt(v) for i, v in _rows(table, column) if not secretbox.is_token(v)})


def downgrade() -> None:
    for table, column, _length in COLUMNS:
        _set(table, column, {i: secretbox.decrypt(v) for i, v in _rows(table, column) if secretbox.is_token(v)})
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_recipient_hash'))
        batch_op.drop_column('recipient_hash')
    for table, column, length in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=length),
                                  existing_nullable=False)
