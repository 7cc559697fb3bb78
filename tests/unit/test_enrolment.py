"""Enrolment over real HTTP: the manager makes a code at the centre, the van's laptop trades it
for its own key with `satupintu unit enrol`, pulls the event, and records what went wrong when
the centre cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.errors import DomainError
from satupintu.migrate import upgrade
from satupintu.unit import link
from satupintu.unit.models import EnrolmentCode
from tests.conftest import LiveServer, free_port, token_for

EVENT = "plaza-lematang"
CONTACT = {"contact_name": "Rina (sopir unit)", "contact_email": "rina@lahatkab.go.id"}


@pytest.fixture
def van(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    db = Database(url)
    yield db
    db.dispose()


def _code(live: LiveServer) -> str:
    with live.client() as c:
        r = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "pengelola"), json=CONTACT)
        assert r.status_code == 201, r.text
        return str(r.json()["code"])


def test_the_van_enrols_with_a_code_and_has_its_event(bare_server: LiveServer, van: Database) -> None:
    """One code, one laptop: the van gets its key and the event's six counters; the same code
    again is refused by name; the manager sees the laptop on the centre's list."""
    code = _code(bare_server)
    assert len(code) == 9 and code[4] == "-"
    found, applied = link.enrol(van, bare_server.url, code.lower().replace("-", " "), "Laptop Van 1")
    assert found.event_code == EVENT and found.last_pull_at is not None and found.last_error is None
    assert applied.written["counters"] == 6 and len(catalogue.list_counters(van, EVENT)) == 6
    # A second pull with nothing changed at the centre writes nothing.
    assert link.pull(van).total == 0
    # The same code from a second laptop: refused, naming the field.
    with bare_server.client() as c:
        again = c.post("/api/v1/unit/enrol", json={"code": code, "unit_name": "Laptop lain"})
        assert again.status_code == 422 and again.json()["error"]["field"] == "code"
        clients = c.get(f"/api/v1/sites/{EVENT}/clients", headers=token_for(c, "pengelola")).json()
    assert [x["name"] for x in clients if x["name"].startswith("Unit keliling: Laptop Van 1")]


def test_an_expired_code_is_refused_and_a_missing_contact_is_named(bare_server: LiveServer, van: Database) -> None:
    code = _code(bare_server)
    db: Database = bare_server.app.state.db
    with db.write() as s:
        s.execute(update(EnrolmentCode).values(expires_at=EnrolmentCode.created_at))
    with pytest.raises(DomainError) as refused:
        link.enrol(van, bare_server.url, code, "Laptop Van 1")
    assert refused.value.field == "code" and "kedaluwarsa" in refused.value.message
    assert link.status(van) is None  # nothing kept
    with bare_server.client() as c:
        r = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "pengelola"),
                   json={"contact_name": "Rina", "contact_email": "bukan-surel"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "contact_email"
        mall = c.post("/api/v1/sites/lahat/unit/codes", headers=token_for(c, "pengelola"), json=CONTACT)
        assert mall.status_code == 422 and mall.json()["error"]["field"] == "site"
        officer = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "petugas.dukcapil"), json=CONTACT)
        assert officer.status_code == 403


def test_a_pull_while_the_centre_is_away_is_recorded_and_changes_nothing(bare_server: LiveServer,
                                                                        van: Database) -> None:
    """The link drops: the van keeps working with what it has, and its status says why the
    last sync failed; when the centre is back, the next pull clears the error."""
    link.enrol(van, bare_server.url, _code(bare_server), "Laptop Van 1")
    with van.write() as s:
        from satupintu.unit.models import CentreLink

        s.execute(update(CentreLink).values(centre_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(DomainError) as away:
        link.pull(van)
    assert away.value.code == "centre_unreachable"
    st = link.status(van)
    assert st is not None and st.last_error and "tidak dapat dihubungi" in st.last_error
    assert len(catalogue.list_counters(van, EVENT)) == 6
    with van.write() as s:
        s.execute(update(CentreLink).values(centre_url=bare_server.url))
    link.pull(van)
    st = link.status(van)
    assert st is not None and st.last_error is None


def test_the_enrol_command_says_what_it_received(bare_server: LiveServer, tmp_path: Path, monkeypatch: Any) -> None:
    """`satupintu unit enrol URL CODE` on a fresh install prints the event and what came down;
    `satupintu unit sync` then sends the unit's records (so far, the enrolment's audit entries) and
    says nothing changed at the centre."""
    from typer.testing import CliRunner

    from satupintu import cli
    from satupintu.config import get_settings

    url = f"sqlite:///{tmp_path / 'cli-van.db'}"
    upgrade(url)
    monkeypatch.setenv("SATUPINTU_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(cli.app, ["unit", "enrol", bare_server.url, _code(bare_server), "--name", "Van 2"])
        assert done.exit_code == 0, done.output
        assert f"Terdaftar untuk acara {EVENT}" in done.output and "counters 6" in done.output
        again = CliRunner().invoke(cli.app, ["unit", "sync"])  # nobody signed in at the centre meanwhile
        assert again.exit_code == 0 and "tidak ada perubahan" in again.output, again.output
        assert "Dikirim ke pusat:" in again.output and "ditolak: 0" in again.output  # the pull's audit entry went up
        bad = CliRunner().invoke(cli.app, ["unit", "enrol", bare_server.url, "AAAA-BBBB"])
        assert bad.exit_code == 1 and "code:" in bad.output
    finally:
        get_settings.cache_clear()
