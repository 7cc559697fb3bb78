"""Citizen pages pass axe-core (from npm) with no serious or critical violations, in Indonesian."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_front_of_house import device, live  # noqa: F401  (the module's server fixture)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("SATUPINTU_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail("axe-core missing: run `npm ci`")
        pytest.skip("axe-core missing: run `npm ci`")
    return AXE.read_text()


def serious_violations(page, axe_source: str) -> list[str]:  # type: ignore[no-untyped-def]
    # Not as a <script> tag: the pages' Content-Security-Policy refuses inline scripts. Evaluated
    # through the DevTools protocol, axe-core runs in the page as an auditor, outside the policy.
    page.context.new_cdp_session(page).send("Runtime.evaluate", {"expression": axe_source})
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ["/mpp/lahat", "/mpp/lahat/layanan?q=akta+lahir", "/mpp/lahat/layanan/DKC-04",
                                  "/mpp/lahat/instansi/DUKCAPIL", "/mpp/lahat/pengaduan", "/pengaduan",
                                  "/mpp/lahat/ikm", "/masuk"])
def test_public_pages_have_no_serious_accessibility_violations(page, live, axe_source, path):  # noqa: F811
    page.goto(live.url + path)
    assert serious_violations(page, axe_source) == []


def test_kiosk_ticket_and_phone_pages_have_no_serious_violations(page, live, axe_source):  # noqa: F811
    import re

    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    assert serious_violations(page, axe_source) == []
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    ticket_id = re.search(r"/antrian/([0-9a-f-]+)/cetak", page.url).group(1)
    page.goto(f"{live.url}/antrian/{ticket_id}")
    assert serious_violations(page, axe_source) == []


def test_kiosk_and_phone_pages_read_at_200_percent_zoom_without_sideways_scrolling(browser, live):  # noqa: F811
    import re

    from tests.e2e.conftest import new_context

    context = new_context(browser, viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    ticket_id = re.search(r"/antrian/([0-9a-f-]+)/cetak", page.url).group(1)
    for path in ("/kios/lahat?instansi=DUKCAPIL", f"/antrian/{ticket_id}", "/mpp/lahat/pengaduan", "/mpp/lahat/pesan"):
        page.goto(live.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, path
    context.close()
