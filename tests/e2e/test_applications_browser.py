"""Applications in real Chromium: a visitor is served at the DPMPTSP counter, the officer opens
an application from that ticket, moves it through the workflow (with a repair request), and
the citizen's public status page, opened by tracking number, shows each step and no NIK."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import demo_server, new_context, shot

NIK = "1604015208850002"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "apps") as server:
        yield server


def served_ticket(live: LiveServer) -> str:
    with httpx.Client(base_url=live.url) as c:
        def auth(user: str) -> dict[str, str]:
            tok = c.post("/api/v1/auth/token", json={"username": user, "password": DEMO_PASSWORD}).json()
            return {"Authorization": "Bearer " + tok["access_token"]}

        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=auth("pengelola"),
                                          json={"kind": "kiosk", "name": "kios"}).json()["token"]}
        ticket = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DPM-01"}).json()
        officer = auth("petugas.dpmptsp")
        c.post("/api/v1/sites/lahat/counters/1/open", headers=officer).raise_for_status()
        for step in ("call-next", "start", "finish"):
            c.post(f"/api/v1/sites/lahat/counters/1/{step}", headers=officer).raise_for_status()
        return ticket["id"]


def test_served_ticket_to_application_to_public_status_page(browser, live):
    ticket_id = served_ticket(live)
    ctx = new_context(browser, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(live.url + "/masuk")
    page.get_by_label("Nama pengguna").fill("petugas.dpmptsp")
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()

    page.goto(f"{live.url}/kelola/lahat/permohonan?layanan=DPM-03&tiket={ticket_id}")
    page.get_by_label("Nama pemohon").fill("Siti Aminah")
    page.get_by_label("NIK (16 angka)").fill("1604013102850001")  # 31 February: no such birth date
    page.locator("input[name=doc]").first.check()
    page.get_by_role("button", name="Terima permohonan").click()
    # The officer sees what is wrong, beside the NIK field, and the name they typed is kept.
    assert "tanggal lahir" in page.locator("#nik-error").inner_text().lower()
    assert page.get_by_label("Nama pemohon").input_value() == "Siti Aminah"
    page.get_by_label("NIK (16 angka)").fill(NIK)
    page.get_by_role("button", name="Terima permohonan").click()
    page.wait_for_url("**/kelola/lahat/permohonan/*")
    number = page.locator(".notice strong").inner_text()
    assert "1604**********02" in page.content() and NIK not in page.content()
    shot(page, "40-permohonan-petugas")

    page.get_by_role("button", name="Verifikasi").click()
    page.get_by_label("Catatan", exact=False).fill("Lampirkan foto lokasi reklame")
    page.get_by_role("button", name="Minta perbaikan").click()
    assert "Dijeda menunggu pemohon" in page.content()

    citizen = new_context(browser, viewport={"width": 390, "height": 800}).new_page()
    citizen.goto(live.url + "/permohonan")
    citizen.get_by_label("Nomor pelacakan").fill(number.lower())
    citizen.get_by_role("button", name="Lacak").click()
    assert citizen.locator("#state").inner_text() == "Perlu perbaikan"
    assert "Lampirkan foto lokasi reklame" in citizen.content()
    assert "Siti" not in citizen.content() and "1604" not in citizen.content()
    shot(citizen, "41-permohonan-publik-perbaikan")

    for action in ("Kirim perbaikan", "Proses", "Selesaikan"):
        page.get_by_role("button", name=action).click()
        page.wait_for_load_state()
    citizen.reload()
    history = citizen.locator("ol.history li").all_inner_texts()
    states = [h.split("—", 1)[1].split(":")[0].strip() for h in history]
    assert states == ["Diterima", "Diverifikasi", "Perlu perbaikan", "Diverifikasi", "Diproses",
                      "Selesai, siap diambil"]
    assert citizen.locator("#state").inner_text() == "Selesai, siap diambil"
    assert "Selesai tepat waktu" in citizen.content()
    shot(citizen, "42-permohonan-publik-selesai")

    citizen.goto(f"{live.url}/permohonan/{number}?lang=en")
    assert "Application status" in citizen.content()
    ctx.close()
