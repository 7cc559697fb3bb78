"""Agreements and booths in real Chromium at the officer's laptop size (1366x768): the manager
enters a PKS that has already ended for an agency, and the citizen's booking page refuses that
agency's service with the reason; the manager renews it and booking works again at once. The
manager uploads the scan and downloads the same bytes; keeps a booth's rota and sees who is in
it today. Every new page passes axe-core with no serious violations."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.catalogue.test_agreements import PDF, SERVICE, add_bookable_agency, bookable_day, today_at_lahat
from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login

AGENCY_NAME = "Kantor Kementerian Agama Kabupaten Lahat"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "agreements") as server:
        add_bookable_agency(server.app.state.db)
        yield server


def laptop(browser):  # type: ignore[no-untyped-def]
    return new_context(browser, viewport={"width": 1366, "height": 768})


def test_an_expired_pks_stops_bookings_until_it_is_renewed(browser, live, axe_source, tmp_path):  # noqa: F811
    """The citizen picks the Kemenag service and sees slots; after the manager enters its ended
    PKS the page says, beside the service, that it cannot be booked online because the agreement
    has ended (the API answers 409 agreement_expired); after the renewal the slots are back and a
    booking goes through."""
    day, _free = bookable_day(live.app.state.db)
    citizen_ctx = new_context(browser, viewport={"width": 412, "height": 915})
    citizen = citizen_ctx.new_page()
    booking_url = f"{live.url}/mpp/lahat/pesan?layanan={SERVICE}&tanggal={day.isoformat()}"
    citizen.goto(booking_url)
    assert citizen.locator("input[name=slot]").count() > 0  # no agreement recorded: bookable

    ctx = laptop(browser)
    manager = ctx.new_page()
    login(manager, live, "pengelola")
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Perjanjian kerja sama", exact=True).click()
    manager.wait_for_url(re.compile(r"/kelola/lahat/perjanjian$"))
    assert serious_violations(manager, axe_source) == []
    # A mistake first: the end before the start is refused beside the end date, nothing saved.
    manager.get_by_label("Instansi", exact=True).select_option(label=AGENCY_NAME)
    manager.get_by_label("Nomor perjanjian").fill("PKS/09/MPP-LHT/I/2024")
    manager.get_by_label("Judul").fill("Penyelenggaraan Layanan Keagamaan pada MPP Kabupaten Lahat")
    ended = today_at_lahat() - timedelta(days=1)
    manager.get_by_label("Tanggal mulai").fill("2024-01-02")
    manager.get_by_label("Tanggal berakhir").fill("2023-12-31")
    manager.get_by_role("button", name="Simpan perjanjian").click()
    manager.wait_for_load_state()
    assert "setelah tanggal mulai" in manager.locator("#ends_on-error").inner_text()
    assert manager.get_by_label("Tanggal berakhir").get_attribute("aria-invalid") == "true"
    assert manager.get_by_label("Nomor perjanjian").input_value() == "PKS/09/MPP-LHT/I/2024"  # kept
    assert manager.locator("#agency-KEMENAG tbody tr").count() == 0
    manager.get_by_label("Tanggal berakhir").fill(ended.isoformat())
    manager.get_by_role("button", name="Simpan perjanjian").click()
    manager.wait_for_url(re.compile(r"done=added"))
    section = manager.locator("#agency-KEMENAG")
    assert "Berakhir" in section.locator("tbody tr").inner_text()
    assert "tidak dapat dipesan daring" in manager.locator("#lapsed-KEMENAG").inner_text()
    assert "PKS/09/MPP-LHT/I/2024" in manager.locator("#expiring").inner_text()
    screen(manager, "90-kelola-perjanjian-berakhir-1366x768", full_page=True)

    citizen.goto(booking_url)
    assert citizen.locator("input[name=slot]").count() == 0
    refusal = citizen.locator("#service-error").inner_text()
    assert "tidak dapat dipesan daring" in refusal and "perjanjian kerja sama" in refusal
    screen(citizen, "91-pesan-ditolak-perjanjian-berakhir")
    with live.client() as api:
        slot = _free[0].start.isoformat()
        resp = api.post("/api/v1/sites/lahat/bookings", json={"service": SERVICE, "slot_start": slot, "name": "Siti",
                                                               "phone": "081234567890"})
        assert resp.status_code == 409
        assert resp.json()["error"]["code"] == "agreement_expired" and resp.json()["error"]["field"] == "service"

    # The upload: a text file named .pdf is refused beside the file field; a real PDF is kept.
    row = manager.locator("#agency-KEMENAG tbody tr").first
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"<html>bukan pdf</html>")
    row.locator("input[type=file]").set_input_files(str(fake))
    row.get_by_role("button", name=re.compile("^Unggah PKS")).click()
    manager.wait_for_load_state()
    row = manager.locator("#agency-KEMENAG tbody tr").first
    assert "PDF, JPEG atau PNG" in row.locator(".field-error").inner_text()
    assert serious_violations(manager, axe_source) == []
    real = tmp_path / "PKS Kemenag 2024.pdf"
    real.write_bytes(PDF)
    row.locator("input[type=file]").set_input_files(str(real))
    row.get_by_role("button", name=re.compile("^Unggah PKS")).click()
    manager.wait_for_url(re.compile(r"done=file"))
    link = manager.locator("#agency-KEMENAG tbody tr").first.get_by_role("link", name="PKS Kemenag 2024.pdf")
    with manager.expect_download() as download:
        link.click()
    saved = download.value.path()
    assert saved and hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(PDF).hexdigest()
    with live.client() as anonymous:  # the file is not public
        href = link.get_attribute("href")
        assert href and anonymous.get(href).status_code in (303, 401)

    # The renewal, from the warning panel: the form starts the day after the old one ended.
    manager.locator("#expiring").get_by_role("link", name="Perpanjang PKS/09/MPP-LHT/I/2024").click()
    manager.wait_for_url(re.compile(r"/perpanjang$"))
    assert manager.get_by_label("Tanggal mulai").input_value() == (ended + timedelta(days=1)).isoformat()
    assert serious_violations(manager, axe_source) == []
    manager.get_by_label("Nomor perjanjian").fill("PKS/21/MPP-LHT/XII/2026")
    manager.get_by_label("Tanggal berakhir").fill((ended + timedelta(days=3 * 365)).isoformat())
    screen(manager, "92-kelola-perjanjian-perpanjang-1366x768", full_page=True)
    manager.get_by_role("button", name="Simpan perpanjangan").click()
    manager.wait_for_url(re.compile(r"done=renewed"))
    section = manager.locator("#agency-KEMENAG")
    assert manager.locator("#lapsed-KEMENAG").count() == 0
    assert "memperpanjang PKS/09/MPP-LHT/I/2024" in section.inner_text()
    assert "PKS/09/MPP-LHT/I/2024" not in manager.locator("#expiring").inner_text()

    citizen.goto(booking_url)
    assert citizen.locator("#service-error").count() == 0
    citizen.get_by_label("Nama", exact=True).fill("Siti Rahmawati")
    citizen.get_by_label("Nomor ponsel", exact=True).fill("081234567890")
    citizen.get_by_role("button", name="Pesan", exact=True).click()
    citizen.wait_for_url(re.compile(r"/pesan/[A-Z0-9]{8}$"))
    manager.goto(live.url + "/kelola/lahat")
    assert "Segera berakhir" in manager.locator("#expiring-h").inner_text()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "93-kelola-beranda-segera-berakhir-1366x768", full_page=True)
    citizen_ctx.close()
    ctx.close()


def test_a_booth_rota_shows_who_is_in_today_and_refuses_an_overlap(browser, live, axe_source):  # noqa: F811
    """The manager opens a booth, gives it a week's turn from today and the next week to someone
    else: the list says who is in it today and next; a turn that overlaps is refused beside its
    start date; the public site page shows today's occupant."""
    today = today_at_lahat()
    ctx = laptop(browser)
    manager = ctx.new_page()
    login(manager, live, "pengelola")
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Gerai UMKM", exact=True).click()
    manager.wait_for_url(re.compile(r"/kelola/lahat/umkm$"))
    assert serious_violations(manager, axe_source) == []
    manager.locator("tr[data-booth='Kriya Megalit Lahat']").get_by_role("link").click()
    for start, end, owner in ((today, today + timedelta(days=6), "Ibu Rina Marlina"),
                              (today + timedelta(days=7), today + timedelta(days=13), "Pak Ujang Saputra")):
        manager.get_by_label("Mulai", exact=True).fill(start.isoformat())
        manager.get_by_label("Selesai", exact=True).fill(end.isoformat())
        manager.get_by_label("Pengisi (pemilik usaha)").fill(owner)
        manager.get_by_label("Produk yang dijual").fill("Songket dan tenun Lahat")
        manager.get_by_role("button", name="Simpan giliran").click()
        manager.wait_for_url(re.compile(r"done=turn"))
    assert manager.locator("#today-owner").inner_text() == "Ibu Rina Marlina"
    assert "Pak Ujang Saputra" in manager.locator("#next-owner").inner_text()
    manager.get_by_label("Mulai", exact=True).fill((today + timedelta(days=3)).isoformat())
    manager.get_by_label("Selesai", exact=True).fill((today + timedelta(days=8)).isoformat())
    manager.get_by_label("Pengisi (pemilik usaha)").fill("Ibu Sari")
    manager.get_by_role("button", name="Simpan giliran").click()
    manager.wait_for_load_state()
    assert "Bertabrakan" in manager.locator("#turn-starts_on-error").inner_text()
    assert manager.locator("#turns tbody tr").count() == 2  # nothing half-saved
    assert serious_violations(manager, axe_source) == []
    screen(manager, "94-kelola-gerai-giliran-1366x768", full_page=True)
    manager.goto(live.url + "/kelola/lahat/umkm")
    row = manager.locator("tr[data-booth='Kriya Megalit Lahat']")
    assert "Ibu Rina Marlina" in row.locator(".today").inner_text()
    assert "Pak Ujang Saputra" in row.locator(".next").inner_text()
    screen(manager, "95-kelola-umkm-1366x768", full_page=True)
    manager.goto(live.url + "/mpp/lahat")
    assert "Ibu Rina Marlina" in manager.get_by_role("heading", name="Kriya Megalit Lahat").locator("..").inner_text()
    ctx.close()
