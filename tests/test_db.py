"""The unit of work publishes what a use case queued only after its transaction committed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from satupintu.db import Database, on_commit


class RecordingBus:
    """Stands in for the event bus's publishing side; records what reached it and when."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.published: list[tuple[str, dict[str, Any], int]] = []

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        # What a subscriber would reload from: the committed row count at delivery time.
        with self.db.read() as s:
            seen = s.execute(text("SELECT count(*) FROM probe")).scalar_one()
        self.published.append((channel, event, seen))


@pytest.fixture
def db(empty_db: Database) -> Database:
    with empty_db.write() as s:
        s.execute(text("CREATE TABLE probe (n INTEGER)"))
    return empty_db


def test_a_board_hears_of_a_change_only_once_it_is_committed_and_visible(db: Database) -> None:
    bus = RecordingBus(db)
    db.bus = bus  # type: ignore[assignment]
    with db.write() as s:
        s.execute(text("INSERT INTO probe VALUES (1)"))
        on_commit(s, "site:1", {"type": "ticket.issued"})
        assert bus.published == []  # nothing leaves before the commit
    assert bus.published == [("site:1", {"type": "ticket.issued"}, 1)]


def test_a_change_that_rolled_back_is_never_announced(db: Database) -> None:
    bus = RecordingBus(db)
    db.bus = bus  # type: ignore[assignment]
    with pytest.raises(RuntimeError), db.write() as s:
        s.execute(text("INSERT INTO probe VALUES (1)"))
        on_commit(s, "site:1", {"type": "ticket.issued"})
        raise RuntimeError("the use case failed half-way")
    assert bus.published == []
    with db.write() as s:  # the next unit of work does not inherit the dropped events
        on_commit(s, "site:1", {"type": "counter.opened"})
    assert [e for _, e, _ in bus.published] == [{"type": "counter.opened"}]


def test_events_go_out_in_the_order_the_use_case_queued_them(db: Database) -> None:
    bus = RecordingBus(db)
    db.bus = bus  # type: ignore[assignment]
    with db.write() as s:
        for n in range(3):
            on_commit(s, f"site:{n}", {"n": n})
    assert [(c, e["n"]) for c, e, _ in bus.published] == [("site:0", 0), ("site:1", 1), ("site:2", 2)]


def test_without_a_bus_committed_work_is_kept_and_nothing_fails(db: Database) -> None:
    db.bus = None
    with db.write() as s:
        s.execute(text("INSERT INTO probe VALUES (1)"))
        on_commit(s, "site:1", {"type": "ticket.issued"})
    db.publish("site:1", {"type": "ticket.called"})
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM probe")).scalar_one() == 1
