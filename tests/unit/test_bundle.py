"""Down sync: the unit gets from the centre exactly the event's centre-owned rows, whole, and
applying the same bundle again changes nothing (centre on SQLite and PostgreSQL, unit on SQLite)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from satupintu import __version__
from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.errors import DomainError, Forbidden
from satupintu.migrate import upgrade
from satupintu.models import Base
from satupintu.roles import Role
from satupintu.scope import SYSTEM, Actor
from satupintu.staffing import service as staffing
from satupintu.unit import bundle as bundles
from satupintu.unit import service as unit
from satupintu.unit.rows import encode_row

EVENT = "plaza-lematang"


@pytest.fixture
def unit_db(tmp_path: Path) -> Iterator[Database]:
    """The van's laptop: an empty migrated SQLite file."""
    url = f"sqlite:///{tmp_path / 'unit.db'}"
    upgrade(url)
    db = Database(url)
    yield db
    db.dispose()


def _rows(db: Database, table: str, where: str = "") -> list[dict[str, object]]:
    t = Base.metadata.tables[table]
    with db.read() as s:
        query = select(t)
        if where:
            query = query.where(text(where))
        return sorted((encode_row(t, r) for r in s.connection().execute(query)), key=json.dumps)


def _pull(centre: Database, unit_db: Database) -> unit.Applied:
    # Over the wire the bundle is JSON text: make sure it is.
    bundle = json.loads(json.dumps(unit.event_bundle(centre, SYSTEM, EVENT)))
    return unit.apply_bundle(unit_db, SYSTEM, bundle)


def test_the_unit_gets_every_row_of_the_event_equal_field_by_field(bare_demo_db: Database, unit_db: Database) -> None:
    """After the first pull the van's laptop has the event, its mall, the services it offers, its
    counters, its officers' accounts and devices, exactly as the centre has them."""
    done = _pull(bare_demo_db, unit_db)
    bundle = unit.event_bundle(bare_demo_db, SYSTEM, EVENT)
    assert done.written.get("counters") == 6 and done.written.get("site_offerings") == 10
    for table in bundles.down_tables():
        sent = sorted(bundle["tables"][table.name], key=json.dumps)
        assert _rows(unit_db, table.name) == sent, table.name
    event = catalogue.get_site(unit_db, EVENT)
    assert event.parent_site == "lahat" and len(catalogue.list_counters(unit_db, EVENT)) == 6
    # The mall's manager can sign in at the van (same password hash); officers come with
    # their assignment (next test).
    assert {u["username"] for u in _rows(unit_db, "users")} == {"pengelola"}
    # Only the event's: no other site's counters, and none of the mall's tickets.
    assert {r["site_id"] for r in _rows(unit_db, "counters")} == {str(event.id)}
    assert _rows(unit_db, "tickets") == []


def test_an_officer_assigned_to_the_event_comes_down_with_the_login_linked_to_him(
        bare_demo_db: Database, unit_db: Database) -> None:
    """Linking petugas.dukcapil to a Dukcapil officer assigned at the event (not Eko, who works at
    the mall) brings that account to the van; petugas.dpmptsp, not assigned there, stays."""
    roster = staffing.event_roster(bare_demo_db, SYSTEM, EVENT)
    assigned = {a.officer_id for a in roster.assignments}
    officer = next(o for o in roster.officers if o.agency == "DUKCAPIL" and o.id in assigned)
    login = next(u for u in accounts.list_users(bare_demo_db, SYSTEM, "lahat") if u.username == "petugas.dukcapil")
    staffing.link_login(bare_demo_db, SYSTEM, "lahat", login.id, None)  # the demo links it to Eko, at the mall
    staffing.link_login(bare_demo_db, SYSTEM, "lahat", login.id, officer.id)
    _pull(bare_demo_db, unit_db)
    came = {u["username"]: u for u in _rows(unit_db, "users")}
    assert set(came) == {"pengelola", "petugas.dukcapil"}
    assert came["petugas.dukcapil"]["password_hash"].startswith("$argon2")
    officers = _rows(unit_db, "staff_officers")
    assert officer.id in {uuid.UUID(str(o["id"])) for o in officers}
    assert {uuid.UUID(str(o["id"])) for o in officers} == assigned


def test_a_second_pull_changes_nothing_and_a_later_change_comes_down(bare_demo_db: Database,
                                                                    unit_db: Database) -> None:
    """Replaying the bundle writes no row; a counter renamed and a service withdrawn from the
    event at the centre reach the van at its next pull, and nothing else moves."""
    _pull(bare_demo_db, unit_db)
    again = _pull(bare_demo_db, unit_db)
    assert again.total == 0
    counters = Base.metadata.tables["counters"]
    offerings = Base.metadata.tables["site_offerings"]
    event_id = catalogue.get_site(bare_demo_db, EVENT).id
    with bare_demo_db.write() as s:
        conn = s.connection()
        conn.execute(counters.update().where(counters.c.site_id == event_id, counters.c.number == 1)
                     .values(name="Loket Keliling A"))
        one = conn.execute(select(offerings.c.service_id).where(offerings.c.site_id == event_id)).scalars().first()
        conn.execute(offerings.delete().where(offerings.c.site_id == event_id, offerings.c.service_id == one))
    later = _pull(bare_demo_db, unit_db)
    assert later.written == {"counters": 1} and later.removed == {"site_offerings": 1}
    names = {c.number: c.name for c in catalogue.list_counters(unit_db, EVENT)}
    assert names[1] == "Loket Keliling A"


def test_a_bundle_from_a_newer_release_is_refused_naming_the_version_and_nothing_is_written(
        bare_demo_db: Database, unit_db: Database) -> None:
    """A centre a release ahead sends a column the van does not know: the van refuses the whole
    bundle with a message naming the version to install, and keeps what it had."""
    _pull(bare_demo_db, unit_db)
    bundle = json.loads(json.dumps(unit.event_bundle(bare_demo_db, SYSTEM, EVENT)))
    bundle["release"] = "0.2.0"
    bundle["tables"]["counters"][0]["name"] = "Tidak boleh tertulis"
    bundle["tables"]["services"][0]["new_column"] = 1
    before = _rows(unit_db, "counters")
    with pytest.raises(DomainError) as refused:
        unit.apply_bundle(unit_db, SYSTEM, bundle)
    assert refused.value.code == "version_mismatch" and "versi 0.2.0" in refused.value.message
    assert refused.value.field == "bundle"
    assert _rows(unit_db, "counters") == before
    bundle = json.loads(json.dumps(unit.event_bundle(bare_demo_db, SYSTEM, EVENT)))
    bundle["format"] = 2
    with pytest.raises(DomainError, match="format 2"):
        unit.apply_bundle(unit_db, SYSTEM, bundle)


def test_only_the_events_or_malls_manager_gets_the_bundle(bare_demo_db: Database) -> None:
    """An officer, or another mall's manager, is refused; the mall's own bundle (not an event) is
    refused naming the site."""
    officer = Actor(user_id=uuid.uuid4(), username="petugas", role=Role.counter_officer,
                    site_id=catalogue.get_site(bare_demo_db, "lahat").id)
    with pytest.raises(Forbidden):
        unit.event_bundle(bare_demo_db, officer, EVENT)
    with pytest.raises(DomainError) as not_event:
        unit.event_bundle(bare_demo_db, SYSTEM, "lahat")
    assert not_event.value.field == "site"
    assert __version__  # the bundle names the release it came from
    assert unit.event_bundle(bare_demo_db, SYSTEM, EVENT)["release"] == __version__
