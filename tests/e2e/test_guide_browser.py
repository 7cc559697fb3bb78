"""The integration guide and the inbound integration in real Chromium: a site manager opens the guide
from the integration page, reads its contents and scope table, moves through the
code examples with the keyboard (each example takes focus and scrolls), and reads it in English on
a phone; an officer then sees, in an application's history, the status an agency's system pushed
with its note, the system's name and its own reference number. axe-core finds no serious
violations."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from satupintu.integration import keys
from tests.conftest import LiveServer, token_for
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login
from tests.integration.test_key_api import issue_key


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "guide", history=False) as server:
        yield server


def test_a_developer_reads_the_guide_from_the_integration_page_in_indonesian_and_english(browser, live, axe_source):  # noqa: F811
    laptop = new_context(browser, viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    login(page, live, "pengelola")
    page.goto(live.url + "/kelola/lahat/integrasi")
    page.get_by_role("link", name="Panduan integrasi API").click()
    page.wait_for_load_state()
    assert page.url.endswith("/api/v1/panduan")
    assert page.get_by_role("heading", name="Panduan integrasi API", level=1).count() == 1
    assert page.locator("table.scopes tbody tr").count() == len(keys.SCOPES)  # webhooks:manage, unit:sync among them
    screen(page, "217-api-panduan-1366x768")
    assert serious_violations(page, axe_source) == []

    page.get_by_role("link", name="Memperbarui status permohonan").click()
    status = page.get_by_label("Memperbarui status dengan curl")
    status.focus()  # a wide example scrolls sideways; the keyboard can reach it
    assert status.evaluate("el => el === document.activeElement")
    assert "Idempotency-Key: SIAK-2026-000123-diverifikasi" in status.inner_text()
    status.scroll_into_view_if_needed()
    screen(page, "218-api-panduan-status-1366x768")

    page.get_by_role("link", name="Mengatur langganan webhook sendiri").click()
    own = page.get_by_label("Berlangganan webhook dengan curl")
    own.focus()
    assert "/webhooks" in own.inner_text() and "X-API-Key" in own.inner_text()
    page.get_by_role("heading", name="Mengatur langganan webhook sendiri").scroll_into_view_if_needed()
    screen(page, "237-api-panduan-langganan-sendiri-1366x768")
    assert serious_violations(page, axe_source) == []
    laptop.close()

    phone = new_context(browser, viewport={"width": 390, "height": 844}, locale="en-US")
    page = phone.new_page()
    page.goto(live.url + "/api/v1/panduan?lang=en")
    assert page.get_by_role("heading", name="API integration guide", level=1).count() == 1
    page.get_by_role("link", name="Receive and verify webhooks").click()
    assert "webhook.verify(body, dict(request.headers))" in page.get_by_label(
        "Receiving webhooks with Python").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways page
    screen(page, "219-api-guide-webhook-en-390x844")
    assert serious_violations(page, axe_source) == []
    phone.close()


def test_an_officer_sees_the_status_an_agency_system_pushed_with_its_note_and_reference(browser, live,  # noqa: F811
                                                                                      axe_source):
    with httpx.Client(base_url=live.url, timeout=30) as c:
        key = {"X-API-Key": issue_key(c, token_for(c, "pengelola"), "SIAK Lahat",
                                      scopes=["applications:read", "applications:write"])}
        opened = c.post("/api/v1/sites/lahat/applications", headers=key, json={
            "service": "DKC-01", "applicant_name": "Siti Aminah", "nik": "1604011208850001",
            "external_ref": "SIAK-2026-000123"})
        assert opened.status_code == 201, opened.text
        app = opened.json()["application"]
        pushed = c.post(f"/api/v1/sites/lahat/applications/{app['id']}/actions", headers=key,
                        json={"status": "diverifikasi", "note": "Berkas sesuai data SIAK."})
        assert pushed.status_code == 200, pushed.text
    laptop = new_context(browser, viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    login(page, live, "petugas.dukcapil")
    page.goto(f"{live.url}/kelola/lahat/permohonan/{app['id']}")
    assert "SIAK-2026-000123 (SIAK Lahat)" in page.locator(".external-ref").inner_text()
    history = page.locator("ol.history").inner_text()
    assert "Verifikasi berkas → Diverifikasi (SIAK Lahat): Berkas sesuai data SIAK." in history
    screen(page, "220-kelola-permohonan-dari-sistem-klien-1366x768")
    assert serious_violations(page, axe_source) == []
    page.locator("ol.history").scroll_into_view_if_needed()
    screen(page, "221-kelola-permohonan-riwayat-sistem-klien-1366x768")

    # The citizen's tracking page: the new status, not the internal note.
    page.goto(f"{live.url}/permohonan/{opened.json()['tracking_number']}")
    assert "Diverifikasi" in page.locator("ol.history").inner_text()
    assert "Berkas sesuai data SIAK" not in page.content()
    laptop.close()
