"""The roster and capacity pages in real Chromium: Indonesian and English, findings, charts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import demo_server, new_context, shot


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "staffing") as server:
        yield server


def login(page, live, username="pengelola"):  # type: ignore[no-untyped-def]
    page.goto(live.url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def test_roster_page_shows_the_week_chart_and_the_empty_counter(browser, live):
    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, live)
    page.goto(live.url + "/kelola/lahat/jadwal")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", name="Jadwal petugas", level=1).is_visible()
    assert page.locator("svg.chart").count() == 5  # Senin to Jumat
    assert page.locator("svg.chart g.gap").count() == 1  # the red gap at Loket 9 on Wednesday
    finding = page.locator("li.finding[data-kind=uncovered]")
    assert finding.count() == 1 and "Loket 9" in finding.inner_text() and "11:00–11:30" in finding.inner_text()
    assert page.locator("svg.chart title").first.text_content().startswith("Senin")
    shot(page, "70-jadwal-petugas")

    # Generating Wednesday says exactly why it cannot be done.
    db = live.app.state.db
    wednesday = staffing.week_start(staffing.site_today(db, "lahat")) + timedelta(days=2)
    page.get_by_label("Mulai tanggal").fill(wednesday.isoformat())
    page.get_by_label("Jumlah hari").select_option("1")
    page.get_by_role("button", name="Buat jadwal").click()
    page.wait_for_load_state()
    reason = page.locator("#reasons li")
    assert reason.count() >= 1 and "Loket 9" in reason.first.inner_text()
    assert reason.first.get_attribute("data-code") == "constraints"
    shot(page, "71-jadwal-tidak-mungkin")

    page.goto(live.url + "/kelola/lahat/jadwal?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Staff roster", level=1).is_visible()
    assert page.get_by_role("heading", name="Roster check").is_visible()
    assert "findings this week." in page.locator("#finding-count").inner_text()
    page.goto(live.url + "/kelola/lahat/jadwal?lang=id")
    ctx.close()


def test_capacity_page_shows_forecast_and_waits_before_and_after(browser, live):
    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, live)
    page.goto(live.url + "/kelola/lahat/kapasitas?hari=0")
    assert page.get_by_role("heading", name="Perencanaan kapasitas", level=1).is_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Dinas Kependudukan dan Pencatatan Sipil "
                                                                          "Kabupaten Lahat"))
    assert section.locator("svg.chart[role=img]").count() == 2
    rows = section.locator("tbody tr")
    assert rows.count() >= 7
    peak = section.locator("tbody tr", has=page.locator("th", has_text="08:00"))
    assert "melebihi jumlah loket" in peak.inner_text()
    shot(page, "72-perencanaan-kapasitas")

    page.get_by_label("Hari").select_option("4")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_load_state()
    assert "Jumat" in page.locator("main").inner_text()

    page.goto(live.url + "/kelola/lahat/kapasitas?hari=0&lang=en")
    assert page.get_by_role("heading", name="Capacity planning", level=1).is_visible()
    assert page.get_by_role("columnheader", name="Wait before (minutes)").first.is_visible()
    assert "Monday" in page.locator("main").inner_text()
    shot(page, "73-capacity-plan-en")
    page.goto(live.url + "/kelola/lahat/kapasitas?lang=id")
    ctx.close()
