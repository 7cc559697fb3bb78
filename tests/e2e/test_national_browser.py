"""The national overseer's view in real Chromium (laptop, 1366x768): every site and mobile event
side by side with visitors, waits, IKM and facilities, the mall placed in Kabupaten Lahat, Sumatera
Selatan; sorting by visitors puts the mall first; a filter by province keeps it; the row opens the
site's statistics; the XLSX holds the same rows; a site manager may not open the view."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
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
    with demo_server(tmp_path_factory, "nasional") as server:
        yield server


def test_the_overseer_compares_every_site(browser, live, axe_source):  # noqa: F811
    from openpyxl import load_workbook

    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    start, end = today - timedelta(days=29), today
    expected = {r.code: r for r in oversight.national(live.app.state.db, SYSTEM, start, end)}
    assert {"lahat", "plaza-lematang"} <= set(expected)
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "overseer")
    page.goto(f"{live.url}/kelola")
    page.get_by_role("link", name="Semua MPP berdampingan: statistik nasional").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Semua MPP"
    mall = page.locator("tbody tr", has_text="MPP Kabupaten Lahat")
    assert "Kabupaten Lahat" in mall.inner_text() and "Sumatera Selatan" in mall.inner_text()
    assert mall.locator("td").nth(1).inner_text() == f"{expected['lahat'].figures.visitors:,}".replace(",", ".")
    page.get_by_role("link", name="Pengunjung").click()
    page.wait_for_load_state()
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Pengunjung")
    assert "MPP Kabupaten Lahat" in page.locator("tbody tr").first.inner_text()
    assert serious_violations(page, axe_source) == []
    screen(page, "157-nasional-1366x768")

    page.get_by_label("Provinsi").select_option("16")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == len(expected)

    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Unduh XLSX").click()
    book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    rows = list(book["Nasional"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Kode", "Nama", "Jenis")
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["lahat"][5] == expected["lahat"].figures.visitors

    page.locator("tbody tr", has_text="MPP Kabupaten Lahat").get_by_role("link", name="MPP Kabupaten Lahat").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Statistik layanan"


def test_a_site_manager_may_not_open_the_national_view(browser, live):
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    response = page.goto(f"{live.url}/nasional")
    assert response is not None and response.status == 403
