"""The manager's history dashboard in real Chromium (laptop, 1366x768): the demo's past weeks
shown as figures beside the previous period, visitors per day as a chart with its table, waits per
agency against the threshold, and the arrivals heatmap; the figures on the page equal the
service's; a filter by agency narrows every figure; a bad date is named beside its field."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from satupintu.oversight import service as oversight
from satupintu.scope import SYSTEM
from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "statistik") as server:
        yield server


def _period() -> tuple[str, str]:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    return (today - timedelta(days=27)).isoformat(), today.isoformat()


def test_the_manager_reads_the_past_weeks_on_the_dashboard(browser, live, axe_source):  # noqa: F811
    """Over the last four weeks the manager sees the visitors, served and waits of the demo's history,
    the same numbers the service computes, a chart and a table per day, and the heatmap."""
    start, end = _period()
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat")
    page.get_by_role("link", name="Statistik layanan").click()
    page.goto(f"{live.url}/kelola/lahat/statistik?dari={start}&sampai={end}")
    assert page.locator("h1").inner_text() == "Statistik layanan"
    figures = oversight.summary(live.app.state.db, SYSTEM, "lahat", datetime.fromisoformat(start).date(),
                                datetime.fromisoformat(end).date())
    assert figures.visitors > 500
    cards = {li.locator("span").first.inner_text(): li.locator(".value").inner_text()
             for li in page.locator(".figures li").all()}
    assert cards["Pengunjung"] == f"{figures.visitors:,}".replace(",", ".")
    assert cards["Dilayani"] == f"{figures.served:,}".replace(",", ".")
    assert cards["Median waktu tunggu"].endswith(" mnt")
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() >= 10  # the demo's working days in four weeks
    assert sum(int(r.locator("td").first.inner_text()) for r in rows.all()) == figures.visitors
    assert page.locator("svg.chart").count() == 2
    assert page.locator("table.heat tbody tr").count() >= 5
    assert serious_violations(page, axe_source) == []
    screen(page, "150-statistik-1366x768")
    screen(page, "151-statistik-halaman-penuh-1366x768", full_page=True)


def test_a_filter_by_agency_narrows_every_figure(browser, live):
    """Choosing Dukcapil shows only its visitors: fewer than the site's, and the agency table has one row."""
    start, end = _period()
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat/statistik?dari={start}&sampai={end}")
    site_visitors = page.locator(".figures li").first.locator(".value").inner_text()
    page.get_by_label("Instansi", exact=True).select_option(value="DUKCAPIL")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    assert "instansi=DUKCAPIL" in page.url
    agency_visitors = page.locator(".figures li").first.locator(".value").inner_text()
    assert int(agency_visitors.replace(".", "")) < int(site_visitors.replace(".", ""))
    assert page.locator("table").nth(1).locator("tbody tr").count() == 1


def test_a_bad_period_is_named_beside_its_field(browser, live):
    """An end before the start: the page answers 422 and says so under "Sampai tanggal"."""
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    response = page.goto(f"{live.url}/kelola/lahat/statistik?dari=2026-11-20&sampai=2026-11-01")
    assert response is not None and response.status == 422
    assert page.locator("#sampai-error").inner_text() == "Tanggal akhir harus sama atau setelah tanggal awal."
    response = page.goto(f"{live.url}/kelola/lahat/statistik?dari=kemarin")
    assert response is not None and response.status == 422
    assert "format tahun-bulan-tanggal" in page.locator("#dari-error").inner_text()


def test_the_csv_holds_the_same_figures(browser, live):
    """The CSV download has the period line and one line per day, visitors summing to the period's."""
    start, end = _period()
    page = new_context(browser).new_page()
    login(page, live, "pengelola")
    answer = page.request.get(f"{live.url}/kelola/lahat/statistik.csv?dari={start}&sampai={end}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.body().decode("utf-8-sig"))))
    assert lines[0][:4] == ["jenis", "kunci", "nama", "Pengunjung"]
    period = next(line for line in lines if line[0] == "periode")
    per_day = [line for line in lines if line[0] == "hari"]
    assert sum(int(line[3]) for line in per_day) == int(period[3])
