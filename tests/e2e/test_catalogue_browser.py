"""A citizen finds a service and reads its standard in a real browser; staff import a catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import new_context, shot


@pytest.fixture(scope="module")
def site_server(tmp_path_factory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    with LiveServer(db) as live:
        yield live
    db.dispose()


def test_a_citizen_searches_akta_lahir_and_reads_the_requirements(page, site_server):
    page.goto(site_server.url + "/")
    assert page.locator("h1").inner_text() == "MPP Kabupaten Lahat"
    shot(page, "01-beranda-mpp")
    page.get_by_placeholder("Cari layanan, misalnya").fill("akta lahir")
    page.keyboard.press("Enter")
    page.wait_for_url("**/layanan?q=*")
    first = page.locator("tbody tr").first
    assert "Penerbitan Akta Kelahiran" in first.inner_text()
    shot(page, "02-hasil-pencarian")
    first.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "Penerbitan Akta Kelahiran"
    assert page.get_by_role("term").filter(has_text="Persyaratan").is_visible()
    assert page.locator("dl.standard dt").count() == 14
    shot(page, "03-standar-pelayanan")


def test_english_switch_and_keyboard_only_use(page, site_server):
    page.goto(site_server.url + "/mpp/lahat")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("el => el === document.activeElement")
    page.get_by_role("link", name="EN", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Opening hours").is_visible()
    page.goto(site_server.url + "/mpp/lahat/layanan?q=ktp")
    assert page.locator("th").first.inner_text() == "Services"
    shot(page, "04-english")


def test_readable_at_200_percent_zoom_without_sideways_scrolling(browser, site_server):
    context = new_context(browser, viewport={"width": 640, "height": 900}, device_scale_factor=2)
    p = context.new_page()
    p.goto(site_server.url + "/mpp/lahat/layanan/DPM-02")
    overflow = p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    shot(p, "05-zoom-200")
    context.close()


def test_staff_sign_in_and_see_the_management_page(page, site_server):
    page.goto(site_server.url + "/masuk")
    page.get_by_label("Nama pengguna").fill("pengelola")
    page.get_by_label("Kata sandi").fill("salah-sekali-ini")
    page.get_by_role("button", name="Masuk").click()
    assert page.locator("#password-error").inner_text() == "Nama pengguna atau kata sandi salah."
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/kelola/lahat")
    assert "Perjanjian kerja sama yang perlu perhatian" in page.content()
    shot(page, "06-kelola")
