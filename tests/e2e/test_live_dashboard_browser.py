"""The manager's live dashboard in real Chromium, against a real server with the demo (laptop
1366x768 and a 1920x1080 wall screen): a number issued through the API raises "Menunggu" for its
agency without a reload, calling it lowers it again, "Terakhir diperbarui" moves on; when the
stream is cut the page says so, and once it is back the figures catch up with what happened
meanwhile. Each figure has a label; axe finds nothing serious."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer, token_for
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login

ROW = "#per-agency tr[data-agency='{code}'] td[data-col='waiting']"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "dasbor") as server:
        yield server


def _waiting(page, code: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(ROW.format(code=code)).inner_text())


def _wait_waiting(page, code: str, value: int) -> None:  # type: ignore[no-untyped-def]
    """Until the agency's row shows the value, pushed by the stream (how fast is not timed here)."""
    page.wait_for_function("([s, v]) => { const el = document.querySelector(s); return el && el.textContent == v; }",
                           arg=[ROW.format(code=code), str(value)], timeout=10000)


def _clients(c: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    manager = token_for(c, "pengelola")
    kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                      json={"kind": "kiosk", "name": "K-dasbor"}).json()["token"]}
    officer = token_for(c, "petugas.dukcapil")
    c.post("/api/v1/sites/lahat/counters/4/open", headers=officer)
    return kiosk, officer


def test_a_ticket_raises_waiting_for_its_agency_and_calling_it_lowers_it(browser, live, axe_source):  # noqa: F811
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat")
    page.get_by_role("link", name="Dasbor hari ini").click()
    page.wait_for_load_state()
    assert page.url.endswith("/kelola/lahat/dasbor")
    assert page.locator("h1").inner_text() == "Dasbor hari ini"
    page.wait_for_selector("#live-state[data-state='up']")
    assert page.get_by_label("Menunggu sekarang").count() == 1  # each figure is named by its label
    assert page.get_by_label("Pengunjung hari ini").count() == 1
    assert page.get_by_label("IKM bulan ini").inner_text() != ""
    before = _waiting(page, "DUKCAPIL")
    stamp = page.locator("#updated").inner_text()
    with httpx.Client(base_url=live.url, timeout=30) as c:
        kiosk, officer = _clients(c)
        c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).raise_for_status()
        _wait_waiting(page, "DUKCAPIL", before + 1)
        # The fetch after the event comes two seconds at least after the page was rendered.
        assert page.locator("#updated").inner_text() != stamp
        waiting_now = int(page.get_by_label("Menunggu sekarang").inner_text().replace(".", ""))
        cells = page.locator("#per-agency tbody td[data-col='waiting']").all()
        assert waiting_now == sum(int(td.inner_text()) for td in cells)
        assert page.get_by_label("Tunggu terlama sekarang").inner_text() != "–"
        assert int(page.get_by_label("Loket buka", exact=True).inner_text()) >= 1
        assert serious_violations(page, axe_source) == []
        screen(page, "140-dasbor-hari-ini-1366x768")
        screen(page, "141-dasbor-hari-ini-halaman-penuh-1366x768", full_page=True)
        c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).raise_for_status()
        _wait_waiting(page, "DUKCAPIL", before)
    assert page.url.endswith("/kelola/lahat/dasbor")  # never reloaded


def test_a_cut_stream_is_said_and_the_figures_catch_up_when_it_returns(browser, live, axe_source):  # noqa: F811
    """On the wall screen the stream cannot connect (the network drops it): the page says the figures
    may be stale; a number issued meanwhile is not there yet. Once the stream gets through, the
    page says it is connected and shows that number."""
    ctx = new_context(browser, viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat/dasbor")
    page.wait_for_selector("#live-state[data-state='up']")
    screen(page, "142-dasbor-layar-dinding-1920x1080")
    assert serious_violations(page, axe_source) == []
    cut = re.compile(r".*/api/v1/sites/lahat/events.*")
    page.route(cut, lambda route: route.abort("internetdisconnected"))
    page.reload()  # the stream is opened again: the network refuses it
    page.wait_for_selector("#live-state[data-state='down']", timeout=15000)
    assert "terputus" in page.locator("#live-state").inner_text()
    before = _waiting(page, "DPMPTSP")
    with httpx.Client(base_url=live.url, timeout=30) as c:
        kiosk, _ = _clients(c)
        c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DPM-01"}).raise_for_status()
    page.set_viewport_size({"width": 1366, "height": 768})
    screen(page, "143-dasbor-siaran-terputus-1366x768")
    assert _waiting(page, "DPMPTSP") == before  # nothing pushed while the stream is down
    page.unroute(cut)
    page.wait_for_selector("#live-state[data-state='up']", timeout=20000)
    _wait_waiting(page, "DPMPTSP", before + 1)  # resynchronised from the snapshot
    assert "Tersambung" in page.locator("#live-state").inner_text()


def test_the_dashboard_in_english(browser, live):
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat/dasbor?lang=en")
    assert page.locator("h1").inner_text() == "Today's dashboard"
    assert page.get_by_label("Waiting now").count() == 1
    assert "Last updated" in page.content()


def test_the_snapshot_the_page_fetches_has_the_same_scope_as_the_page(browser, live):
    """The manager's JSON snapshot adds up (agencies' waiting = waiting); someone signed out gets none."""
    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, live, "pengelola")
    snap = page.request.get(f"{live.url}/kelola/lahat/dasbor.json").json()
    assert sum(a["waiting"] for a in snap["agencies"]) == snap["raw"]["waiting"]
    assert snap["updated"].count(":") == 2  # HH:MM:SS in the site's zone
    with httpx.Client(base_url=live.url) as c:
        anonymous = c.get("/kelola/lahat/dasbor.json", headers={"Accept": "application/json"})
    assert anonymous.status_code in (303, 401)
