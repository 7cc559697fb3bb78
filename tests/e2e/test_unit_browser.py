"""Enrolling a van's laptop in real Chromium (laptop, 1366x768). At the centre the manager opens
the event's unit page, is told which field is missing, makes a code and sees it once (a reload
shows no code and makes none). The van trades the code; the centre's list shows the laptop. At the
van the manager signs in with the same password, reads the sync status and syncs now."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.migrate import upgrade
from satupintu.queueing import service as queue
from satupintu.unit import link
from satupintu.unit.models import EnrolmentCode
from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login

EVENT_PAGE = "/kelola/lahat/pelayanan-bergerak/plaza-lematang"


@pytest.fixture(scope="module")
def centre(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "pusat", history=False) as server:
        yield server


@pytest.fixture
def van(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    db = Database(url)
    yield db
    db.dispose()


def test_the_manager_enrols_a_vans_laptop(browser, centre, van, axe_source):  # noqa: F811
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, centre, "pengelola")
    page.goto(centre.url + EVENT_PAGE)
    page.get_by_role("link", name="Unit luring (laptop)").click()
    assert page.locator("h1").inner_text() == "Unit layanan keliling"
    assert "Belum ada laptop unit" in page.content()
    assert serious_violations(page, axe_source) == []

    page.get_by_label("Penanggung jawab laptop").fill("Rina")
    page.get_by_role("button", name="Buat kode pendaftaran").click()
    page.wait_for_load_state()
    assert page.locator("#contact_email-error").inner_text() == "Surel narahubung wajib diisi."
    assert page.get_by_label("Penanggung jawab laptop").input_value() == "Rina"
    screen(page, "225-unit-kode-galat-1366x768")

    page.get_by_label("Surel penanggung jawab").fill("rina@lahatkab.go.id")
    page.get_by_role("button", name="Buat kode pendaftaran").click()
    page.wait_for_load_state()
    shown = page.locator("#new-code")
    code = shown.locator("p").nth(1).inner_text().strip()
    assert len(code) == 9 and code[4] == "-"
    assert f"satupintu unit enrol {centre.url} {code}" in shown.inner_text()
    screen(page, "226-unit-kode-baru-1366x768")
    db: Database = centre.app.state.db
    with db.read() as s:
        made = s.query(EnrolmentCode).count()
    page.reload()
    assert page.locator("#new-code").count() == 0 and "sudah ditampilkan sekali" in page.content()
    with db.read() as s:
        assert s.query(EnrolmentCode).count() == made  # the reload made no second code

    link.enrol(van, centre.url, code, "Laptop Van 1")
    page.reload()
    row = page.get_by_role("row", name="Laptop Van 1")
    assert "Terdaftar" in row.inner_text()
    screen(page, "227-unit-daftar-laptop-1366x768")

    event = catalogue.get_site(van, "plaza-lematang")
    queue.issue_ticket(van, queue.Issuer(label="kios:van", site_id=event.id), "plaza-lematang", "DKC-01")
    with LiveServer(van) as at_van:
        van_page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
        login(van_page, at_van, "pengelola")
        van_page.goto(at_van.url + "/unit")
        assert van_page.locator("h1").inner_text() == "Sinkronisasi dengan pusat"
        assert "Plaza Lematang" in van_page.content() or "plaza-lematang" in van_page.content()
        waiting = van_page.get_by_role("row", name="Catatan menunggu dikirim").inner_text()
        assert int(waiting.split()[-1]) >= 2  # the visit and the ticket, at least
        assert serious_violations(van_page, axe_source) == []
        van_page.get_by_role("button", name="Sinkronkan sekarang").click()
        van_page.wait_for_load_state()
        said = van_page.get_by_role("status").inner_text()
        assert said.startswith("Sinkronisasi selesai") and "0 ditolak" in said, said
        backlog = van_page.get_by_role("row", name="Catatan menunggu dikirim").inner_text()
        assert "pusat sudah menerima semuanya" in backlog
        screen(van_page, "228-unit-status-sinkron-1366x768")
