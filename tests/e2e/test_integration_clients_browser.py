"""The integration pages in real Chromium, as a site manager uses them: register a client system
(a missing contact e-mail is refused beside its field first), create a key for it and see the full
key once with its copy button, the client calls the API with it, the key list shows only its prefix,
then the manager revokes it after a confirmation and the client's next call is refused.
axe-core finds no serious violations."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "integration", history=False) as server:
        yield server


def test_a_manager_registers_a_client_issues_a_key_seen_once_and_revokes_it(browser, live, axe_source):  # noqa: F811
    laptop = new_context(browser, viewport={"width": 1366, "height": 768}, permissions=["clipboard-read",
                                                                                          "clipboard-write"])
    page = laptop.new_page()
    login(page, live, "pengelola")
    page.goto(live.url + "/kelola/lahat")
    page.get_by_role("link", name="Integrasi", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Integrasi sistem klien").count() == 1
    assert "Belum ada sistem klien." in page.locator("#clients").inner_text()

    page.get_by_label("Nama sistem").fill("Portal Layanan Lahat")
    page.get_by_label("Instansi pemilik").fill("Dinas Kominfo Kabupaten Lahat")
    page.get_by_label("Nama narahubung").fill("Rina Wulandari")
    page.get_by_role("button", name="Daftarkan").click()
    page.wait_for_load_state()
    # Refused beside the e-mail field, and what was typed is kept.
    assert page.locator("#contact_email[aria-invalid='true']").count() == 1
    assert page.locator("#contact_email-error").inner_text() == "Surel narahubung wajib diisi."
    assert page.get_by_label("Nama sistem").input_value() == "Portal Layanan Lahat"
    page.locator("#contact_email-error").scroll_into_view_if_needed()
    screen(page, "170-kelola-integrasi-surel-kosong-1366x768")
    assert serious_violations(page, axe_source) == []
    page.get_by_label("Surel narahubung").fill("rina@lahatkab.go.id")
    page.get_by_role("button", name="Daftarkan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Portal Layanan Lahat").count() == 1
    assert "Sistem klien terdaftar" in page.locator("[role=status]").inner_text()

    page.get_by_label("queue:read").check()
    page.get_by_label("stats:read").check()
    page.get_by_label("Instansi", exact=True).select_option("DUKCAPIL")
    page.get_by_label("Batas permintaan per menit").fill("120")
    page.get_by_role("button", name="Buat kunci").click()
    page.wait_for_load_state()
    key = page.get_by_label("Kunci API lengkap").input_value()
    assert key.startswith("sp_live_") and len(key) == 40
    assert "hanya tampil sekali" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Salin kunci").click()
    page.locator(".copy-status", has_text="Tersalin").wait_for()
    screen(page, "171-kelola-integrasi-kunci-baru-1366x768")
    assert serious_violations(page, axe_source) == []

    # The client system calls the API with the key it was just given.
    with httpx.Client(base_url=live.url, timeout=30) as api:
        assert api.get("/api/v1/sites/lahat/queue", headers={"Authorization": f"Bearer {key}"}).status_code == 200

    page.goto(page.url.removesuffix("/kunci"))  # opened again: never the key, only its prefix, scopes, last use
    assert key not in page.content() and page.get_by_label("Kunci API lengkap").count() == 0
    row = page.locator("#keys tbody tr").first
    assert key[:16] in row.inner_text() and "queue:read, stats:read" in row.inner_text()
    assert "Aktif" in row.inner_text() and "DUKCAPIL" in row.inner_text()
    page.goto(live.url + "/kelola/lahat/integrasi")
    listed = page.locator("#clients").inner_text()
    assert "Portal Layanan Lahat" in listed and key[:16] in listed and key not in page.content()
    screen(page, "172-kelola-integrasi-daftar-1366x768")
    assert serious_violations(page, axe_source) == []

    page.get_by_role("link", name="Portal Layanan Lahat").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=f"Cabut {key[:16]}").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Cabut kunci API: {key[:16]}…").count() == 1
    screen(page, "173-kelola-integrasi-cabut-1366x768")
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Ya, cabut kunci ini").click()
    page.wait_for_load_state()
    assert "Kunci API dicabut" in page.locator("[role=status]").inner_text()
    assert "Dicabut" in page.locator("#keys tbody tr").first.inner_text()
    screen(page, "174-kelola-integrasi-dicabut-1366x768")
    with httpx.Client(base_url=live.url, timeout=30) as api:
        refused = api.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": key})
        assert refused.status_code == 401

    page.goto(live.url + "/kelola/lahat/integrasi?lang=en")
    assert page.get_by_role("heading", name="Client system integration").count() == 1
    screen(page, "175-kelola-integrasi-en-1366x768")


def test_reloading_the_page_of_a_new_key_neither_shows_it_again_nor_makes_another(browser, live):
    """The manager creates a key and sees it once; reloading the page (or going back to it)
    shows only that the key was shown once, with the same single key in the list: no second
    key was made. Rotating a key and reloading likewise makes no third key."""
    laptop = new_context(browser, viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    login(page, live, "pengelola")
    page.goto(live.url + "/kelola/lahat/integrasi")
    page.get_by_label("Nama sistem").fill("SIAK Lahat")
    page.get_by_label("Instansi pemilik").fill("Disdukcapil Kabupaten Lahat")
    page.get_by_label("Nama narahubung").fill("Dedi Saputra")
    page.get_by_label("Surel narahubung").fill("dedi@lahatkab.go.id")
    page.get_by_role("button", name="Daftarkan").click()
    page.wait_for_load_state()
    page.get_by_label("queue:read").check()
    page.get_by_role("button", name="Buat kunci").click()
    page.wait_for_load_state()
    key = page.get_by_label("Kunci API lengkap").input_value()
    assert key.startswith("sp_live_")
    assert "kunci=baru" in page.url  # the POST answered with a redirect: the page is a GET
    assert page.locator("#keys tbody tr").count() == 1

    page.reload()
    page.wait_for_load_state()
    assert key not in page.content() and page.get_by_label("Kunci API lengkap").count() == 0
    assert "hanya ditampilkan sekali" in page.locator("[role=status]").first.inner_text()
    assert page.locator("#keys tbody tr").count() == 1  # still the one key
    assert key[:16] in page.locator("#keys tbody tr").first.inner_text()
    screen(page, "235-kelola-integrasi-kunci-dimuat-ulang-1366x768")

    page.get_by_role("button", name=f"Ganti kunci {key[:16]}").click()
    page.wait_for_load_state()
    new = page.get_by_label("Kunci API lengkap").input_value()
    assert new.startswith("sp_live_") and new != key
    assert page.locator("#keys tbody tr").count() == 2
    page.reload()
    page.wait_for_load_state()
    assert new not in page.content() and page.locator("#keys tbody tr").count() == 2
    page.go_back()
    page.wait_for_load_state()
    assert new not in page.content() and key not in page.content()
    with httpx.Client(base_url=live.url, timeout=30) as api:
        assert api.get("/api/v1/sites/lahat/queue", headers={"X-API-Key": new}).status_code == 200
    laptop.close()
