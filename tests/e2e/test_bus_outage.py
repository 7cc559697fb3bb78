"""A board and an officer's console in real Chromium while the event bus (a real redis-server)
is killed and started again: both say they are not live, and once Redis is back the board
shows and says every call made meanwhile, and the console shows its counter's new number."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import DEMO_PASSWORD, token_for
from tests.e2e.conftest import new_context, shot
from tests.procserver import ServerProcess
from tests.redisserver import RedisServer, require_redis_server

NOT_LIVE = "Tidak tersambung langsung — memuat ulang…"
# The board's voice, as its audio elements play it (headless Chromium has no speech voice).
RECORD_SPEECH = """
window.__spoken = [];
document.addEventListener("ended", e => { if (e.target.dataset && e.target.dataset.clip)
  window.__spoken.push(e.target.dataset.clip); }, true);
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[tuple[RedisServer, ServerProcess, ServerProcess]]:
    """Redis of the test's own; two app processes on one SQLite file: the hall's screens on
    one, the officers' and kiosks' requests on the other."""
    require_redis_server()
    url = f"sqlite:///{tmp_path_factory.mktemp('bus') / 'bus.db'}"
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    db.dispose()
    with RedisServer() as redis_server, ServerProcess(url, workers=1, redis_url=redis_server.url) as screens, \
            ServerProcess(url, workers=1, redis_url=redis_server.url) as desk:
        yield redis_server, screens, desk


def test_board_and_console_show_not_live_and_catch_up_with_calls_made_while_redis_was_down(browser, world):
    redis_server, screens, desk = world
    with httpx.Client(base_url=desk.url, timeout=30) as c:
        manager = token_for(c, "pengelola")
        board_token = c.post("/api/v1/sites/lahat/devices", headers=manager,
                             json={"kind": "board", "name": "TV"}).json()["token"]
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "K"}).json()["token"]}
        officer = token_for(c, "petugas.dukcapil")
        for counter in (4, 5):
            assert c.post(f"/api/v1/sites/lahat/counters/{counter}/open", headers=officer).status_code == 200

        tv = new_context(browser, viewport={"width": 1920, "height": 1080})
        tv.add_init_script(RECORD_SPEECH)
        board = tv.new_page()
        board.goto(f"{screens.url}/papan/lahat?token={board_token}")
        desk_ctx = new_context(browser)
        console = desk_ctx.new_page()
        console.goto(screens.url + "/masuk")
        console.get_by_label("Nama pengguna").fill("petugas.dukcapil")
        console.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
        console.get_by_role("button", name="Masuk").click()
        console.wait_for_load_state()
        console.goto(f"{screens.url}/loket/lahat/5")
        for page in (board, console):
            page.wait_for_selector("body[data-live='1']", timeout=15000)
            assert page.locator("#live-state").inner_text() == ""
        board.get_by_role("button", name="Ketuk untuk mengaktifkan suara").click()  # the autoplay rule
        board.wait_for_selector("#voice-state[data-state='active']", timeout=10000)

        redis_server.kill()
        for page in (board, console):
            page.wait_for_function("t => document.querySelector('#live-state').textContent === t", arg=NOT_LIVE,
                                   timeout=15000)
            assert page.get_by_role("status").filter(has_text=NOT_LIVE).count() == 1
        shot(board, "19-papan-tidak-langsung")
        shot(console, "20-konsol-tidak-langsung")

        first = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).json()["number"]
        second = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-03"}).json()["number"]
        assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["number"] == first
        assert c.post("/api/v1/sites/lahat/counters/5/call-next", headers=officer).json()["number"] == second

        redis_server.start()
        board.wait_for_function(
            "([a, b]) => document.querySelector(\"#counters tr[data-counter='4'] .num\").textContent === a"
            " && document.querySelector(\"#counters tr[data-counter='5'] .num\").textContent === b",
            arg=[first, second], timeout=30000)
        board.wait_for_selector("body[data-live='1']", timeout=15000)
        assert board.locator("#live-state").inner_text() == ""
        calls = httpx.get(f"{screens.url}/api/v1/sites/lahat/board").json()["recent_calls"]
        said = [c["clips"] for n in (first, second) for c in calls if c["number"] == n][:2]  # chime first
        assert len(said) == 2
        board.wait_for_function("said => window.__spoken.join() === [].concat(...said).join()", arg=said,
                                timeout=60000)  # two calls of eleven clips, one after the other
        shot(board, "21-papan-menyusul")

        console.wait_for_function("n => document.querySelector('#current').textContent === n", arg=second,
                                  timeout=30000)  # it reloaded: another device called at this counter
        console.wait_for_selector("body[data-live='1']", timeout=15000)
        assert console.locator("#now-title").inner_text() == "Nomor saat ini"
        assert console.locator("#current").inner_text() == second
        tv.close()
        desk_ctx.close()
