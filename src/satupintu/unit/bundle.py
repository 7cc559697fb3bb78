"""Down: what a unit needs from the centre for one event, as one JSON bundle, and applying it.

The centre reads every centre-owned table (ownership.py) in the event's scope; the unit writes
the rows by primary key (insert or update), in the tables' foreign-key order, in one
transaction: a bundle applies whole or not at all, and applying it again changes nothing.
Links that the centre removed (a service no longer offered, a counter's service, an officer's
assignment) are removed at the unit too; entities are never deleted (the centre deactivates
users and revokes devices, and those changes come down like any other).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, delete, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from .. import __version__
from ..db import Base
from ..roles import Role
from . import writes
from .ownership import OWNERSHIP, Owner
from .rows import JsonRow, decode_row, encode_row, encode_value, primary_key

FORMAT = 1
# Link tables: a row the centre no longer has is removed at the unit.
_LINKS = ("site_offerings", "counter_services", "staff_assignments")


class BundleRefused(Exception):
    """The bundle cannot be applied here; the message says why and what to install."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class EventScope:
    event_id: uuid.UUID
    mall_id: uuid.UUID


@dataclass
class Applied:
    """What applying a bundle did, per table: rows written (new or changed), links removed."""

    written: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.written.values()) + sum(self.removed.values())


def _t(name: str) -> Table:
    return Base.metadata.tables[name]


def down_tables() -> list[Table]:
    """The centre-owned tables, parents before children."""
    wanted = {name for name, o in OWNERSHIP.items() if o.owner is Owner.centre}
    return [t for t in Base.metadata.sorted_tables if t.name in wanted]


def _scope_filter(table: Table, scope: EventScope) -> ColumnElement[bool]:
    """Which rows of a centre-owned table the event's unit gets."""
    event, mall = scope.event_id, scope.mall_id
    offered = select(_t("site_offerings").c.service_id).where(_t("site_offerings").c.site_id == event)
    counters = select(_t("counters").c.id).where(_t("counters").c.site_id == event)
    assigned = select(_t("staff_assignments").c.officer_id).where(_t("staff_assignments").c.site_id == event)
    officer_users = select(_t("staff_officers").c.user_id).where(_t("staff_officers").c.id.in_(assigned))
    c = table.c
    match table.name:
        case "sites":
            return c.id.in_([event, mall])
        case "agencies":
            return c.site_id == mall
        case "services":
            return c.id.in_(offered)
        case "service_workflows" | "queue_settings" | "booking_slots":
            return c.service_id.in_(offered)
        case "counter_services":
            return c.counter_id.in_(counters)
        case "staff_officers":
            return c.id.in_(assigned)
        case "users":
            # The event's own accounts, the mall's managers (they run its events) and the
            # accounts of the officers assigned to the event; no other officer of the mall.
            return or_(c.site_id == event, and_(c.site_id == mall, c.role == Role.site_manager),
                       c.id.in_(officer_users))
    if "site_id" in c:
        return c.site_id == event
    raise KeyError(f"no event scope for table {table.name}")


def build(conn: Connection, scope: EventScope, schema: str | None) -> dict[str, Any]:
    """The bundle for the event: every centre-owned row in its scope, by table."""
    tables: dict[str, list[JsonRow]] = {}
    for table in down_tables():
        order: list[Any] = list(table.primary_key.columns)
        if table.name == "sites":  # the mall before its event (the event points at it)
            order.insert(0, table.c.parent_site_id.is_not(None))
        rows = conn.execute(select(table).where(_scope_filter(table, scope)).order_by(*order))
        tables[table.name] = [encode_row(table, row) for row in rows]
    return {"format": FORMAT, "release": __version__, "schema": schema,
            "event_id": str(scope.event_id), "mall_id": str(scope.mall_id), "tables": tables}


def check_compatible(bundle: dict[str, Any], schema: str | None) -> None:
    """Refuse a bundle this install cannot apply whole, naming the release to install."""
    if not isinstance(bundle, dict) or not isinstance(bundle.get("tables"), dict):
        raise BundleRefused("bundle_invalid", "Paket data dari pusat tidak dapat dibaca.")
    fmt = bundle.get("format")
    if fmt != FORMAT:
        raise BundleRefused("version_mismatch", (
            f"Paket data dari pusat berformat {fmt}, unit ini membaca format {FORMAT}. "
            f"Pasang SatuPintu versi {bundle.get('release', '?')} di unit ini, lalu sinkronkan lagi."))
    unknown = sorted(set(bundle["tables"]) - {t.name for t in down_tables()})
    if unknown:
        raise BundleRefused("version_mismatch", (
            f"Pusat mengirim tabel yang belum dikenal unit ini ({', '.join(unknown)}). "
            f"Pasang SatuPintu versi {bundle.get('release', '?')} di unit ini, lalu sinkronkan lagi."))
    del schema  # same format and tables: an older or newer schema still applies column by column


def apply(conn: Connection, bundle: dict[str, Any], schema: str | None) -> Applied:
    """Write the bundle into this install's database (the caller owns the transaction)."""
    check_compatible(bundle, schema)
    scope = EventScope(uuid.UUID(bundle["event_id"]), uuid.UUID(bundle["mall_id"]))
    done = Applied()
    for table in down_tables():
        rows = bundle["tables"].get(table.name)
        if rows is None:
            continue  # an older centre does not send this table: the unit keeps what it has
        try:
            decoded = [decode_row(table, row) for row in rows]
        except KeyError as exc:
            raise BundleRefused("version_mismatch", (
                f"Pusat mengirim data yang belum dikenal unit ini ({exc.args[0]}). Pasang SatuPintu "
                f"versi {bundle.get('release', '?')} di unit ini, lalu sinkronkan lagi.")) from exc
        written = writes.write_rows(conn, table, decoded, writes.current_rows(conn, table, decoded)).changed
        if written:
            done.written[table.name] = written
        if table.name in _LINKS:
            sent = {primary_key(table, row) for row in rows}
            have = conn.execute(select(*table.primary_key.columns).where(_scope_filter(table, scope))).all()
            gone = [key for key in have if tuple(encode_value(k) for k in key) not in sent]
            for key in gone:
                conn.execute(delete(table).where(and_(
                    *(col == value for col, value in zip(table.primary_key.columns, key, strict=True)))))
            if gone:
                done.removed[table.name] = len(gone)
    return done
