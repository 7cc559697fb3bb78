"""A complaint the centre took over, seen at the van in real Chromium (laptop, 1366x768): the
van's sync page lists it under "Ditangani pusat" with its code and the centre's status, and the
van's own step the centre refused under "Ditolak pusat" with the reason; on the van's complaint
desk opened before the sync the manager's attempt to close it is refused with "Pengaduan ini
sudah ditangani pusat; perubahan dilakukan di pusat." beside it; opened after it, the desk marks
the complaint "Ditangani pusat" with the centre's status and offers no step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from satupintu.db import Database
from satupintu.feedback import complaint_service as cs
from satupintu.feedback.complaint_schemas import StepIn
from satupintu.feedback.complaints import Severity, Step
from satupintu.migrate import upgrade
from satupintu.unit import link
from tests.conftest import LiveServer, token_for
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login
from tests.unit.test_handover import CONTACT, EVENT, _manager, centre_answers, file_and_push


@pytest.fixture(scope="module")
def centre(tmp_path_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with demo_server(tmp_path_factory, "pusat-serah", history=False) as server:
        yield server


@pytest.fixture
def van(centre: LiveServer, tmp_path: Path) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    db = Database(url)
    with centre.client() as c:
        r = c.post(f"/api/v1/sites/{EVENT}/unit/codes", headers=token_for(c, "pengelola"), json=CONTACT)
        assert r.status_code == 201, r.text
    link.enrol(db, centre.url, r.json()["code"], "Laptop Van 1")
    with LiveServer(db) as server:
        yield server
    db.dispose()


def test_the_van_shows_a_complaint_the_centre_took_over_and_refuses_to_change_it(  # type: ignore[no-untyped-def]
        browser, centre, van, axe_source):  # noqa: F811
    van_db: Database = van.app.state.db
    code, cid = file_and_push(van_db)
    centre_answers(centre.app.state.db, cid)
    cs.take_step(van_db, _manager(van_db), EVENT, cid, StepIn(step=Step.verify, severity=Severity.normal))

    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, van, "pengelola")
    stale = page.context.new_page()  # the desk as it was opened before the sync
    stale.goto(f"{van.url}/kelola/{EVENT}/pengaduan")
    page.goto(van.url + "/unit")
    page.get_by_role("button", name="Sinkronkan sekarang").click()
    page.wait_for_load_state()
    assert "2 ditolak" in page.locator("p.notice").inner_text()
    handed = page.locator("#diambil-alih + p + table")
    assert code in handed.inner_text() and "Dijawab" in handed.inner_text()  # the centre's state, as staff say it
    refused = page.locator("#ditolak + p + table").inner_text()
    assert "Riwayat pengaduan" in refused and "complaint_events" not in refused  # never a raw table name
    assert refused.count("Pusat sudah menangani catatan ini") == 2
    assert serious_violations(page, axe_source) == []
    screen(page, "245-unit-ditangani-pusat-1366x768", full_page=True)

    # A desk opened before the sync still has the form: saving is refused beside the complaint.
    stale.locator(f"#c-{cid}").get_by_role("button", name="Simpan").click()
    stale.wait_for_load_state()
    error = stale.locator(f"#err-{cid}")
    assert error.inner_text() == "Pengaduan ini sudah ditangani pusat; perubahan dilakukan di pusat."
    error.scroll_into_view_if_needed()
    screen(stale, "246-unit-pengaduan-ditolak-ubah-1366x768")

    # Opened now, the desk marks it and offers no step: nobody types an answer that cannot be kept.
    page.goto(f"{van.url}/kelola/{EVENT}/pengaduan")
    section = page.locator(f"#c-{cid}")
    heading = section.locator("h2").first.inner_text()
    assert "Dijawab" in heading and "Ditangani pusat" in heading  # the centre's state, and who works it
    assert section.locator("form").count() == 0
    assert section.locator(f"#pusat-{cid}").inner_text().startswith("Pengaduan ini sudah ditangani pusat")
    assert serious_violations(page, axe_source) == []
    section.scroll_into_view_if_needed()
    screen(page, "247-unit-pengaduan-ditangani-pusat-1366x768")

    page.goto(f"{van.url}/kelola/{EVENT}/pengaduan?lang=en")
    assert page.locator(f"#pusat-{cid}").inner_text().startswith("The centre is handling this complaint")
