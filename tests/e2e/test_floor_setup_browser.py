"""Floor set-up in real Chromium: the manager imports a catalogue, finds that the kiosk does not
offer the imported service (no counter serves it, so nobody would call the ticket), creates a
counter for it on the counters page, and the kiosk then offers it and issues a ticket; the
public page says where it is served. Then the queue settings page. Each page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from satupintu.catalogue.spreadsheet import to_csv
from satupintu.demo.synthetic import synthetic_table
from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import device, login

AGENCY = "Unit Kerja 01 Kota Contoh"  # the imported agency (synthetic_table: UK01)
SERVICE = "Rekomendasi Teknis Toko Modern 2"  # L-0002, published by the import


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "floor") as server:
        yield server


def test_a_counter_for_an_imported_service_makes_the_kiosk_offer_it(browser, live, axe_source, tmp_path):  # noqa: F811
    manager_ctx = new_context(browser, viewport={"width": 1366, "height": 768})
    manager = manager_ctx.new_page()
    login(manager, live, "pengelola")
    csv_file = tmp_path / "katalog.csv"
    csv_file.write_bytes(to_csv(synthetic_table(12, 1)))  # one agency, 12 services
    manager.goto(live.url + "/kelola/lahat/katalog")
    manager.get_by_label("Berkas CSV atau XLSX").set_input_files(str(csv_file))
    manager.locator("form[action$='/katalog/impor'] button[type=submit]").click()
    manager.wait_for_load_state()
    assert "L-0002" in manager.content() or "1" in manager.locator("main").inner_text()

    # Before: the kiosk offers neither the new agency nor its service.
    kiosk_ctx = new_context(browser, viewport={"width": 1080, "height": 1920})
    kiosk = kiosk_ctx.new_page()
    kiosk.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}&langkah=instansi")
    assert kiosk.get_by_role("link", name=AGENCY).count() == 0
    assert kiosk.get_by_role("link", name=re.compile("Kependudukan")).count() == 1  # served agencies are there
    kiosk.goto(f"{live.url}/kios/lahat?instansi=UK01")
    assert kiosk.get_by_role("button", name=SERVICE).count() == 0
    manager.goto(live.url + "/mpp/lahat/layanan/L-0002")
    assert "Belum ada loket di sini yang melayani layanan ini" in manager.locator("#served-at").inner_text()

    # The manager creates the counter, first with a number already taken.
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Loket dan layanan", exact=True).click()
    manager.wait_for_url(re.compile(r"/kelola/lahat/loket$"))
    assert manager.locator("#counters tbody tr").count() == 14
    assert serious_violations(manager, axe_source) == []
    screen(manager, "90-kelola-loket-1366x768")
    manager.get_by_role("link", name="Tambah loket").click()
    manager.get_by_label("Nomor loket").fill("4")
    manager.get_by_label("Instansi pemilik loket").select_option(
        label="Dinas Perpustakaan dan Arsip Daerah Kabupaten Lahat")
    assert manager.get_by_label("Saring layanan").is_hidden()  # three services: nothing to filter
    manager.get_by_label("Instansi pemilik loket").select_option(label=AGENCY)
    assert manager.get_by_label("Saring layanan").is_visible()  # twelve: the filter box shows
    assert manager.get_by_label(re.compile("DKC-01")).is_hidden()  # only the chosen agency's services
    manager.get_by_label("Saring layanan").fill("l-0002")
    assert manager.get_by_label(re.compile("L-0001")).is_hidden()  # the filter leaves the match
    manager.get_by_label(re.compile("L-0002")).check()
    manager.get_by_label(re.compile("Lantai atau zona")).fill("Lantai 2")
    manager.get_by_label(re.compile("^Letak")).fill("sayap timur")
    manager.get_by_role("button", name="Simpan loket").click()
    manager.wait_for_load_state()
    assert "sudah ada" in manager.locator("#number-error").inner_text()
    assert manager.get_by_label("Nomor loket").get_attribute("aria-invalid") == "true"
    assert manager.get_by_label(re.compile("Lantai atau zona")).input_value() == "Lantai 2"  # kept
    assert manager.get_by_label(re.compile("L-0002")).is_checked()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "91-loket-tambah-nomor-dipakai", full_page=True)
    manager.get_by_label("Nomor loket").fill("21")
    manager.get_by_role("button", name="Simpan loket").click()
    manager.wait_for_url(re.compile(r"/kelola/lahat/loket\?disimpan=21"))
    row = manager.locator("#counters tr[data-counter='21']").inner_text()
    assert "L-0002" in row and "Lantai 2" in row and "sayap timur" in row and AGENCY in row

    # After: the kiosk offers the agency and the service, and issues a ticket for it.
    kiosk.goto(f"{live.url}/kios/lahat")
    kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    kiosk.get_by_role("link", name=AGENCY).click()
    kiosk.get_by_role("button", name=SERVICE).click()
    kiosk.get_by_role("button", name="Ambil nomor antrean").click()
    kiosk.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    assert re.fullmatch(r"U-\d{3}", kiosk.locator(".number").inner_text())
    screen(kiosk, "92-kios-tiket-layanan-baru-1080x1920")

    manager.goto(live.url + "/mpp/lahat/layanan/L-0002")
    served = " ".join(manager.locator("#served-at p").first.inner_text().split())
    assert served == "Dilayani di Loket 21 (Lantai 2, sayap timur)."
    screen(manager, "93-layanan-dilayani-di")

    # Queue letters: the groups, then the new service's own letter and quotas.
    manager.goto(live.url + "/kelola/lahat/loket")
    manager.get_by_role("link", name="Huruf antrean dan kuota layanan").click()
    assert "L-0002" in manager.locator("#groups tr[data-prefix='U']").inner_text()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "94-huruf-antrean-1366x768")
    manager.locator("#queue-settings tr[data-service='L-0002']").get_by_role("link", name=re.compile("Ubah")).click()
    manager.get_by_label(re.compile("Huruf antrean")).fill("A")  # Dukcapil's letter: one numbering for two agencies
    manager.get_by_label(re.compile("Kuota tiket harian")).fill("lima puluh")
    manager.get_by_role("button", name="Simpan pengaturan").click()
    manager.wait_for_load_state()
    assert manager.locator("#daily_quota-error").is_visible()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "95-huruf-antrean-ubah-salah", full_page=True)
    manager.get_by_label(re.compile("Kuota tiket harian")).fill("50")
    manager.get_by_label(re.compile("Jam terakhir")).fill("14:00")
    manager.get_by_role("button", name="Simpan pengaturan").click()
    manager.wait_for_url(re.compile(r"/kelola/lahat/loket/layanan\?disimpan=L-0002"))
    assert "Dipakai lebih dari satu instansi" in manager.locator("#groups tr[data-prefix='A']").inner_text()
    row = manager.locator("#queue-settings tr[data-service='L-0002']").inner_text()
    assert "50" in row and "14:00" in row
    kiosk_ctx.close()
    manager_ctx.close()
