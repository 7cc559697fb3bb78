"""A board in real Chromium whose app process is restarted: its EventSource comes back by itself
with the id of the last event it saw, and the board shows and says exactly the calls made while
it was away, each once and in order (from the site's Redis stream, not from a reload).
What it says is what it hands to its voice (board-voice.js); the clips' playback itself is
test_bus_outage's and test_board_voice's."""

from __future__ import annotations

import httpx

from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import DEMO_PASSWORD, token_for
from tests.e2e.conftest import new_context
from tests.e2e.test_bus_outage import NOT_LIVE
from tests.procserver import ServerProcess
from tests.redisserver import RedisServer, require_redis_server

# Every call the board hands to its voice (board-voice.js's announce), as "number@counter".
RECORD_ANNOUNCED = """
window.__announced = [];
let voice;
Object.defineProperty(window, "SatuPintuVoice", { configurable: true, get: () => voice, set: v => {
  const announce = v.announce;
  v.announce = call => { if (call) window.__announced.push(call.number + "@" + call.counter); announce(call); };
  voice = v;
} });
"""


def test_a_board_whose_process_restarts_says_exactly_the_calls_it_missed(browser, tmp_path):
    require_redis_server()
    url = f"sqlite:///{tmp_path / 'resume.db'}"
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD)
    db.dispose()
    with RedisServer() as redis_server, ServerProcess(url, workers=1, redis_url=redis_server.url) as screens, \
            ServerProcess(url, workers=1, redis_url=redis_server.url) as desk, \
            httpx.Client(base_url=desk.url, timeout=30) as c:
        manager = token_for(c, "pengelola")
        board_token = c.post("/api/v1/sites/lahat/devices", headers=manager,
                             json={"kind": "board", "name": "TV"}).json()["token"]
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "K"}).json()["token"]}
        officer = token_for(c, "petugas.dukcapil")
        for counter in (4, 5, 6):
            assert c.post(f"/api/v1/sites/lahat/counters/{counter}/open", headers=officer).status_code == 200
        for service in ("DKC-01", "DKC-03", "DKC-04"):
            assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": service}).status_code == 201

        tv = new_context(browser, viewport={"width": 1920, "height": 1080})
        tv.add_init_script(RECORD_ANNOUNCED)
        board = tv.new_page()
        streams = []  # every request for the live stream the board made
        board.on("request", lambda r: streams.append(r) if "/events" in r.url else None)
        board.goto(f"{screens.url}/papan/lahat?token={board_token}")
        board.wait_for_selector("body[data-live='1']", timeout=15000)
        board.get_by_role("button", name="Ketuk untuk mengaktifkan suara").click()  # the autoplay rule
        board.wait_for_selector("#voice-state[data-state='active']", timeout=10000)
        # An event after the snapshot, as a board sees between calls.
        assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).status_code == 201
        board.wait_for_function("() => document.body.dataset.live === '1'")

        screens.stop()
        board.wait_for_function("t => document.querySelector('#live-state').textContent === t", arg=NOT_LIVE,
                                timeout=15000)
        calls = []
        for counter in (4, 5, 6):
            r = c.post(f"/api/v1/sites/lahat/counters/{counter}/call-next", headers=officer)
            assert r.status_code == 200, r.text
            calls.append((r.json()["number"], counter))
        screens.start()  # the same port: the board's EventSource reconnects by itself

        board.wait_for_function(
            "calls => calls.every(([n, k]) =>"
            " document.querySelector(`#counters tr[data-counter='${k}'] .num`).textContent === n)",
            arg=calls, timeout=30000)
        board.wait_for_selector("body[data-live='1']", timeout=15000)
        assert board.locator("#live-state").inner_text() == ""
        asked_from = [(r.url, r.all_headers().get("last-event-id")) for r in streams]
        assert asked_from[0][1] is None and asked_from[-1][1]  # the reconnection named the last event it saw
        said = [f"{n}@{k}" for n, k in calls]
        board.wait_for_function("said => window.__announced.join() === said.join()", arg=said, timeout=30000)
        # And the next call, live: what the board announces is exactly the four calls, none twice.
        assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).status_code == 201
        for action in ("start", "finish", "call-next"):
            r = c.post(f"/api/v1/sites/lahat/counters/4/{action}", headers=officer)
            assert r.status_code == 200, r.text
        said.append(f"{r.json()['number']}@4")
        board.wait_for_function("said => window.__announced.join() === said.join()", arg=said, timeout=30000)
        tv.close()
