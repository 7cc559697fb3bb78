"""Pairing in real Chromium, two browsers as in the hall: a kiosk (or TV) opens /pasang and shows
a code; the manager, on their own laptop, types it and names the device; the kiosk opens its
queue screen by itself and can issue a ticket. No token is ever typed, shown or put in a URL."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import LiveServer, token_for
from tests.e2e.conftest import SHOTS, demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_front_of_house import login

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "pairing") as server:
        yield server


def screen(page, name: str, full_page: bool = False) -> None:
    """A screenshot kept with the tests' output and copied to docs/screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS_SHOTS / path.name)


def watch_urls(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def device_cookie(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "satupintu_device")


def pair_from_laptop(manager, live, code: str, name: str, kind: str, agencies: tuple[str, ...] = ()):
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Perangkat", exact=True).click()
    manager.get_by_label("Kode di layar perangkat").fill(code)
    manager.get_by_label("Nama perangkat").fill(name)
    manager.get_by_label(re.compile("Kios \\(ambil" if kind == "kiosk" else "Papan antrean")).check()
    for agency in agencies:
        manager.get_by_label(agency, exact=True).check()
    manager.get_by_role("button", name="Pasangkan", exact=True).click()
    manager.wait_for_load_state()


def test_a_kiosk_is_paired_by_its_code_and_then_issues_a_ticket(browser, live, axe_source):  # noqa: F811
    kiosk_ctx = new_context(browser, viewport={"width": 1080, "height": 1920})
    kiosk = kiosk_ctx.new_page()
    kiosk_urls = watch_urls(kiosk)
    kiosk.goto(live.url + "/pasang")
    code = kiosk.locator("#code").inner_text()
    assert re.fullmatch(r"[3479ACEFHJKMNPRTUVWXY]{4}-[3479ACEFHJKMNPRTUVWXY]{4}", code)
    assert kiosk.locator(".lead").first.inner_text() == "Buka Kelola > Perangkat di laptop petugas, lalu ketik kode ini"
    assert serious_violations(kiosk, axe_source) == []
    screen(kiosk, "80-pasang-kios-1080x1920")

    manager_ctx = new_context(browser, viewport={"width": 1366, "height": 768})
    manager = manager_ctx.new_page()
    login(manager, live, "pengelola")
    # A mistyped code: the error stands beside the code field, and nothing is paired.
    pair_from_laptop(manager, live, "KKKK-KKKK", "Kios lobi utara", "kiosk")
    assert "Kode tidak dikenal" in manager.locator("#code-error").inner_text()
    assert manager.get_by_label("Kode di layar perangkat").get_attribute("aria-invalid") == "true"
    assert manager.get_by_label("Nama perangkat").input_value() == "Kios lobi utara"  # kept for the retry
    assert serious_violations(manager, axe_source) == []
    screen(manager, "82-kelola-perangkat-kode-salah", full_page=True)
    # Typed as a person would: lower case, without the dash.
    pair_from_laptop(manager, live, code.lower().replace("-", ""), "Kios lobi utara", "kiosk")
    assert "Perangkat terpasang: Kios lobi utara" in manager.locator(".notice").inner_text()

    kiosk.wait_for_url(re.compile(r"/kios/lahat$"), timeout=15000)  # the poll took it there
    kiosk.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    kiosk.get_by_role("link", name=re.compile("Kependudukan")).click()
    kiosk.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    kiosk.get_by_role("button", name="Ambil nomor antrean").click()
    kiosk.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    assert re.fullmatch(r"[A-Z]-\d{3}", kiosk.locator(".number").inner_text())
    token = device_cookie(kiosk_ctx)
    assert token.startswith("dev_")
    assert not any(token in u or "token=" in u for u in kiosk_urls)  # never in a URL
    assert token not in manager.content() and token not in kiosk.content()  # never on a screen

    manager.reload()
    row = manager.locator("#devices tbody tr", has_text="Kios lobi utara")
    assert "Kios" in row.inner_text() and "Aktif" in row.inner_text()
    assert re.search(r"baru saja|menit lalu", row.inner_text())
    assert serious_violations(manager, axe_source) == []
    screen(manager, "83-kelola-perangkat-1366x768", full_page=True)
    kiosk_ctx.close()
    manager_ctx.close()


def test_a_board_is_paired_for_one_agency_renamed_and_revoked(browser, live, axe_source):  # noqa: F811
    tv_ctx = new_context(browser, viewport={"width": 1920, "height": 1080})
    tv = tv_ctx.new_page()
    tv_urls = watch_urls(tv)
    tv.goto(live.url + "/pasang")
    code = tv.locator("#code").inner_text()
    assert serious_violations(tv, axe_source) == []
    screen(tv, "81-pasang-tv-1920x1080")
    box = tv.locator("#code").bounding_box()
    assert box and box["height"] >= 200  # letters about 20 cm tall on a 43-inch TV: readable from 2 m

    manager_ctx = new_context(browser, viewport={"width": 1366, "height": 768})
    manager = manager_ctx.new_page()
    login(manager, live, "pengelola")
    pair_from_laptop(manager, live, code, "Papan Dukcapil", "board",
                     agencies=("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lahat",))
    tv.wait_for_url(re.compile(r"/papan/lahat$"), timeout=15000)
    assert tv.locator("body").get_attribute("data-agencies") == "DUKCAPIL"
    # Counters 1 (DPMPTSP) and 4 (Dukcapil) open: this board, paired for Dukcapil, shows 4 only.
    with live.client() as api:
        auth = token_for(api, "pengelola")
        for number in (1, 4):
            assert api.post(f"/api/v1/sites/lahat/counters/{number}/open", headers=auth).status_code == 200
    tv.wait_for_selector("#counters tr[data-counter='4']", timeout=5000)
    assert tv.locator("#counters tr[data-counter='1']").count() == 0
    token = device_cookie(tv_ctx)
    assert not any(token in u for u in tv_urls)

    row = manager.locator("#devices tbody tr", has_text="Papan Dukcapil")
    assert "DUKCAPIL" in row.inner_text()
    row.get_by_label(re.compile("Nama baru untuk")).fill("Papan lantai 1")
    row.get_by_role("button", name=re.compile("Ganti nama")).click()
    manager.wait_for_load_state()
    assert "Nama perangkat tersimpan." in manager.content()
    row = manager.locator("#devices tbody tr", has_text="Papan lantai 1")
    row.get_by_role("link", name=re.compile("Cabut")).click()
    assert "Cabut perangkat: Papan lantai 1" in manager.locator("h1").inner_text()  # asks first
    assert serious_violations(manager, axe_source) == []
    manager.get_by_role("button", name="Ya, cabut perangkat ini").click()
    manager.wait_for_load_state()
    assert "Dicabut" in manager.locator("#devices tbody tr", has_text="Papan lantai 1").inner_text()

    tv.reload()  # the revoked board stops working
    assert "sudah dicabut" in tv.content() and "/pasang" in tv.content()
    tv_ctx.close()
    manager_ctx.close()


def test_the_pairing_page_reads_in_english_through_the_language_switch(page, live):
    page.goto(live.url + "/pasang")
    page.get_by_role("link", name="EN").click()
    assert page.locator(".lead").first.inner_text() == "Open Manage > Devices on the staff laptop, then type this code"


def test_an_expired_code_says_so_and_the_screen_fetches_a_fresh_one(page, live):
    from sqlalchemy import update

    from satupintu.accounts.models import DevicePairing
    from satupintu.timeutil import utcnow

    page.goto(live.url + "/pasang")
    old = page.locator("#code").inner_text()
    with live.app.state.db.write() as s:  # ten minutes pass
        s.execute(update(DevicePairing).where(DevicePairing.code == old.replace("-", ""))
                  .values(created_at=utcnow() - timedelta(minutes=11), expires_at=utcnow() - timedelta(minutes=1)))
    page.wait_for_selector("#expired:not([hidden])", timeout=10000)
    assert page.locator("#expired .lead").inner_text() == "Kode kedaluwarsa — muat ulang"
    assert page.locator("#waiting").is_hidden()
    screen(page, "84-pasang-kedaluwarsa")
    page.wait_for_function("old => { const c = document.querySelector('#code');"
                           " return c && c.offsetParent !== null && c.textContent !== old; }", arg=old, timeout=20000)


def test_five_wrong_codes_pause_the_manager_with_the_reason_beside_the_code_field(browser, live):
    context = new_context(browser, viewport={"width": 1366, "height": 768})
    manager = context.new_page()
    login(manager, live, "overseer")  # a user of its own: the pause is per user
    for _ in range(5):
        pair_from_laptop(manager, live, "KKKK-KKKK", "Kios", "kiosk")
        assert "Kode tidak dikenal" in manager.locator("#code-error").inner_text()
    pair_from_laptop(manager, live, "KKKK-KKKK", "Kios", "kiosk")
    assert "Terlalu banyak kode yang salah. Tunggu 15 menit" in manager.locator("#code-error").inner_text()
    context.close()
