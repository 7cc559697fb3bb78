"""`satupintu unit sync` and the unit's own background sync, over real HTTP: the command shows
its progress and a summary (sent, received, refused and why); the served unit syncs by itself
once the centre comes up; two syncs never run at once; a unit too old for the centre is told
which release to install and keeps every unsent record, one release behind still syncs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import func, select, update

from satupintu.catalogue import service as catalogue
from satupintu.config import get_settings
from satupintu.db import Database
from satupintu.errors import DomainError
from satupintu.models import Base
from satupintu.queueing import service as queue
from satupintu.queueing.policy import Status
from satupintu.unit import link, release
from satupintu.unit.models import CentreLink
from tests.conftest import LiveServer, free_port
from tests.procserver import ServerProcess
from tests.test_pages import login
from tests.unit.test_push import EVENT, _officer, _work_a_morning, van  # noqa: F401 (the van fixture)


def _env(van: Database, **extra: str) -> dict[str, str]:
    """The unit's own settings for a command or server of its own (same keys: the link's key
    is stored encrypted)."""
    settings = get_settings()
    env = dict(os.environ, SATUPINTU_DATABASE_URL=van.url, SATUPINTU_SECRET_KEY=settings.secret_key, **extra)
    if settings.data_keys:
        env["SATUPINTU_DATA_KEYS"] = settings.data_keys
    return env


def _cli_sync(van: Database) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "satupintu", "unit", "sync"], env=_env(van), capture_output=True,
                          text=True, timeout=120)


def _tickets_at(centre: Database, ids: list[object]) -> int:
    tickets = Base.metadata.tables["tickets"]
    with centre.read() as s:
        return int(s.scalar(select(func.count()).select_from(tickets).where(tickets.c.id.in_(ids))) or 0)


def test_the_sync_command_shows_progress_and_a_summary_with_refusals_by_reason(
        bare_server: LiveServer, van: Database) -> None:
    """The van's staff run `satupintu unit sync`: a progress bar over sending and fetching, then
    how many rows were sent, what came back, and the refused ticket counted under its reason
    with its id."""
    issued = _work_a_morning(van)
    link.push(van)
    tickets = Base.metadata.tables["tickets"]
    with bare_server.app.state.db.write() as s:  # the centre closes a waiting ticket meanwhile
        s.execute(update(tickets).where(tickets.c.id == issued[1].id).values(status=Status.done))
    queue.call_next(van, _officer(van), EVENT, 2)
    done = _cli_sync(van)
    assert done.returncode == 0, done.stderr
    assert "Mengirim ke pusat" in done.stderr and "Mengambil dari pusat" in done.stderr
    assert "Dikirim ke pusat:" in done.stdout and "ditolak: 1." in done.stdout
    assert "status_backwards: 1 (Status tiket di pusat sudah lebih maju" in done.stdout
    assert f"ditolak tickets {issued[1].id}: status_backwards" in done.stdout
    assert "Diterima dari pusat:" in done.stdout


def test_a_second_sync_while_one_runs_is_refused_across_processes(van: Database) -> None:
    """While the app's background sync holds the install's sync lock, the command says another
    sync is running and sends nothing; the backlog stays."""
    _work_a_morning(van, tickets=1)
    before = link.status(van)
    assert before is not None and before.backlog
    with link.sync_lock(van):
        done = _cli_sync(van)
        with pytest.raises(link.SyncBusy):
            link.sync(van)
    assert done.returncode == 1 and "Sinkronisasi lain sedang berjalan" in done.stderr
    after = link.status(van)
    assert after is not None and after.backlog == before.backlog and after.last_push_at is None


def test_a_unit_too_old_is_told_what_to_install_and_keeps_its_records_then_syncs_after_upgrading(
        bare_server: LiveServer, van: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The centre runs 0.3.0, the van 0.1.0: its push and pull are refused with
    `unit_version_too_old` naming 0.3.0, the status page says so in Indonesian, and every
    unsent record is still waiting; once the van runs 0.3.0 the same records reach the centre."""
    issued = _work_a_morning(van)
    backlog = link.status(van).backlog  # type: ignore[union-attr]
    monkeypatch.setattr(release, "CENTRE", "0.3.0")
    monkeypatch.setattr(link, "RELEASE", "0.1.0")
    with pytest.raises(DomainError) as refused:
        link.sync(van)
    assert refused.value.code == "unit_version_too_old" and "Pasang SatuPintu versi 0.3.0" in refused.value.message
    st = link.status(van)
    assert st is not None and st.backlog == backlog and st.needs_upgrade and st.last_contact_at is not None
    assert _tickets_at(bare_server.app.state.db, [t.id for t in issued]) == 0
    with bare_server.client() as c:  # the API answer itself, as any client reads it
        r = c.get(f"/api/v1/sites/{EVENT}/unit/bundle", headers={release.HEADER: "0.1.0",
                                                               "X-API-Key": _key(van)})
    assert r.status_code == 409 and r.json()["error"]["code"] == "unit_version_too_old"
    assert "0.3.0" in r.json()["error"]["message"]
    with LiveServer(van) as unit_app, unit_app.client() as c:  # the van's own status page
        login(c, "pengelola")
        page = c.get("/unit").text
    assert "Perbarui SatuPintu di laptop ini." in page and "versi 0.3.0" in page
    monkeypatch.setattr(link, "RELEASE", "0.3.0")
    pushed, _ = link.sync(van)
    assert not pushed.refused and pushed.written["tickets"] == len(issued)
    assert _tickets_at(bare_server.app.state.db, [t.id for t in issued]) == len(issued)
    st = link.status(van)
    assert st is not None and st.backlog == 0 and not st.needs_upgrade and st.last_error is None


def test_a_unit_one_release_behind_still_syncs(bare_server: LiveServer, van: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Centre 0.2.0, van 0.1.0: the van's morning reaches the centre as usual."""
    issued = _work_a_morning(van)
    monkeypatch.setattr(release, "CENTRE", "0.2.0")
    monkeypatch.setattr(link, "RELEASE", "0.1.0")
    pushed, _ = link.sync(van)
    assert not pushed.refused and _tickets_at(bare_server.app.state.db, [t.id for t in issued]) == len(issued)


def _key(van: Database) -> str:
    with van.read() as s:
        found = s.scalar(select(CentreLink.api_key))
        assert found is not None
        return found


def test_the_served_unit_syncs_by_itself_once_the_centre_comes_up(bare_server: LiveServer, van: Database) -> None:
    """The van's app runs (its own process, a 0.3 s interval); the centre is down, so a ticket
    issued at the kiosk waits and the status shows why; the centre comes up and within a few
    intervals the ticket is there, without anyone running the command."""
    port = free_port()
    with van.write() as s:  # the centre's address: nothing answers there yet
        s.execute(update(CentreLink).values(centre_url=f"http://127.0.0.1:{port}"))
    unit = ServerProcess(van.url, workers=1, secret=get_settings().secret_key)
    unit.env = _env(van, SATUPINTU_UNIT_SYNC_INTERVAL="0.3", SATUPINTU_UNIT_SYNC_BACKOFF_CAP="1.0")
    with unit:
        event = catalogue.get_site(van, EVENT)
        ticket = queue.issue_ticket(van, queue.Issuer(label="kios:van", site_id=event.id), EVENT, "DKC-01")
        deadline = time.monotonic() + 20
        while (st := link.status(van)) is not None and st.last_error_code != "centre_unreachable":
            assert time.monotonic() < deadline, "the background sync never tried"
            time.sleep(0.1)
        assert st is not None and st.backlog > 0 and "Pusat tidak dapat dihubungi" in (st.last_error or "")
        centre = LiveServer(bare_server.app.state.db)
        centre.port, centre.url, centre.server.config.port = port, f"http://127.0.0.1:{port}", port
        with centre:
            deadline = time.monotonic() + 30
            while _tickets_at(centre.app.state.db, [ticket.id]) == 0:
                assert time.monotonic() < deadline, unit.output()[-2000:]
                time.sleep(0.1)
            while (st := link.status(van)) is not None and (st.backlog or st.last_error):
                assert time.monotonic() < deadline, st
                time.sleep(0.1)
            with httpx.Client(base_url=unit.url) as c:
                login(c, "pengelola")
                page = c.get("/unit").text
    assert "Kontak terakhir dengan pusat" in page and "tidak ada: pusat sudah menerima semuanya" in page
    assert "Sinkronisasi otomatis setiap 0 detik" not in page
