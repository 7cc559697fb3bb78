"""The readiness self-assessment in real Chromium (laptop, 1366x768): the manager opens "Penilaian
mandiri kesiapan", reads the index, the aspects and the gaps; a score chosen with no evidence for
an indicator that asks for it is saved and the gap says which document is missing; evidence ticked
closes it and the index rises."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "kesiapan") as server:
        yield server


def _index(page) -> float:  # type: ignore[no-untyped-def]
    text = page.locator(".index li").first.locator(".value").inner_text()
    return float(text.split("/")[0].strip().replace(",", "."))


def test_the_manager_scores_the_self_assessment(browser, live, axe_source):  # noqa: F811
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat")
    page.get_by_role("link", name="Penilaian mandiri kesiapan").click()
    assert page.locator("h1").inner_text() == "Penilaian mandiri kesiapan"
    assert page.locator(".index li").count() == 7  # the index and six aspects
    skm = page.locator("#ind-skm_indeks td").first.inner_text()
    assert skm != "belum ada data"  # the demo's surveys fill it in
    start = _index(page)
    assert serious_violations(page, axe_source) == []
    screen(page, "158-kesiapan-1366x768")

    page.get_by_label("Skor Kode etik dan aturan perilaku petugas ditetapkan dan diterapkan").select_option("5")
    page.get_by_role("button", name="Simpan penilaian").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Penilaian tersimpan."
    gap = page.locator("ol li", has_text="Kode etik dan aturan perilaku")
    assert "SK kode etik dan aturan perilaku" in gap.inner_text()  # scored, evidence still missing
    scored = _index(page)
    assert scored > start

    page.locator("#ind-kode_etik").get_by_label("SK kode etik dan aturan perilaku").check()
    page.get_by_role("button", name="Simpan penilaian").click()
    page.wait_for_load_state()
    assert page.locator("ol li", has_text="Kode etik dan aturan perilaku").count() == 0
    assert serious_violations(page, axe_source) == []
    screen(page, "159-kesiapan-dinilai-1366x768", full_page=True)
