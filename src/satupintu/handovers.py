"""Records a mobile service unit has handed over to its centre (kernel: the unit's pull writes
the marks, and the capabilities that own complaints and applications refuse to change a marked
record at the unit, without knowing about sync).

At a unit, a complaint or application the centre has since worked belongs to the centre: its
new state came down with a pull, and any change to it is made at the centre. At the centre
itself (and at any install that is not a unit) there are no marks, so nothing is refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base
from .errors import Conflict
from .timeutil import utcnow

# The message an officer at the unit sees, per table (English in the unit's gettext catalogue).
MESSAGES = {
    "complaints": "Pengaduan ini sudah ditangani pusat; perubahan dilakukan di pusat.",
    "applications": "Permohonan ini sudah ditangani pusat; perubahan dilakukan di pusat.",
}


class HandedOver(Base):
    """At the unit: a complaint or application of the unit's that the centre has since worked."""

    __tablename__ = "unit_handovers"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="", server_default="")  # tracking code, shown to staff
    state: Mapped[str] = mapped_column(String(64), default="", server_default="")  # its state at the centre
    handed_over_at: Mapped[datetime] = mapped_column(default=utcnow)


def is_handed_over(s: Session, table: str, record_id: uuid.UUID) -> bool:
    return s.scalar(select(HandedOver.record_id).where(HandedOver.table_name == table,
                                                       HandedOver.record_id == record_id)) is not None


def check_editable(s: Session, table: str, record_id: uuid.UUID, field: str | None = None) -> None:
    """Refuse (409 handed_over) a change at the unit to a record the centre took over."""
    if is_handed_over(s, table, record_id):
        raise Conflict("handed_over", MESSAGES[table], field)
