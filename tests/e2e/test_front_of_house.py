"""Front of house in real Chromium: a citizen takes a ticket at the kiosk, an officer calls it,
the board and the citizen's phone show it without a reload, the officer refers the visit to
another agency, and the second officer finishes it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import demo_server, new_context, shot


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "foh") as server:
        yield server


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


def wait_text(page, selector, text, timeout=5.0):  # type: ignore[no-untyped-def]
    """Wait until the element shows the text, pushed by the server (no reload). How fast it
    arrives is measured by bench/board_bench.py, not here: a loaded CI machine is slower."""
    page.wait_for_function("([s, t]) => document.querySelector(s) && document.querySelector(s).textContent.includes(t)",
                           arg=[selector, text], timeout=timeout * 1000)


def test_kiosk_to_board_to_phone_to_referral(browser, live):
    ctx = new_context(browser, viewport={"width": 1280, "height": 900})
    kiosk, board = ctx.new_page(), ctx.new_page()
    phone = new_context(browser, viewport={"width": 390, "height": 800}).new_page()
    kiosk.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    shot(kiosk, "10-kios-instansi")
    kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    kiosk.get_by_role("link", name=re.compile("Kependudukan")).click()
    shot(kiosk, "11-kios-layanan")
    kiosk.get_by_role("button", name=re.compile("Perekaman dan Penerbitan KTP-el")).click()
    kiosk.get_by_label("Lansia").check()
    kiosk.get_by_role("button", name="Ambil nomor antrean").click()
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

    officer_ctx = new_context(browser, viewport={"width": 1280, "height": 900})
    officer = officer_ctx.new_page()
    login(officer, live, "petugas.dukcapil")
    officer.goto(f"{live.url}/loket/lahat/4")
    officer.get_by_role("button", name=re.compile("Buka loket")).click()
    officer.wait_for_load_state()
    board.wait_for_selector("#counters tr[data-counter='4']", timeout=3000)  # the board saw the counter open
    officer.keyboard.press("n")  # keyboard shortcut: call next
    wait_text(board, "#counters tr[data-counter='4'] .num", number)
    wait_text(phone, "#status", "Dipanggil")
    assert "Loket 4" in phone.locator("#counter").inner_text()
    shot(board, "14-papan-memanggil")
    shot(phone, "15-ponsel-dipanggil")
    officer.wait_for_selector("#current:has-text('" + number + "')")
    shot(officer, "16-konsol-petugas")

    officer.keyboard.press("s")
    officer.wait_for_selector("#current-status[data-status='serving']")
    officer.get_by_label("Layanan tujuan").select_option("DPM-01")
    officer.get_by_label("Catatan").fill("Perlu NIB untuk izin usaha")
    officer.get_by_role("button", name="Rujuk").click()
    wait_text(phone, "#status", "Dirujuk")

    second_ctx = new_context(browser, viewport={"width": 1280, "height": 900})
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
    second.wait_for_selector("#current-status[data-status='serving']")
    second.get_by_role("button", name=re.compile(r"^Selesai")).click()
    second.wait_for_selector("#current:has-text('-')")
    shot(second, "17-konsol-kedua")
    for c in (ctx, officer_ctx, second_ctx, phone.context):
        c.close()


def test_board_and_kiosk_refuse_a_browser_without_a_device_token(page, live):
    page.goto(live.url + "/papan/lahat")
    assert "belum dipasangkan" in page.content() and "/pasang" in page.content()
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'board')}")
    assert "bukan untuk layar ini" in page.content()


def test_a_ticket_that_did_not_print_is_withdrawn_and_a_pdf_is_available(page, live):
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()
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


def test_kiosk_search_and_booking_check_in_by_code(page, live):
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from satupintu.catalogue.models import Service, Site
    from satupintu.queueing.models import Booking
    from satupintu.queueing.policy import local_day

    now = datetime.now(UTC)
    db = live.app.state.db
    with db.write() as s:  # someone booked a slot later today
        site = s.scalar(select(Site).where(Site.code == "lahat"))
        svc = s.scalar(select(Service).where(Service.code == "DKC-04"))
        s.add(Booking(site_id=site.id, service_id=svc.id, on_date=local_day(now, site.timezone),
                      slot_start=now + timedelta(minutes=30), code="KIOSK123", name="Rina", status="booked"))
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    page.get_by_label(re.compile("kode pemesanan")).fill("salah000")
    page.get_by_role("button", name="Lapor hadir").click()
    assert "tidak ditemukan" in page.locator("#code-error").inner_text()
    page.get_by_label(re.compile("kode pemesanan")).fill("kiosk123")  # a scanner types it and presses Enter
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    assert re.fullmatch(r"A-\d{3}", page.locator(".number").inner_text())
    page.goto(f"{live.url}/kios/lahat?langkah=instansi")  # the device cookie is remembered
    page.get_by_label("Atau cari layanan").fill("akta lahir")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=akta"))
    services = page.locator("button.k-tile-service")
    assert "Penerbitan Akta Kelahiran" in services.first.inner_text()


def test_officer_closes_the_counter_with_a_reason(browser, live):
    """The console offers closing as a link to the close page (its guard and confirmation are
    that page's) only while the counter is open and free; a closed counter offers 'Buka loket'."""
    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, live, "petugas.dukcapil")
    # Loket 5: nobody waits for its services (a birth certificate visitor waits for Loket 6's
    # DKC-04, and the last open counter of a service with people waiting may not close).
    page.goto(f"{live.url}/loket/lahat/5")
    assert page.locator("#open-state").inner_text() == "Tutup"
    assert page.locator("a#close-link").count() == 0
    page.get_by_role("button", name=re.compile("Buka loket")).click()
    page.wait_for_selector("a#close-link")
    assert page.locator("a#close-link").get_attribute("href") == "/loket/lahat/5/tutup"
    with httpx.Client(base_url=live.url) as c:  # close it again (the close page is not this test's)
        tok = c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": DEMO_PASSWORD}).json()
        r = c.post("/api/v1/sites/lahat/counters/5/close", json={"reason": "Istirahat"},
                   headers={"Authorization": "Bearer " + tok["access_token"]})
        assert r.status_code == 200, r.text
    page.reload()
    page.wait_for_selector("button[data-act='open']")
    assert page.locator("#open-state").inner_text() == "Tutup"
    ctx.close()


def test_the_board_catches_up_after_losing_its_connection(browser, live):
    ctx = new_context(browser)
    board = ctx.new_page()
    board.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
    with httpx.Client(base_url=live.url) as c:
        tok = c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": DEMO_PASSWORD}).json()
        officer = {"Authorization": "Bearer " + tok["access_token"]}
        kiosk = {"X-Device-Token": device(live, "kiosk")}
        c.post("/api/v1/sites/lahat/counters/5/open", headers=officer)
        c.put("/api/v1/sites/lahat/counters/5", headers={"Authorization": "Bearer " + c.post(
            "/api/v1/auth/token", json={"username": "pengelola", "password": DEMO_PASSWORD}).json()["access_token"]},
              json={"number": 5, "agency": "DUKCAPIL", "services": ["DKC-03"]})
        board.wait_for_selector("#counters tr[data-counter='5']", timeout=3000)
        ctx.set_offline(True)  # the TV's network drops
        board.evaluate("() => 0")
        number = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-03"}).json()["number"]
        time.sleep(0.5)
        called = c.post("/api/v1/sites/lahat/counters/5/call-next", headers=officer).json()
        assert called["number"] == number
    ctx.set_offline(False)  # back: EventSource reconnects and the snapshot brings the missed call
    wait_text(board, "#counters tr[data-counter='5'] .num", number, timeout=10)
    ctx.close()


def test_a_served_visitor_rates_the_service_at_the_kiosk(page, live):
    with httpx.Client(base_url=live.url) as c:
        kiosk_token = device(live, "kiosk")
        tok = c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": DEMO_PASSWORD}).json()
        officer = {"Authorization": "Bearer " + tok["access_token"]}
        ticket = c.post("/api/v1/sites/lahat/tickets", headers={"X-Device-Token": kiosk_token},
                        json={"service": "DKC-08"}).json()
        number = ticket["number"]
        # What the kiosk prints on the ticket besides the number.
        code = c.get(f"/api/v1/tickets/{ticket['id']}/survey-code", headers={"X-Device-Token": kiosk_token}).json()
        c.post("/api/v1/sites/lahat/counters/4/open", headers=officer)
        c.put("/api/v1/sites/lahat/counters/4", json={"number": 4, "agency": "DUKCAPIL", "services": ["DKC-08"]},
              headers={"Authorization": "Bearer " + c.post("/api/v1/auth/token", json={
                  "username": "pengelola", "password": DEMO_PASSWORD}).json()["access_token"]})
        for step in ("call-next", "start", "finish"):
            r = c.post(f"/api/v1/sites/lahat/counters/4/{step}", headers=officer)
            assert r.status_code == 200, r.text
    page.goto(f"{live.url}/kios/lahat?token={kiosk_token}")
    page.get_by_label(re.compile("Nilai layanan kami")).fill(number)  # the bare number no longer opens it
    page.get_by_role("button", name="Beri penilaian").click()
    assert "kode survei" in page.locator("#survey-code-error").inner_text()
    page.get_by_label(re.compile("Nilai layanan kami")).fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Beri penilaian").click()
    assert "tidak ditemukan" in page.locator("#survey-code-error").inner_text()
    page.get_by_label(re.compile("Nilai layanan kami")).fill(code["display"].lower())
    page.get_by_role("button", name="Beri penilaian").click()
    page.wait_for_url(re.compile(r"/survei/.+via=kiosk"))
    for fieldset in page.locator("fieldset").all():
        fieldset.locator("input[type=radio]").last.check()
    page.get_by_role("button", name="Kirim penilaian").click()
    assert "Terima kasih atas penilaian Anda." in page.content()
