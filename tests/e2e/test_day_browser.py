"""The queue day in real Chromium. After the issuing cut-off the kiosk (1080x1920) says when
to come back and offers the booking page; the manager (laptop, 1366x768) opens "Hari layanan",
closes the day early with a reason (refused without one, the error beside the field), and the
board's open counter disappears, the overview shows the counter closed and nobody waiting,
and the kiosk then says there is no queue today."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from satupintu.queueing import policy, screens, tickets
from satupintu.timeutil import long_date, utcnow
from tests.conftest import LiveServer, token_for
from tests.dayclock import local_moment, set_hours, weekdays
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import device, login
from tests.queueing.usecases import dukcapil_counter


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "day") as server:
        yield server


def test_the_kiosk_after_the_cutoff_explains_when_to_come_back(browser, live, axe_source, monkeypatch):  # noqa: F811
    """Open 08:00-15:00 WIB every day, issuing stops 30 minutes before: at 14:40 WIB the
    citizen who presses KTP-el reads that issuing has closed, to come back tomorrow at 08:00
    WIB, and gets the booking page's link and QR."""
    db = live.app.state.db
    today = policy.local_day(utcnow(), "Asia/Jakarta")
    set_hours(db, "lahat", weekdays("08:00", "15:00", range(7)), issue_cutoff_minutes=30)
    for module in (tickets, screens):  # the server's clock, for issuing and for the kiosk's screen
        monkeypatch.setattr(module, "utcnow", lambda: local_moment(today, "14:40", "Asia/Jakarta"))
    try:
        kiosk = new_context(browser, viewport={"width": 1080, "height": 1920}).new_page()
        kiosk.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
        tomorrow = long_date(today + timedelta(days=1), weekday=True)
        # The first screen already says so, before anyone presses a service.
        banner = kiosk.locator("#kiosk-closed-h").inner_text()
        assert banner == "Pengambilan nomor antrean untuk hari ini sudah ditutup."
        assert kiosk.locator("#kiosk-come-back").inner_text() == f"{tomorrow}, pukul 08:00 WIB"
        assert serious_violations(kiosk, axe_source) == []
        screen(kiosk, "89-kios-lewat-batas-awal-1080x1920")
        kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
        kiosk.get_by_role("link", name=re.compile("Kependudukan")).click()
        kiosk.get_by_role("button", name=re.compile("Perekaman dan Penerbitan KTP-el")).click()
        kiosk.get_by_role("button", name="Ambil nomor antrean").click()
        kiosk.wait_for_selector("#come-back")
        assert "Pengambilan nomor antrean untuk hari ini sudah ditutup." in kiosk.locator("h2").first.inner_text()
        assert kiosk.locator("#come-back").inner_text() == f"{tomorrow}, pukul 08:00 WIB"
        assert kiosk.locator(".booking-offer svg").count() == 1
        assert serious_violations(kiosk, axe_source) == []
        screen(kiosk, "90-kios-lewat-batas-1080x1920")
        # the kiosk links nowhere out: the booking page is for the citizen's phone (QR and address)
        assert kiosk.locator("#booking-link").inner_text().endswith("/mpp/lahat/pesan?layanan=DKC-01")
        assert kiosk.get_by_role("link", name="Pesan antrean online").count() == 0
    finally:
        monkeypatch.undo()
        set_hours(db, "lahat", weekdays("00:00", "23:59", range(7)), issue_cutoff_minutes=0)


def test_the_manager_closes_the_day_early_with_a_reason(browser, live, axe_source):  # noqa: F811
    """A ticket is at counter and another waits; the manager closes the day with the reason
    'Listrik padam di gedung MPP': the board's counter goes, the overview shows the counter
    closed and nobody waiting, the closed days list the two tickets, the kiosk refuses."""
    db = live.app.state.db
    with httpx.Client(base_url=live.url) as c:
        officer = token_for(c, "petugas.dukcapil")
        kiosk_token = {"X-Device-Token": device(live, "kiosk")}
        n = dukcapil_counter(db)
        assert c.post(f"/api/v1/sites/lahat/counters/{n}/open", headers=officer).status_code == 200
        for _ in range(2):
            assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk_token,
                          json={"service": "DKC-01"}).status_code == 201
        assert c.post(f"/api/v1/sites/lahat/counters/{n}/call-next", headers=officer).status_code == 200

    board = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    board.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
    board.wait_for_selector(f"#counters tr[data-counter='{n}']")

    manager = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(manager, live, "pengelola")
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Hari layanan", exact=True).click()
    manager.wait_for_url(re.compile(r"/kelola/lahat/hari$"))
    assert manager.locator("#day-state").inner_text() == "Buka: nomor antrean dapat diambil"
    assert manager.locator("#waiting-count").inner_text() == "2"
    assert serious_violations(manager, axe_source) == []
    screen(manager, "91-kelola-hari-layanan", full_page=True)

    # The settings: a word and too many minutes are refused beside each field, nothing saved.
    manager.get_by_label("Berhenti menerbitkan nomor, menit sebelum jam tutup").fill("tiga puluh")
    manager.get_by_label("Hari ditutup otomatis, menit setelah jam tutup").fill("700")
    manager.get_by_role("button", name="Simpan pengaturan").click()
    manager.wait_for_load_state()
    assert "angka bulat" in manager.locator("#issue_cutoff_minutes-error").inner_text()
    assert "antara 0 dan 600" in manager.locator("#close_grace_minutes-error").inner_text()
    grace = manager.get_by_label("Hari ditutup otomatis, menit setelah jam tutup")
    assert grace.get_attribute("aria-invalid") == "true"
    assert serious_violations(manager, axe_source) == []
    screen(manager, "91b-kelola-hari-pengaturan-salah", full_page=True)
    manager.get_by_label("Berhenti menerbitkan nomor, menit sebelum jam tutup").fill("15")
    manager.get_by_label("Hari ditutup otomatis, menit setelah jam tutup").fill("45")
    manager.get_by_role("button", name="Simpan pengaturan").click()
    manager.wait_for_url(re.compile(r"selesai=pengaturan"))
    assert manager.get_by_label("Hari ditutup otomatis, menit setelah jam tutup").input_value() == "45"

    manager.get_by_role("button", name="Tutup hari layanan sekarang").click()
    manager.wait_for_load_state()
    assert "Tulis alasan penutupan" in manager.locator("#reason-error").inner_text()
    assert manager.get_by_label("Alasan penutupan (wajib)").get_attribute("aria-invalid") == "true"
    assert manager.locator("#waiting-count").inner_text() == "2"  # nothing closed
    assert serious_violations(manager, axe_source) == []

    manager.get_by_label("Alasan penutupan (wajib)").fill("Listrik padam di gedung MPP")
    manager.get_by_role("button", name="Tutup hari layanan sekarang").click()
    manager.wait_for_url(re.compile(r"selesai=tutup"))
    assert manager.locator("#day-state").inner_text() == "Ditutup"
    row = manager.locator("#closed-days tbody tr").first
    assert "Listrik padam di gedung MPP" in row.inner_text()
    assert row.locator("td").last.inner_text() == "2"  # the called and the waiting ticket
    screen(manager, "92-kelola-hari-ditutup", full_page=True)

    board.wait_for_selector(f"#counters tr[data-counter='{n}']", state="detached", timeout=15000)
    manager.goto(live.url + "/kelola/lahat/antrian")
    counter_row = manager.locator("#overview tbody tr", has=manager.get_by_role("link", name=str(n), exact=True))
    assert "Tutup" in counter_row.inner_text()
    assert manager.locator("#overview h2", has_text="Menunggu").inner_text() == "Menunggu (0)"

    kiosk = new_context(browser, viewport={"width": 1080, "height": 1920}).new_page()
    kiosk.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    kiosk.get_by_role("link", name=re.compile("Kependudukan")).click()
    kiosk.get_by_role("button", name=re.compile("Perekaman dan Penerbitan KTP-el")).click()
    kiosk.get_by_role("button", name="Ambil nomor antrean").click()
    kiosk.wait_for_selector("h2#closed-h")
    assert kiosk.locator("h2#closed-h").inner_text() == "Hari ini tidak ada layanan antrean di sini."
    screen(kiosk, "93-kios-hari-ditutup-1080x1920")
