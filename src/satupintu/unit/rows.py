"""A table row as JSON and back, by the column's type (pure: no I/O).

Sync moves rows between a centre on PostgreSQL and a unit on SQLite. Rows are read and written
with SQLAlchemy Core on both sides, so each backend's own storage (UTC timestamps, encrypted
columns, JSON) is handled by the column types; between them a row is plain JSON: ids, dates
and times as ISO text, bytes as base64, enum members by name.
"""

from __future__ import annotations

import base64
import enum
import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Date, Enum, LargeBinary, Table, Time, TypeDecorator, Uuid
from sqlalchemy.types import TypeEngine

JsonRow = dict[str, Any]


def encode_value(value: Any) -> Any:
    """One column's value as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, enum.Enum):  # a str-valued enum is a str too: send its name
            return value.name
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict | list):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} value")


def _base_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """The storage type under a TypeDecorator (UTCDateTime is a DateTime, EncryptedText a Text)."""
    if isinstance(type_, TypeDecorator):
        impl = type_.impl
        return impl if isinstance(impl, TypeEngine) else impl()
    return type_


def decode_value(type_: TypeEngine[Any], value: Any) -> Any:
    """One column's JSON value as the Python value its type binds."""
    if value is None:
        return None
    base = _base_type(type_)
    if isinstance(base, JSON):
        return value
    if isinstance(base, Uuid):
        return uuid.UUID(str(value))
    if isinstance(base, Enum):
        enum_class = base.enum_class
        if enum_class is not None:
            return enum_class[value] if value in enum_class.__members__ else enum_class(value)
        return value
    if isinstance(base, LargeBinary):
        return base64.b64decode(value)
    if isinstance(base, Time):
        return time.fromisoformat(value)
    if isinstance(base, Date) and not _is_datetime(base):
        return date.fromisoformat(value)
    if _is_datetime(base):
        return datetime.fromisoformat(value)
    return value


def _is_datetime(base: TypeEngine[Any]) -> bool:
    from sqlalchemy import DateTime

    return isinstance(base, DateTime)


def encode_row(table: Table, row: Any) -> JsonRow:
    """A row read from `table` (a Core Row or mapping) as JSON, every column by name."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    return {c.name: encode_value(mapping[c.name]) for c in table.c}


def decode_row(table: Table, data: JsonRow) -> JsonRow:
    """A JSON row as the values to write into `table`. A column the sender does not know (an
    older release) is left out, so the column's default applies; a column this side does not
    know (a newer sender) is refused, since dropping it would lose data."""
    unknown = sorted(set(data) - set(table.c.keys()))
    if unknown:
        raise KeyError(f"{table.name}: unknown columns {', '.join(unknown)}")
    return {name: decode_value(table.c[name].type, value) for name, value in data.items()}


def primary_key(table: Table, data: JsonRow) -> tuple[Any, ...]:
    """The row's primary key values, as sent (to compare rows between the two sides)."""
    return tuple(data[c.name] for c in table.primary_key.columns)
