"""Live events over server-sent events: a snapshot on every connection, then each change."""

import json
import threading
import time

import httpx

from tests.conftest import token_for


def read_events(url, out, stop, ready, holder):
    try:
        with httpx.Client(timeout=30) as c, c.stream("GET", url) as r:
            holder.append(r)
            event = None
            for line in r.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event:
                    out.append((event, json.loads(line.split(":", 1)[1]), time.monotonic()))
                    if event == "snapshot":
                        ready.set()
                if stop.is_set():
                    return
    except (httpx.HTTPError, RuntimeError, AttributeError):
        return  # closed from the test thread


def test_a_call_reaches_a_listening_board_within_a_second(fresh_server):
    out, stop, ready, holder = [], threading.Event(), threading.Event(), []
    reader = threading.Thread(target=read_events, daemon=True,
                              args=(f"{fresh_server.url}/api/v1/sites/lahat/events", out, stop, ready, holder))
    reader.start()
    assert ready.wait(10)
    snapshot = out[0][1]
    assert snapshot["site"] == "lahat" and any(c["number"] == 4 for c in snapshot["counters"])
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "K"}).json()["token"]}
        officer = token_for(c, "petugas.dukcapil")
        c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"})
        c.post("/api/v1/sites/lahat/counters/4/open", headers=officer)
        sent = time.monotonic()
        c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(e == "ticket.called" for e, _, _ in out):
        time.sleep(0.02)
    stop.set()
    holder[0].close()  # hang up, so the server can shut down at once
    called = [(data, at) for e, data, at in out if e == "ticket.called"]
    assert called, [e for e, _, _ in out]
    data, at = called[0]
    assert data["number"] == "A-001" and data["counter"] == 4
    assert data["announcement"] == "Nomor antrian A, nol nol satu, silakan ke loket empat."
    assert at - sent < 1.0
    board = httpx.get(f"{fresh_server.url}/api/v1/sites/lahat/board").json()
    assert [x["ticket"] for x in board["counters"] if x["number"] == 4] == ["A-001"]
    assert board["recent_calls"][0]["number"] == "A-001"
