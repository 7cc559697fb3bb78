"""At the centre: applying a batch of rows a unit sent up, in one transaction.

Each row is written by primary key (insert, or update of the changed columns), so a batch sent
twice writes nothing the second time. Before writing, every row is checked: its table must be
unit-owned, its site the key's event (a child row through its parent), a ticket's status may
only move forwards from what the centre has, and a complaint or application the centre has
already worked (it has history rows the unit never made) is not changed by the unit any more.
A refused row is reported back with its reason and the rest applies.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from ..models import Base
from ..queueing.policy import Status
from ..timeutil import utcnow
from . import rules, writes
from .capture import HANDOVER, PARENTS, up_tables
from .models import ReceivedRecord
from .rows import decode_row

FORMAT = 1


@dataclass(frozen=True)
class Refusal:
    table: str
    id: str
    code: str
    reason: str


@dataclass
class Received:
    written: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"written": self.written, "unchanged": self.unchanged,
                "refused": [r.__dict__ for r in self.refused]}


REASONS = {
    "not_unit_owned": "Tabel ini milik pusat; unit tidak mengirimnya.",
    "other_site": "Baris ini bukan milik acara unit ini.",
    "unknown_columns": "Baris memuat kolom yang belum dikenal pusat; perbarui SatuPintu di pusat.",
    "status_backwards": "Status tiket di pusat sudah lebih maju; status dari unit tidak diterapkan.",
    "handed_over": "Pusat sudah menangani catatan ini; perubahan dari unit tidak diterapkan.",
}


def _row_id(table: Table, data: dict[str, Any]) -> str:
    return "/".join(str(data.get(c.name)) for c in table.primary_key.columns)


class _Checks:
    """What the centre has, read once per parent during one batch."""

    def __init__(self, conn: Connection, event_id: uuid.UUID, history: dict[str, dict[str, list[str]]]) -> None:
        self.conn, self.event_id, self.history = conn, event_id, history
        self._site: dict[tuple[str, uuid.UUID], bool] = {}
        self._taken: dict[tuple[str, uuid.UUID], bool] = {}

    def parent_is_events(self, parent_name: str, parent_id: uuid.UUID) -> bool:
        key = (parent_name, parent_id)
        if key not in self._site:
            parent = Base.metadata.tables[parent_name]
            site = self.conn.scalar(select(parent.c.site_id).where(parent.c.id == parent_id))
            self._site[key] = site == self.event_id
        return self._site[key]

    def taken_over(self, parent_name: str, parent_id: uuid.UUID) -> bool:
        key = (parent_name, parent_id)
        if key not in self._taken:
            child_name, column = HANDOVER[parent_name]
            child = Base.metadata.tables[child_name]
            centre = {str(i) for i in self.conn.scalars(select(child.c.id).where(child.c[column] == parent_id))}
            unit = set(self.history.get(parent_name, {}).get(str(parent_id), []))
            self._taken[key] = rules.handed_over(centre, unit)
        return self._taken[key]


def _refusal(table: Table, values: dict[str, Any], checks: _Checks,
             current: Mapping[writes.Key, Mapping[Any, Any]]) -> str | None:
    """Why the row may not be written, or None (`current`: what the centre has of the batch's
    rows of this table, by primary key)."""
    if "site_id" in table.c:
        if values.get("site_id") != checks.event_id:
            return "other_site"
    else:
        parent_name, column = PARENTS[table.name]
        parent_id = values.get(column)
        if not isinstance(parent_id, uuid.UUID) or not checks.parent_is_events(parent_name, parent_id):
            return "other_site"
    handover_parent = (table.name if table.name in HANDOVER
                       else PARENTS[table.name][0] if PARENTS.get(table.name, ("",))[0] in HANDOVER else None)
    if handover_parent is not None:
        if handover_parent == table.name:
            pid, exists = values["id"], (values["id"],) in current
        else:
            pid = values[PARENTS[table.name][1]]
            exists = checks.conn.scalar(select(Base.metadata.tables[handover_parent].c.id)
                                        .where(Base.metadata.tables[handover_parent].c.id == pid)) is not None
        if exists and checks.taken_over(handover_parent, pid):
            return "handed_over"
    if table.name == "tickets":
        have = current.get((values["id"],))
        if have is not None and not rules.ticket_status_may_move(Status(have["status"]), Status(values["status"])):
            return "status_backwards"
    return None


def apply_batch(conn: Connection, event_id: uuid.UUID, batch: dict[str, Any]) -> Received:
    """Write the batch's rows (the caller owns the one transaction); refused rows are reported."""
    done = Received()
    sent: dict[str, list[dict[str, Any]]] = batch.get("tables") or {}
    history = batch.get("history") or {}
    checks = _Checks(conn, event_id, history)
    known = {t.name for t in up_tables()}
    for name in sorted(set(sent) - known):
        for row in sent[name]:
            done.refused.append(Refusal(name, str(row.get("id", "?")), "not_unit_owned", REASONS["not_unit_owned"]))
    for table in up_tables():
        decoded: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for row in sent.get(table.name, []):
            try:
                decoded.append((row, decode_row(table, row)))
            except (KeyError, ValueError, TypeError):
                done.refused.append(Refusal(table.name, _row_id(table, row), "unknown_columns",
                                            REASONS["unknown_columns"]))
        if not decoded:
            continue
        current = writes.current_rows(conn, table, (values for _, values in decoded))
        accepted = []
        for row, values in decoded:
            code = _refusal(table, values, checks, current)
            if code is not None:
                done.refused.append(Refusal(table.name, _row_id(table, row), code, REASONS[code]))
            else:
                accepted.append(values)
        result = writes.write_rows(conn, table, accepted, current)
        for bucket, n in ((done.written, result.changed), (done.unchanged, result.unchanged)):
            if n:
                bucket[table.name] = n
        if table.name in HANDOVER:
            for values in accepted:
                _register(conn, table.name, values["id"], event_id)
    return done


def _register(conn: Connection, table_name: str, record_id: uuid.UUID, event_id: uuid.UUID) -> None:
    """Note that this complaint or application came up from the unit (once; replays change nothing)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    register = Base.metadata.tables[ReceivedRecord.__tablename__]
    conn.execute(insert(register).values(table_name=table_name, record_id=record_id, event_id=event_id,
                                         received_at=utcnow())
                 .on_conflict_do_nothing(index_elements=["table_name", "record_id"]))
