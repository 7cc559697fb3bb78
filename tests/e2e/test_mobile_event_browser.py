"""A mobile service event (Pelayanan Bergerak) set up from the manager's pages in real Chromium,
then used like a mall: the manager creates the event (the code suggested from its name), picks
its services, adds a counter, puts an officer there and opens it; a kiosk paired to the event
issues a ticket and the officer calls it at the event's counter. Closing asks first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from satupintu.staffing import service as staffing
from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login

DUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lahat"
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "mobile-event") as server:
        yield server


def test_a_manager_sets_up_a_mobile_event_and_its_kiosk_issues_a_ticket_called_at_its_counter(
        browser, live, axe_source):  # noqa: F811
    today = staffing.site_today(live.app.state.db, "lahat")
    ctx = new_context(browser, viewport={"width": 1366, "height": 768})
    manager = ctx.new_page()
    login(manager, live, "pengelola")
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Pelayanan Bergerak", exact=True).click()
    manager.wait_for_url(re.compile(r"/pelayanan-bergerak$"))
    manager.wait_for_load_state()  # the code suggestion's script has run
    assert manager.locator("h1").inner_text() == "Pelayanan Bergerak"
    assert "Pelayanan Bergerak Plaza Lematang" in manager.locator("#events").inner_text()  # the demo's event

    manager.get_by_label("Nama kegiatan").fill("Pelayanan Bergerak Pasar Lahat")
    manager.wait_for_function("document.getElementById('code').value !== ''", timeout=5000)
    assert manager.get_by_label("Kode (untuk alamat halaman)").input_value() == "lahat-pelayanan-bergerak-pasar"
    manager.get_by_label("Tempat / alamat").fill("Halaman Pasar Lahat, Jl. Mayor Ruslan")
    manager.get_by_label("Tanggal mulai").fill((today + timedelta(days=1)).isoformat())
    manager.get_by_label("Tanggal selesai").fill(today.isoformat())  # a mistake: ends before it starts
    assert manager.get_by_label("Zona waktu").input_value() == "Asia/Jakarta"  # the mall's
    for day in WEEK:  # open the whole day, so the test does not depend on the clock
        manager.locator(f"#opens-{day}").fill("00:00")
        manager.locator(f"#closes-{day}").fill("23:59")
    manager.get_by_role("button", name="Buat kegiatan").click()
    manager.wait_for_load_state()
    assert "Tanggal selesai harus sama dengan atau setelah tanggal mulai" in manager.locator(
        "#ends_on-error").inner_text()
    assert manager.get_by_label("Tanggal selesai").get_attribute("aria-invalid") == "true"
    assert "lahat-pelayanan-bergerak-pasar" not in manager.locator("#events").inner_text()  # nothing saved
    assert serious_violations(manager, axe_source) == []
    screen(manager, "90-kelola-pelayanan-bergerak-salah-1366x768", full_page=True)

    manager.get_by_label("Tanggal mulai").fill(today.isoformat())
    manager.get_by_label("Tanggal selesai").fill((today + timedelta(days=1)).isoformat())
    manager.get_by_role("button", name="Buat kegiatan").click()
    manager.wait_for_url(re.compile(r"/pelayanan-bergerak/lahat-pelayanan-bergerak-pasar\?dibuat=1$"))
    assert "Direncanakan" in manager.locator("h1").inner_text()

    services = manager.locator("fieldset[data-agency='DUKCAPIL']")
    services.get_by_label(re.compile("Perekaman dan Penerbitan KTP-el Baru")).check()
    services.get_by_label(re.compile("Penerbitan Kartu Keluarga")).check()
    manager.get_by_role("button", name="Simpan layanan").click()
    manager.wait_for_load_state()
    assert "Pilihan layanan tersimpan." in manager.locator(".notice").inner_text()
    assert "belum ada loket" in services.inner_text()
    # Opening before any counter serves them is refused with the reason.
    assert "belum dilayani loket" in manager.locator("#open-problems").inner_text()
    manager.get_by_role("button", name="Buka kegiatan").click()
    manager.wait_for_load_state()
    assert "belum dilayani loket" in manager.locator("#counters-error").inner_text()

    manager.get_by_label("Nomor loket").fill("1")
    manager.get_by_label("Instansi", exact=True).select_option("DUKCAPIL")
    manager.get_by_role("button", name="Tambah loket").click()  # no service ticked
    manager.wait_for_load_state()
    assert "Centang minimal satu layanan" in manager.locator("#counter_services-error").inner_text()
    counter_form = manager.locator("form[action$='/loket']")
    counter_form.get_by_label(re.compile("Perekaman dan Penerbitan KTP-el Baru")).check()
    counter_form.get_by_label(re.compile("Penerbitan Kartu Keluarga")).check()
    manager.get_by_role("button", name="Tambah loket").click()
    manager.wait_for_load_state()
    assert "DKC-01, DKC-03" in manager.locator("#counters tr[data-counter='1']").inner_text()

    manager.get_by_role("link", name="Petugas kegiatan").click()
    manager.wait_for_url(re.compile(r"/petugas$"))
    officer_choice = manager.get_by_label("Petugas", exact=True)
    # The agency's last officer: on Saturdays the demo lends its first ones to Plaza Lematang all day.
    dukcapil_officer = [o for o in officer_choice.locator("option").all_inner_texts() if "(DUKCAPIL)" in o][-1]
    officer_choice.select_option(label=dukcapil_officer)
    manager.get_by_label("Jam mulai").fill("23:00")
    manager.get_by_label("Jam selesai").fill("23:30")
    manager.get_by_role("button", name="Tugaskan").click()
    manager.wait_for_load_state()
    assert "Petugas ditugaskan." in manager.locator(".notice").inner_text()
    assert dukcapil_officer.split(" (")[0] in manager.locator("#assignments").inner_text()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "92-kelola-petugas-kegiatan-1366x768", full_page=True)

    manager.get_by_role("link", name="Pelayanan Bergerak Pasar Lahat").click()
    manager.wait_for_url(re.compile(r"/lahat-pelayanan-bergerak-pasar$"))
    manager.get_by_role("button", name="Buka kegiatan").click()
    manager.wait_for_load_state()
    assert "Buka" in manager.locator("h1 .tag").inner_text()
    assert "Kegiatan dibuka" in manager.locator(".notice").inner_text()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "91-kelola-kegiatan-dibuka-1366x768", full_page=True)

    # The event's public page: place, dates, hours and its services.
    public = ctx.new_page()
    public.goto(live.url + "/mpp/lahat-pelayanan-bergerak-pasar")
    assert "Halaman Pasar Lahat" in public.content() and "Pelayanan Bergerak" in public.content()
    assert today.strftime("%d-%m-%Y") in public.content()
    assert "00:00–23:59" in public.content()
    assert DUKCAPIL in public.content()

    # A kiosk at the event, paired to it from the manager's laptop.
    kiosk_ctx = new_context(browser, viewport={"width": 1080, "height": 1920})
    kiosk = kiosk_ctx.new_page()
    kiosk.goto(live.url + "/pasang")
    code = kiosk.locator("#code").inner_text()
    manager.goto(live.url + "/kelola/lahat/perangkat")
    manager.get_by_label("Kode di layar perangkat").fill(code)
    manager.get_by_label("Nama perangkat").fill("Kios Pasar Lahat")
    manager.get_by_label("Lokasi").select_option("lahat-pelayanan-bergerak-pasar")
    manager.get_by_role("button", name="Pasangkan", exact=True).click()
    kiosk.wait_for_url(re.compile(r"/kios/lahat-pelayanan-bergerak-pasar$"), timeout=15000)
    kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    kiosk.get_by_role("link", name=re.compile("Kependudukan")).click()
    kiosk.wait_for_load_state()
    assert kiosk.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).count() == 0  # not brought
    kiosk.get_by_role("button", name=re.compile("Penerbitan Kartu Keluarga")).click()
    kiosk.get_by_role("button", name="Ambil nomor antrean").click()
    kiosk.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    number = kiosk.locator(".number").inner_text()
    assert re.fullmatch(r"[A-Z]-\d{3}", number)
    screen(kiosk, "93-kios-kegiatan-tiket-1080x1920")

    officer_ctx = new_context(browser, viewport={"width": 1366, "height": 768})
    officer = officer_ctx.new_page()
    login(officer, live, "petugas.dukcapil")
    officer.goto(f"{live.url}/loket/lahat-pelayanan-bergerak-pasar/1")
    officer.get_by_role("button", name=re.compile("Buka loket")).click()
    officer.wait_for_load_state()
    officer.get_by_role("button", name=re.compile("Panggil berikutnya")).click()
    officer.wait_for_selector("#current:has-text('" + number + "')")
    screen(officer, "94-konsol-kegiatan-1366x768")

    # Closing asks first, then the event is closed.
    manager.goto(live.url + "/kelola/lahat/pelayanan-bergerak/lahat-pelayanan-bergerak-pasar")
    manager.get_by_role("link", name="Tutup kegiatan").click()
    manager.wait_for_url(re.compile(r"/tutup$"))
    assert "Tutup kegiatan: Pelayanan Bergerak Pasar Lahat" in manager.locator("h1").inner_text()
    assert serious_violations(manager, axe_source) == []
    manager.get_by_role("button", name="Ya, tutup kegiatan ini").click()
    manager.wait_for_load_state()
    assert "Selesai" in manager.locator("h1 .tag").inner_text()
    manager.goto(live.url + "/kelola/lahat/pelayanan-bergerak")
    assert "Selesai" in manager.locator("#events tr[data-event='lahat-pelayanan-bergerak-pasar']").inner_text()
    screen(manager, "95-kelola-pelayanan-bergerak-1366x768", full_page=True)
    for c in (ctx, kiosk_ctx, officer_ctx):
        c.close()
