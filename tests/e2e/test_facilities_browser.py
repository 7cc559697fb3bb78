"""The facilities checklist in real Chromium (laptop, 1366x768): the manager marks the waiting
room available, the ramp partly there with a due date, uploads a photo of the waiting room, and
reads the measure; a due date on an available facility is refused beside its field and nothing is
saved; the evaluation report then lists the facility findings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login
from tests.feedback import files


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "sarana", history=False) as server:
        yield server


def test_the_manager_fills_in_the_checklist(browser, live, axe_source, tmp_path):  # noqa: F811
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat")
    page.get_by_role("link", name="Sarana dan prasarana").click()
    assert page.locator("h1").inner_text() == "Sarana dan prasarana"
    assert serious_violations(page, axe_source) == []

    # A due date on an available facility: refused beside the field, nothing saved.
    page.get_by_label("Status Ruang tunggu").select_option("tersedia")
    page.get_by_label("Tenggat Ruang tunggu").fill("2026-12-31")
    page.get_by_role("button", name="Simpan daftar sarana").click()
    page.wait_for_load_state()
    assert page.locator("#due-ruang_tunggu-error").inner_text() == (
        "Tenggat hanya untuk sarana yang belum ada atau baru sebagian.")
    assert page.get_by_label("Status Ruang tunggu").input_value() == "tersedia"  # what was typed stays
    screen(page, "154-sarana-tenggat-salah-1366x768")
    page.goto(f"{live.url}/kelola/lahat/sarana")
    assert page.get_by_label("Status Ruang tunggu").input_value() == ""

    page.get_by_label("Status Ruang tunggu").select_option("tersedia")
    page.get_by_label("Catatan Ruang tunggu").fill("120 kursi, AC")
    page.get_by_label("Status Jalur landai (ramp)").select_option("sebagian")
    page.get_by_label("Catatan Jalur landai (ramp)").fill("Pintu samping belum ada ramp")
    page.get_by_label("Tenggat Jalur landai (ramp)").fill("2027-01-31")
    page.get_by_label("Status Ruang laktasi").select_option("belum_ada")
    page.get_by_role("button", name="Simpan daftar sarana").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Daftar sarana tersimpan."
    photo = tmp_path / "ruang-tunggu.png"
    photo.write_bytes(files.png((64, 48)))
    page.locator("#file-ruang_tunggu").set_input_files(str(photo))
    page.locator("#photo-ruang_tunggu").get_by_role("button", name="Unggah").click()
    page.wait_for_load_state()
    assert page.locator("#row-ruang_tunggu img").count() == 1
    cards = page.locator(".measure li")
    assert "1 tersedia, 1 sebagian" in cards.first.inner_text()
    assert serious_violations(page, axe_source) == []
    screen(page, "155-sarana-foto-1366x768")
    page.goto(f"{live.url}/kelola/lahat/sarana")
    screen(page, "156-sarana-ringkasan-1366x768")

    # The evaluation report lists the findings in its facilities section.
    import io

    from pypdf import PdfReader
    answer = page.request.get(f"{live.url}/kelola/lahat/evaluasi.pdf")
    assert answer.status == 200
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(answer.body())).pages)
    section = text[text.index("7. Sarana dan prasarana"):text.index("8. Rekomendasi")]
    assert "Jalur landai (ramp)" in section and "Pintu samping belum ada ramp" in section
    assert "Ruang laktasi" in section and "belum ditetapkan" in section
