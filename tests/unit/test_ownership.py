"""Every table has one owner, and the README's ownership table says so (pure, no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import satupintu.models  # noqa: F401  every capability's tables on Base.metadata
from satupintu.db import Base
from satupintu.unit import ownership
from satupintu.unit.ownership import OWNERSHIP, Owner, unit_may_change
from satupintu.unit.rows import decode_row, encode_row

README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_new_table_cannot_be_added_without_saying_who_owns_it() -> None:
    """A developer adding a table without an entry sees its name here; a removed table too."""
    tables = set(Base.metadata.tables) | {"alembic_version"}
    assert sorted(tables - set(OWNERSHIP)) == []
    assert sorted(set(OWNERSHIP) - tables) == []


def test_the_readme_shows_the_ownership_table_as_the_code_has_it() -> None:
    assert ownership.ownership_table_markdown() in README.read_text(encoding="utf-8")


def test_every_record_the_unit_sends_up_has_a_name_staff_read() -> None:
    """The van's status page lists refused rows by kind ("Riwayat tiket"), never by table name."""
    assert sorted(set(ownership.tables_owned_by(Owner.unit)) ^ set(ownership.RECORD_NAMES)) == []
    assert ownership.record_name("ticket_events") == "Riwayat tiket"
    assert ownership.record_name("ticket_events", "en") == "Ticket history"


def test_the_unit_stops_changing_a_complaint_the_centre_took_over() -> None:
    assert unit_may_change("complaints", handed_over=False)
    assert not unit_may_change("complaints", handed_over=True)
    assert unit_may_change("tickets", handed_over=True)  # tickets are never handed over
    assert not unit_may_change("services", handed_over=False)  # the centre's
    assert not unit_may_change("no_such_table", handed_over=False)


def test_queue_rows_go_up_and_the_catalogue_comes_down() -> None:
    up, down = ownership.tables_owned_by(Owner.unit), ownership.tables_owned_by(Owner.centre)
    assert {"tickets", "ticket_events", "visits", "survey_responses", "complaints", "applications"} <= set(up)
    assert {"sites", "services", "counters", "users", "device_tokens"} <= set(down)
    assert not set(up) & set(down)


_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(st.builds(
    dict,
    id=st.uuids(version=4),
    site_id=st.uuids(version=4),
    local_date=st.dates(min_value=date(2000, 1, 1)),
    issued_at=_moments,
    is_priority=st.booleans(),
    called_at=st.none() | _moments,
    number=st.text(max_size=8),
    seq=st.integers(min_value=1, max_value=9999),
    recall_count=st.integers(min_value=0, max_value=9),
    note=st.text(max_size=20),
))
def test_a_ticket_row_survives_json_and_back(values: dict[str, object]) -> None:
    """Any ticket row read at the van is written at the centre with the same values."""
    table = Base.metadata.tables["tickets"]
    row = {c.name: None for c in table.c} | {k: v for k, v in values.items() if k in table.c}
    assert decode_row(table, encode_row(table, row)) == row


def test_times_enums_and_bytes_survive_json_and_back() -> None:
    hours = Base.metadata.tables["site_opening_hours"]
    row = {c.name: None for c in hours.c} | {"id": uuid.uuid4(), "opens": time(8, 0), "closes": time(15, 30)}
    assert decode_row(hours, encode_row(hours, row)) == row
    users = Base.metadata.tables["users"]
    from satupintu.roles import Role

    row = {c.name: None for c in users.c} | {"id": uuid.uuid4(), "role": Role.counter_officer}
    sent = encode_row(users, row)
    assert sent["role"] == "counter_officer" and decode_row(users, sent)["role"] is Role.counter_officer
    clips = Base.metadata.tables["voice_clips"]
    binary = next(c.name for c in clips.c if c.type.python_type is bytes)
    row = {c.name: None for c in clips.c} | {binary: b"\x00RIFF\xff"}
    assert decode_row(clips, encode_row(clips, row))[binary] == b"\x00RIFF\xff"
