"""The feeds page in real Chromium (laptop, 1366x768): the manager opens "Umpan data nasional",
sees how many published services go to SIPPN and one of them field by field, reads the open data
per month, and a year typed wrongly is named beside the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context, shot
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_front_of_house import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "umpan") as server:
        yield server


def test_the_manager_reads_what_goes_to_national_platforms(browser, live, axe_source):  # noqa: F811
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat")
    page.get_by_role("link", name="Umpan data nasional").click()
    assert page.locator("h1").inner_text() == "Umpan data untuk platform nasional"
    assert page.get_by_role("link", name="Unduh XLSX untuk SIPPN").is_visible()
    example = page.locator("section[aria-labelledby=sippn-title] table").last
    assert "Persyaratan" in example.inner_text() and "1. " in example.inner_text()
    months = page.locator("#open-data tbody tr")
    assert months.count() >= 1 and "Dilayani" in page.locator("#open-data thead").inner_text()
    assert serious_violations(page, axe_source) == []
    shot(page, "190-umpan-data")
    page.get_by_label("Tahun").fill("dua ribu")
    page.get_by_role("button", name="Tampilkan").click()
    assert "angka" in page.locator("#tahun-error").inner_text()
    assert page.get_by_label("Tahun").input_value() == "dua ribu"  # what was typed stays
    page.get_by_label("Tahun").fill("1990")
    page.get_by_role("button", name="Tampilkan").click()
    assert "antara 2000" in page.locator("#tahun-error").inner_text()
    shot(page, "191-umpan-data-tahun-salah")
    page.context.close()
