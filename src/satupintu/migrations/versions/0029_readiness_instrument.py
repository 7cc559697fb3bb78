"""The readiness instrument kept as data: its versions (the newest is current), seeded with the
code's default; each manual score records the version it was given under

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-03 09:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import satupintu.db

revision = '0029'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('readiness_instruments',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', satupintu.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_readiness_instruments'))
    )
    with op.batch_alter_table('readiness_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instrument_version', sa.Integer(), nullable=True))
    # Seeded with the default the code shipped with at this revision (the service also falls back
    # to the code's default while the table is empty).
    from satupintu.oversight.readiness import DEFAULT_INSTRUMENT
    from satupintu.timeutil import utcnow

    op.bulk_insert(table, [{"version": 1, "body": DEFAULT_INSTRUMENT.as_dict(),
                            "note": "Bawaan SatuPintu", "created_at": utcnow(), "created_by": "system"}])


def downgrade() -> None:
    with op.batch_alter_table('readiness_scores', schema=None) as batch_op:
        batch_op.drop_column('instrument_version')
    op.drop_table('readiness_instruments')
