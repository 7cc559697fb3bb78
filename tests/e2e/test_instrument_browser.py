"""The readiness instrument in real Chromium (laptop, 1366x768): the national overseer opens
"Instrumen penilaian kesiapan" from the national view, types a weight that breaks the sum and a
band line that cannot be read, sees each message beside its box and nothing saved, fixes them and
saves version 2; Lahat's manager then reads the new version without a form, and the
self-assessment says which version it is scored with."""

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
    with demo_server(tmp_path_factory, "instrumen", history=False) as server:
        yield server


def test_the_overseer_edits_the_instrument_and_the_manager_reads_it(browser, live, axe_source):  # noqa: F811
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "overseer")
    page.goto(f"{live.url}/nasional")
    page.get_by_role("link", name="Instrumen penilaian kesiapan").click()
    assert page.locator("h1").inner_text() == "Instrumen penilaian kesiapan"
    assert "Versi 1" in page.locator("main").inner_text()
    assert serious_violations(page, axe_source) == []
    screen(page, "205-instrumen-1366x768")

    page.get_by_label("Bobot aspek (%)").first.fill("35")  # Kebijakan Pelayanan 30 -> 35: the sum is 105
    page.locator("[id='aspects[0].indicators[0].bands']").fill("1 = 5\nsembilan puluh persen")
    page.get_by_role("button", name="Simpan sebagai versi baru").click()
    page.wait_for_load_state()
    assert page.locator("#ringkasan-galat").is_visible()
    assert page.locator("[id='aspects-error']").inner_text() == "Jumlah bobot aspek harus 100, sekarang 105."
    bands_error = page.locator("[id='aspects[0].indicators[0].bands-error']").inner_text()
    assert bands_error.startswith("Baris 2: tulis 'nilai minimum = skor'")
    assert page.locator("[id='aspects[0].indicators[0].bands']").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Bobot aspek (%)").first.input_value() == "35"  # what was typed stays
    assert "Versi 1" in page.locator("main").inner_text()  # nothing saved
    assert serious_violations(page, axe_source) == []
    screen(page, "206-instrumen-ringkasan-galat-1366x768")
    page.locator("#ringkasan-galat").get_by_role("link", name="Baris 2: tulis").click()  # the summary leads to the box
    page.locator("[id='aspects[0].indicators[0].bands']").scroll_into_view_if_needed()
    screen(page, "207-instrumen-galat-1366x768")

    page.get_by_label("Bobot aspek (%)").first.fill("24")
    page.get_by_label("Bobot aspek (%)").nth(5).fill("18")  # Inovasi 7 -> 18
    page.get_by_label("Bobot aspek (%)").nth(1).fill("13")  # Profesionalisme SDM 18 -> 13: 24+13+15+15+15+18
    page.locator("[id='aspects[0].indicators[0].bands']").fill("1 = 5\n0,9 = 4\n0,75 = 3\n0,5 = 2")
    page.get_by_label("Catatan perubahan (tidak wajib)").fill("Bobot mengikuti instrumen 2024")
    page.get_by_role("button", name="Simpan sebagai versi baru").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Instrumen tersimpan sebagai versi 2."
    assert page.get_by_label("Bobot aspek (%)").first.input_value() == "24"
    assert "Bobot mengikuti instrumen 2024" in page.locator("main").inner_text()

    manager = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(manager, live, "pengelola")
    manager.goto(f"{live.url}/kelola/lahat/kesiapan")
    assert "(versi 2)" in manager.locator("main").inner_text()
    assert "Kebijakan Pelayanan (24 %)" in manager.locator(".index").inner_text()
    manager.get_by_role("link", name="Instrumen penilaian kesiapan").click()
    assert manager.locator("form[action='/nasional/instrumen']").count() == 0
    assert "Hanya pengawas nasional yang dapat mengubah instrumen" in manager.locator("main").inner_text()
    assert manager.get_by_role("heading", name="Kebijakan Pelayanan · 24 %").is_visible()
    assert serious_violations(manager, axe_source) == []
    screen(manager, "208-instrumen-pengelola-1366x768")
    refused = manager.request.post(f"{live.url}/nasional/instrumen", form={"name": "x"})
    assert refused.status in (403, 400)  # no CSRF token, and not theirs either way
