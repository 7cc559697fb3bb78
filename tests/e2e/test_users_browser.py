"""The users page in real Chromium, as a site manager uses it: create a counter officer (a
taken username is refused beside the field first), note the password shown once, the officer
signs in with it; then the manager deactivates the account after a confirmation and the officer
can no longer sign in. axe-core finds no serious violations."""

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
    with demo_server(tmp_path_factory, "users") as server:
        yield server


def sign_in(page, live, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live.url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def test_a_manager_creates_an_officer_who_signs_in_then_deactivates_the_account(browser, live, axe_source):  # noqa: F811
    laptop = new_context(browser, viewport={"width": 1366, "height": 768})
    manager = laptop.new_page()
    login(manager, live, "pengelola")
    manager.goto(live.url + "/kelola/lahat")
    manager.get_by_role("link", name="Pengguna", exact=True).click()
    manager.wait_for_load_state()
    assert manager.locator("#users tbody tr", has_text="petugas.dukcapil").count() == 1  # the site's accounts
    assert serious_violations(manager, axe_source) == []

    def fill(username: str) -> None:
        manager.get_by_label("Nama pengguna").fill(username)
        manager.get_by_label("Nama lengkap").fill("Rina Marlina")
        manager.get_by_label("Peran").select_option("counter_officer")
        manager.get_by_label("Instansi (wajib untuk admin instansi dan petugas loket)").select_option("DUKCAPIL")
        manager.get_by_role("button", name="Buat akun").click()
        manager.wait_for_load_state()

    fill("petugas.dukcapil")  # taken: refused beside the field, nothing created
    assert manager.locator("#username[aria-invalid='true']").count() == 1
    assert manager.locator("#users").inner_text().count("Rina Marlina") == 0
    screen(manager, "96-kelola-pengguna-nama-dipakai-1366x768")
    fill("rina.dukcapil")
    password = manager.locator("#one-time-password").inner_text().strip()
    assert len(password) >= 10 and "rina.dukcapil" in manager.locator("#users").inner_text()
    screen(manager, "97-kelola-pengguna-dibuat-1366x768")
    assert serious_violations(manager, axe_source) == []

    officer = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    sign_in(officer, live, "rina.dukcapil", password)
    assert "/masuk" not in officer.url  # signed in with the password shown once

    row = manager.locator("#users tr", has_text="rina.dukcapil")
    row.get_by_role("link", name="Nonaktifkan rina.dukcapil").click()
    manager.wait_for_load_state()
    assert serious_violations(manager, axe_source) == []
    manager.get_by_role("button", name="Ya, lanjutkan").click()
    manager.wait_for_load_state()
    assert "Aktifkan" in manager.locator("#users tr", has_text="rina.dukcapil").inner_text()

    again = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    sign_in(again, live, "rina.dukcapil", password)
    assert "/masuk" in again.url  # a deactivated account cannot sign in
    officer.goto(live.url + "/kelola")
    assert "/masuk" in officer.url  # and its open session has ended
