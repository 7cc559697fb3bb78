"""Front of house in real Chromium: a citizen takes a ticket at the kiosk, an officer calls it,
the board and the citizen's phone show it within a second, the officer refers the visit to
another agency, and the second officer finishes it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import shot


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('foh') / 'foh.db'}"
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    with LiveServer(db) as server:
        yield server
    db.dispose()


def device(live: LiveServer, kind: str) -> str:
    with httpx.Client(base_url=live.url) as c:
        tok = c.post("/api/v1/auth/token", json={"username": "pengelola", "password": DEMO_PASSWORD}).json()
        return c.post("/api/v1/sites/lahat/devices", headers={"Authorization": "Bearer " + tok["access_token"]},
                      json={"kind": kind, "name": kind}).json()["token"]


def login(page, live, username):  # type: ignore[no-untyped-def]
    page.goto(live.url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def wait_text(page, selector, text, timeout=1.0):  # type: ignore[no-untyped-def]
    """Seconds until the element shows the text (fails after `timeout`)."""
    start = time.monotonic()
    page.wait_for_function("([s, t]) => document.querySelector(s) && document.querySelector(s).textContent.includes(t)",
                           arg=[selector, text], timeout=timeout * 1000)
    return time.monotonic() - start


def test_kiosk_to_board_to_phone_to_referral(browser, live):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    kiosk, board, phone = ctx.new_page(), ctx.new_page(), browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    kiosk.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    shot(kiosk, "10-kios-instansi")
    kiosk.get_by_role("link", name=re.compile("Kependudukan")).click()
    kiosk.get_by_label("Lansia").check()
    shot(kiosk, "11-kios-layanan")
    kiosk.get_by_role("button", name=re.compile("Perekaman dan Penerbitan KTP-el")).click()
    kiosk.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    number = kiosk.locator(".number").inner_text()
    assert re.fullmatch(r"A-\d{3}", number)
    assert "Lansia" in kiosk.content()
    shot(kiosk, "12-tiket-cetak")
    ticket_id = re.search(r"/antrian/([0-9a-f-]+)/cetak", kiosk.url).group(1)

    board.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
    phone.goto(f"{live.url}/antrian/{ticket_id}")
    assert phone.locator("#status").inner_text() == "Menunggu"
    shot(phone, "13-ponsel-menunggu")

    officer_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    officer = officer_ctx.new_page()
    login(officer, live, "petugas.dukcapil")
    officer.goto(f"{live.url}/loket/lahat/4")
    officer.get_by_role("button", name=re.compile("Buka loket")).click()
    officer.wait_for_load_state()
    board.wait_for_selector("#counters tr[data-counter='4']", timeout=3000)  # the board saw the counter open
    officer.keyboard.press("n")  # keyboard shortcut: call next
    board_delay = wait_text(board, "#counters tr[data-counter='4'] .num", number)
    phone_delay = wait_text(phone, "#status", "Dipanggil")
    assert board_delay < 1.0 and phone_delay < 1.0
    assert "Loket 4" in phone.locator("#counter").inner_text()
    shot(board, "14-papan-memanggil")
    shot(phone, "15-ponsel-dipanggil")
    officer.wait_for_selector("#current:has-text('" + number + "')")
    shot(officer, "16-konsol-petugas")

    officer.keyboard.press("s")
    officer.wait_for_selector("#current-status:has-text('serving')")
    officer.get_by_label("Layanan tujuan").select_option("DPM-01")
    officer.get_by_label("Catatan").fill("Perlu NIB untuk izin usaha")
    officer.get_by_role("button", name="Rujuk").click()
    wait_text(phone, "#status", "Dirujuk", timeout=2)

    second_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    second = second_ctx.new_page()
    login(second, live, "petugas.dpmptsp")
    second.goto(f"{live.url}/loket/lahat/1")
    second.get_by_role("button", name=re.compile("Buka loket")).click()
    second.wait_for_load_state()
    second.get_by_role("button", name=re.compile("Panggil berikutnya")).click()
    second.wait_for_selector("#current:has-text('" + number + "')")
    assert "Perekaman" in second.content() or "DKC-01" in second.content()  # the visit's history is shown
    wait_text(board, "#counters tr[data-counter='1'] .num", number)
    second.get_by_role("button", name=re.compile("Mulai layani")).click()
    second.wait_for_selector("#current-status:has-text('serving')")
    second.get_by_role("button", name=re.compile(r"^Selesai")).click()
    second.wait_for_selector("#current:has-text('-')")
    shot(second, "17-konsol-kedua")
    for c in (ctx, officer_ctx, second_ctx, phone.context):
        c.close()


def test_board_and_kiosk_refuse_a_browser_without_a_device_token(page, live):
    page.goto(live.url + "/papan/lahat")
    assert "belum didaftarkan" in page.content()
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'board')}")
    assert "bukan untuk layar ini" in page.content()


def test_a_ticket_that_did_not_print_is_withdrawn_and_a_pdf_is_available(page, live):
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    ticket_id = re.search(r"/antrian/([0-9a-f-]+)/cetak", page.url).group(1)
    number = page.locator(".number").inner_text()
    pdf = httpx.get(f"{live.url}/antrian/{ticket_id}/cetak.pdf?lebar=58")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    page.get_by_role("button", name=re.compile("Batalkan nomor")).click()
    page.wait_for_url(re.compile(r"/kios/lahat\?batal="))
    assert f"Nomor dibatalkan: {number}" in page.locator("[role=status]").inner_text()
    assert httpx.get(f"{live.url}/api/v1/tickets/{ticket_id}").json()["status"] == "closed"


def test_the_site_manager_sees_every_counter(page, live):
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat/antrian")
    rows = page.locator("tbody tr")
    assert rows.count() == 14
    shot(page, "18-pantauan-loket")
