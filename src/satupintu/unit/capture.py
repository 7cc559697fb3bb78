"""At the unit: what changed since the centre last acknowledged, as batches of rows to push up.

SQLite triggers (made when the install enrols, so a centre never has them) append one row to
`unit_changes` for every insert or update of a unit-owned table, whatever wrote it (ORM or
Core). A push reads the changes after the link's cursor, keeps each row once, reads its current
values, and sends the rows of the event's site in foreign-key order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..models import Base
from .ownership import OWNERSHIP, Owner
from .rows import JsonRow, decode_value, encode_row

BATCH = 500
BATCH_BYTES = 4 * 1024 * 1024  # attachments travel in their rows: keep a batch well under the 12 MB body limit
# Child tables without a site: their parent's table and the column that points at it.
PARENTS = {"ticket_events": ("tickets", "ticket_id"), "complaint_events": ("complaints", "complaint_id"),
           "complaint_attachments": ("complaints", "complaint_id"),
           "application_events": ("applications", "application_id"),
           "application_documents": ("applications", "application_id")}
# The records the centre may take over, and their history tables (whose rows show it worked them).
HANDOVER = {"complaints": ("complaint_events", "complaint_id"),
            "applications": ("application_events", "application_id")}


def up_tables() -> list[Table]:
    """The unit-owned tables, parents before children."""
    wanted = {name for name, o in OWNERSHIP.items() if o.owner is Owner.unit}
    return [t for t in Base.metadata.sorted_tables if t.name in wanted]


def _trigger_sql(table: Table) -> list[str]:
    keys = ", ".join(f"'{c.name}', NEW.{c.name}" for c in table.primary_key.columns)
    return [f"CREATE TRIGGER IF NOT EXISTS unit_capture_{table.name}_{op.lower()} AFTER {op} ON {table.name} "
            f"BEGIN INSERT INTO unit_changes (table_name, row_pk) VALUES ('{table.name}', json_object({keys})); END"
            for op in ("INSERT", "UPDATE")]


def install_triggers(conn: Connection) -> int:
    """Make the change-capture triggers (SQLite only: a unit runs on the embedded database)."""
    if conn.dialect.name != "sqlite":
        raise RuntimeError("a mobile service unit runs on SQLite")
    made = 0
    for table in up_tables():
        for statement in _trigger_sql(table):
            conn.execute(text(statement))
            made += 1
    return made


def _changes() -> Table:
    return Base.metadata.tables["unit_changes"]


def head(conn: Connection) -> int:
    """The newest change's number (0 when nothing was recorded)."""
    return int(conn.scalar(select(func.coalesce(func.max(_changes().c.seq), 0))) or 0)


def backlog(conn: Connection, after: int) -> int:
    """How many rows wait to be pushed: distinct rows changed after the cursor."""
    ch = _changes()
    inner = select(ch.c.table_name, ch.c.row_pk).where(ch.c.seq > after).distinct().subquery()
    return int(conn.scalar(select(func.count()).select_from(inner)) or 0)


def _site_filter(table: Table, event_id: uuid.UUID) -> ColumnElement[bool]:
    if "site_id" in table.c:
        return table.c.site_id == event_id
    parent_name, column = PARENTS[table.name]
    parent = Base.metadata.tables[parent_name]
    return table.c[column].in_(select(parent.c.id).where(parent.c.site_id == event_id))


def changed_rows(conn: Connection, event_id: uuid.UUID, after: int, upto: int) -> Iterator[tuple[str, JsonRow]]:
    """The current values of every event row changed in (after, upto], each once, parents first
    (within a table by primary key: ids are time-ordered, so a referred ticket follows its first)."""
    ch = _changes()
    for table in up_tables():
        keys = conn.scalars(select(ch.c.row_pk).where(ch.c.table_name == table.name, ch.c.seq > after,
                                                     ch.c.seq <= upto).distinct()).all()
        if not keys:
            continue
        columns = list(table.primary_key.columns)
        wanted = [tuple(decode_value(c.type, json.loads(k)[c.name]) for c in columns) for k in keys]
        found: list[Any] = []
        if len(columns) == 1:
            for start in range(0, len(wanted), 500):
                chunk = [k[0] for k in wanted[start:start + 500]]
                found += conn.execute(select(table).where(columns[0].in_(chunk), _site_filter(table, event_id))).all()
        else:
            for key in wanted:
                found += conn.execute(select(table).where(
                    *(c == v for c, v in zip(columns, key, strict=True)), _site_filter(table, event_id))).all()
        taken = _handed_over(conn, table)
        if taken:  # the centre owns these now: the unit sends them no more
            owner_col = "id" if table.name in HANDOVER else PARENTS[table.name][1]
            found = [row for row in found if row._mapping[owner_col] not in taken]
        found.sort(key=lambda row: tuple(str(row._mapping[c.name]) for c in columns))
        for row in found:
            yield table.name, encode_row(table, row)


def _handed_over(conn: Connection, table: Table) -> set[Any]:
    """The ids of the records the centre took over that this table's rows belong to."""
    parent = table.name if table.name in HANDOVER else PARENTS.get(table.name, ("",))[0]
    if parent not in HANDOVER:
        return set()
    marks = Base.metadata.tables["unit_handovers"]
    return set(conn.scalars(select(marks.c.record_id).where(marks.c.table_name == parent)))


@dataclass
class Batch:
    tables: dict[str, list[JsonRow]] = field(default_factory=dict)
    size: int = 0


def batches(rows: Iterator[tuple[str, JsonRow]], size: int = BATCH,
            max_bytes: int = BATCH_BYTES) -> Iterator[Batch]:
    """The rows in batches of at most `size` rows and about `max_bytes` of JSON, keeping their
    order (parents before children); a single bigger row travels alone."""
    batch, held = Batch(), 0
    for name, row in rows:
        weight = len(as_json(row))
        if batch.size and held + weight > max_bytes:
            yield batch
            batch, held = Batch(), 0
        batch.tables.setdefault(name, []).append(row)
        batch.size += 1
        held += weight
        if batch.size >= size:
            yield batch
            batch, held = Batch(), 0
    if batch.size:
        yield batch


def known_history(conn: Connection, batch: Batch) -> dict[str, dict[str, list[str]]]:
    """For each complaint or application the batch touches, the ids of the history rows the unit
    has for it: the centre treats any other history row as its own work (hand-over)."""
    out: dict[str, dict[str, list[str]]] = {}
    for parent_name, (child_name, column) in HANDOVER.items():
        ids = {row["id"] for row in batch.tables.get(parent_name, [])}
        for name, (parent, col) in PARENTS.items():
            if parent == parent_name:
                ids |= {row[col] for row in batch.tables.get(name, [])}
        if not ids:
            continue
        child = Base.metadata.tables[child_name]
        known: dict[str, list[str]] = {i: [] for i in sorted(ids)}
        query = select(child.c[column], child.c.id).where(child.c[column].in_([uuid.UUID(i) for i in ids]))
        for parent_id, child_id in conn.execute(query):
            known[str(parent_id)].append(str(child_id))
        out[parent_name] = known
    return out


def payload(conn: Connection, batch: Batch, release: str) -> dict[str, Any]:
    return {"format": 1, "release": release, "tables": batch.tables, "history": known_history(conn, batch)}


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))
