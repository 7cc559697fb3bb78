"""Writing synced rows by primary key, a table's rows at a time: both directions of sync (the
unit applying a bundle, the centre applying a unit's batch) write whole rows that may already be
there, and a replay must change nothing.

A table's rows are written with one read of what is already there (by primary key, in chunks),
one multi-row INSERT per shape of the new rows, and an UPDATE of only the changed columns for
each row that differs: a busy day's 12,000 rows are a few dozen statements instead of two per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, select, tuple_
from sqlalchemy.engine import Connection

Key = tuple[Any, ...]
CHUNK = 500  # primary keys per read (well under SQLite's and PostgreSQL's bound-parameter limits)


def key_of(table: Table, values: Mapping[Any, Any]) -> Key:
    return tuple(values[c.name] for c in table.primary_key.columns)


def current_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> dict[Key, Mapping[Any, Any]]:
    """What this database already has of these rows, by primary key."""
    keys = list(dict.fromkeys(key_of(table, v) for v in rows))
    columns = list(table.primary_key.columns)
    found: dict[Key, Mapping[Any, Any]] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        where = (columns[0].in_([k[0] for k in chunk]) if len(columns) == 1
                 else tuple_(*columns).in_(chunk))
        for row in conn.execute(select(table).where(where)):
            found[key_of(table, row._mapping)] = row._mapping
    return found


@dataclass(frozen=True)
class Written:
    changed: int  # inserted, or updated in at least one column
    unchanged: int  # already there as sent


def write_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
               current: Mapping[Key, Mapping[Any, Any]]) -> Written:
    """Insert the rows `current` lacks, update the changed columns of the others (in order; a row
    sent twice ends as its last copy)."""
    inserts: dict[Key, dict[str, Any]] = {}
    changed = unchanged = 0
    pk = {c.name for c in table.primary_key.columns}
    for values in rows:
        key = key_of(table, values)
        if key in inserts:  # sent twice in one batch: the later copy wins
            inserts[key] = dict(values)
            unchanged += 1
            continue
        have = current.get(key)
        if have is None:
            inserts[key] = dict(values)
            changed += 1
            continue
        diff = {k: v for k, v in values.items() if k not in pk and have[k] != v}
        if diff:
            conn.execute(table.update().where(and_(*(table.c[k] == values[k] for k in pk))).values(**diff))
            changed += 1
        else:
            unchanged += 1
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in inserts.values():  # one statement per set of columns (an older sender omits newer ones)
        shapes.setdefault(tuple(sorted(values)), []).append(values)
    for same in shapes.values():
        conn.execute(table.insert(), same)
    return Written(changed, unchanged)


def upsert(conn: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """One row by primary key; True when something changed."""
    return write_rows(conn, table, [values], current_rows(conn, table, [values])).changed > 0
