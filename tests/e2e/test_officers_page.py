"""The officers page in real Chromium: a site manager adds, corrects and deactivates an officer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from satupintu.accounts import service as accounts
from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import demo_server, new_context, shot
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_staffing_pages import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "officers") as server:
        yield server


def test_a_site_manager_adds_corrects_and_deactivates_an_officer(browser, live, axe_source):  # noqa: F811
    db = live.app.state.db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    demo_officers = len(staffing.list_officers(db, manager, "lahat"))
    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, live)
    page.goto(live.url + "/kelola/lahat")
    page.get_by_role("link", name="Petugas layanan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Petugas layanan", level=1).is_visible()
    assert page.locator("#officers tbody tr").count() == demo_officers

    # A form with mistakes comes back with the reasons beside the fields and the typing kept.
    page.get_by_label("Instansi").select_option("DUKCAPIL")
    page.get_by_label("Kode layanan yang boleh dilayani").fill("DKC-01, DKC-02")
    page.get_by_label("Batas jam kerja per hari").fill("25")
    page.get_by_label("Hari libur/cuti").fill("besok")
    page.get_by_role("button", name="Tambah petugas").click()
    page.wait_for_load_state()
    assert page.locator("#name-error").inner_text() == "Nama petugas wajib diisi."
    assert page.get_by_label("Nama").get_attribute("aria-invalid") == "true"
    assert "antara 0 dan 24 jam" in page.locator("#max_minutes_per_day-error").inner_text()
    assert "TTTT-BB-HH" in page.locator("#days_off-error").inner_text()
    assert page.get_by_label("Kode layanan yang boleh dilayani").input_value() == "DKC-01, DKC-02"
    assert page.get_by_label("Instansi").input_value() == "DUKCAPIL"
    assert len(staffing.list_officers(db, manager, "lahat")) == demo_officers  # nothing stored
    assert serious_violations(page, axe_source) == []

    page.get_by_label("Nama").fill("Sari Wulandari")
    page.get_by_label("Batas jam kerja per hari").fill("7,5")
    page.get_by_label("Hari libur/cuti").fill("2026-12-24")
    page.get_by_label("Sabtu").uncheck()
    page.get_by_label("Istirahat salat Jumat").check()
    page.get_by_role("button", name="Tambah petugas").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").first.inner_text() == "Data petugas tersimpan."
    row = page.locator("#officers tbody tr", has_text="Sari Wulandari")
    assert "7.5 / 40" in row.inner_text() and "DKC-01, DKC-02" in row.inner_text()
    sari = next(o for o in staffing.list_officers(db, manager, "lahat") if o.name == "Sari Wulandari")
    assert (sari.agency, sari.max_minutes_per_day, sari.friday_prayer, sari.days_off) == \
        ("DUKCAPIL", 450, True, [date(2026, 12, 24)])
    assert 5 not in sari.workdays

    # A service of another agency is refused by name; the officer is unchanged until it is right.
    row.get_by_role("link", name="Ubah").click()
    page.wait_for_load_state()
    assert page.get_by_label("Nama").input_value() == "Sari Wulandari"
    page.get_by_label("Kode layanan yang boleh dilayani").fill("DKC-01, DPM-01")
    page.get_by_role("button", name="Simpan perubahan").click()
    page.wait_for_load_state()
    assert "DPM-01" in page.locator("#services-error").inner_text()
    shot(page, "76-petugas-galat")
    page.get_by_label("Kode layanan yang boleh dilayani").fill("DKC-03")
    page.get_by_role("button", name="Simpan perubahan").click()
    page.wait_for_load_state()
    sari = next(o for o in staffing.list_officers(db, manager, "lahat") if o.name == "Sari Wulandari")
    assert sari.services == ["DKC-03"] and sari.max_minutes_per_day == 450

    page.get_by_role("button", name="Nonaktifkan Sari Wulandari").click()
    page.wait_for_load_state()
    assert "Nonaktif" in page.locator("#officers tbody tr", has_text="Sari Wulandari").inner_text()
    assert all(o.name != "Sari Wulandari" for o in staffing.list_officers(db, manager, "lahat"))
    shot(page, "75-petugas")

    page.goto(live.url + "/kelola/lahat/petugas?lang=en")
    assert page.get_by_role("heading", name="Service officers", level=1).is_visible()
    assert page.get_by_role("button", name="Add officer").is_visible()
    ctx.close()


def test_the_officers_page_needs_a_sign_in(live):
    with live.client(follow_redirects=False) as c:
        r = c.get("/kelola/lahat/petugas")
        assert r.status_code in (302, 303, 401)
