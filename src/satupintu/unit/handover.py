"""Hand-over, down: the centre's complaints and applications of the event travel in the bundle
with their history; the unit takes the centre's state of every record it has that the centre
has worked (rules.handed_over: the centre holds history rows the unit never made), marks it as
handed over, and from then on refuses to change it and no longer pushes it. The rows the centre
refuses at a push are kept at the unit too, with their reason, for the status page.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from ..handovers import HandedOver
from ..ids import new_id
from ..models import Base
from . import rules
from .bundle import BundleRefused
from .capture import HANDOVER
from .models import ReceivedRecord, RefusedRecord
from .rows import JsonRow, decode_row, encode_row
from .writes import upsert

LABELS = {"complaints": "tracking_code", "applications": "tracking_number"}


def _t(name: str) -> Table:
    return Base.metadata.tables[name]


def section(conn: Connection, event_id: uuid.UUID) -> dict[str, dict[str, list[JsonRow]]]:
    """At the centre: the event's complaints and applications that came from the unit, with their
    history, for the bundle."""
    out: dict[str, dict[str, list[JsonRow]]] = {}
    for parent_name, (child_name, column) in HANDOVER.items():
        parent, child = _t(parent_name), _t(child_name)
        # Only the records that came up from the unit: the contact details of a complaint or
        # application filed at the centre never travel to the van.
        received = _t(ReceivedRecord.__tablename__)
        ids = (select(parent.c.id).join(received, (received.c.table_name == parent_name)
                                        & (received.c.record_id == parent.c.id))
               .where(parent.c.site_id == event_id, received.c.event_id == event_id))
        out[parent_name] = {
            "rows": [encode_row(parent, r) for r in conn.execute(select(parent).where(parent.c.id.in_(ids))
                                                                 .order_by(parent.c.id))],
            "history": [encode_row(child, r) for r in conn.execute(select(child).where(child.c[column].in_(ids))
                                                                   .order_by(child.c.id))]}
    return out


def apply(conn: Connection, sent: dict[str, Any] | None) -> dict[str, int]:
    """At the unit: take over the centre's state of the records it has worked; returns how many
    records of each table changed. An older centre sends no section: nothing changes."""
    done: dict[str, int] = {}
    marks = _t(HandedOver.__tablename__)
    for parent_name, (child_name, column) in HANDOVER.items():
        data = (sent or {}).get(parent_name)
        if not isinstance(data, dict):
            continue
        parent, child = _t(parent_name), _t(child_name)
        try:
            records = [decode_row(parent, row) for row in data.get("rows", [])]
            history: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
            for row in data.get("history", []):
                values = decode_row(child, row)
                history[values[column]].append(values)
        except KeyError as exc:
            raise BundleRefused("version_mismatch", (
                f"Pusat mengirim data yang belum dikenal unit ini ({exc.args[0]}). Pasang SatuPintu versi "
                "pusat di unit ini, lalu sinkronkan lagi.")) from exc
        marked = set(conn.scalars(select(marks.c.record_id).where(marks.c.table_name == parent_name)))
        for values in records:
            rid = values["id"]
            if conn.scalar(select(parent.c.id).where(parent.c.id == rid)) is None:
                continue  # not one of the unit's records
            unit_ids = {str(i) for i in conn.scalars(select(child.c.id).where(child.c[column] == rid))}
            centre_ids = {str(h["id"]) for h in history[rid]}
            if rid not in marked and not rules.handed_over(centre_ids, unit_ids):
                continue  # still the unit's
            changed = upsert(conn, parent, values)
            changed = sum(upsert(conn, child, h) for h in history[rid]) > 0 or changed
            label, state = str(values.get(LABELS[parent_name]) or ""), str(values.get("state") or "")
            if rid not in marked:
                conn.execute(marks.insert().values(table_name=parent_name, record_id=rid, label=label, state=state))
                changed = True
            elif changed:
                conn.execute(marks.update().where(marks.c.table_name == parent_name, marks.c.record_id == rid)
                             .values(state=state))
            if changed:
                done[parent_name] = done.get(parent_name, 0) + 1
    return done


def handed_over_ids(conn: Connection, table: str) -> set[uuid.UUID]:
    """The records of a hand-over table the centre owns now (empty at the centre itself)."""
    marks = _t(HandedOver.__tablename__)
    return set(conn.scalars(select(marks.c.record_id).where(marks.c.table_name == table)))


def keep_refusals(conn: Connection, refused: Iterable[tuple[str, str, str, str]]) -> int:
    """Keep the rows the centre refused (table, id, code, reason), once each (a row refused again
    keeps its first entry)."""
    table = _t(RefusedRecord.__tablename__)
    kept = 0
    for name, row_id, code, reason in refused:
        seen = conn.scalar(select(table.c.id).where(table.c.table_name == name, table.c.row_id == row_id,
                                                    table.c.code == code))
        if seen is None:
            conn.execute(table.insert().values(id=new_id(), table_name=name, row_id=row_id, code=code,
                                               reason=reason))
            kept += 1
    return kept
