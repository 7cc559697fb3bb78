"""Browser: a citizen books on a phone, opens the booking page, cancels, and sees the seat back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.dayclock import next_local_weekday
from tests.e2e.conftest import SHOTS, demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "cancel") as server:
        yield server


def screen(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS_SHOTS / path.name)


def next_weekday() -> date:
    return next_local_weekday()


def test_citizen_cancels_a_booking_and_the_seat_returns_to_the_form(browser, live, axe_source):  # noqa: F811
    ctx = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    form = f"{live.url}/mpp/lahat/pesan?layanan=DKC-04&tanggal={next_weekday().isoformat()}"
    page.goto(form)
    first = page.locator("label.choice").first
    seats_before = first.inner_text()
    assert "(4 tersisa)" in seats_before
    first.locator("input").check()
    page.fill("#name", "Dewi Lestari")
    page.fill("#phone", "081234567890")
    page.get_by_role("button", name="Pesan", exact=True).click()
    page.wait_for_url("**/pesan/*")
    assert page.locator("h1").inner_text() == "Pemesanan berhasil"
    page.goto(form)
    assert "(3 tersisa)" in page.locator("label.choice").first.inner_text()
    page.go_back()
    page.get_by_role("link", name="Batalkan pemesanan").click()
    page.wait_for_url("**/batal")
    assert page.locator("h1").inner_text() == "Batalkan pemesanan?"
    assert "Dewi Lestari" in page.content()
    assert serious_violations(page, axe_source) == []
    screen(page, "booking-cancel-confirm-phone")
    page.get_by_role("button", name="Ya, batalkan pemesanan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Pemesanan dibatalkan"
    assert "Dewi Lestari" not in page.content()
    assert serious_violations(page, axe_source) == []
    screen(page, "booking-cancel-done-phone")
    page.get_by_role("link", name="Pesan jadwal lain").click()
    page.wait_for_url("**/mpp/lahat/pesan*")
    assert page.locator("label.choice").first.inner_text() == seats_before
    ctx.close()
