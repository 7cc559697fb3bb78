"""Live events over server-sent events: a snapshot on every connection, then each change."""

import json
import threading
import time

import httpx

from tests.conftest import token_for
from tests.procserver import ServerProcess
from tests.redisserver import RedisServer, require_redis_server


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
    assert data["announcement"] == "Nomor antrean A, nol nol satu, silakan ke loket empat, Disdukcapil, lantai satu."
    assert data["clips"] == ["chime", "nomor-antrean", "huruf-a", "nol", "nol", "satu", "silakan-ke-loket", "empat",
                             "instansi-disdukcapil", "lantai", "satu"]
    assert at - sent < 1.0
    board = httpx.get(f"{fresh_server.url}/api/v1/sites/lahat/board").json()
    assert [x["ticket"] for x in board["counters"] if x["number"] == 4] == ["A-001"]
    assert board["recent_calls"][0]["number"] == "A-001"


# ---------------------------------------------------------------- when Redis fails

class Stream:
    """A board's server-sent event stream, read in a thread of its own; the test waits for what
    it expects, in order."""

    def __init__(self, url):
        self.events = []  # (event, data)
        self.cursor = 0
        self._cond = threading.Condition()
        self._response = None
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()

    def _read(self, url):
        try:
            with httpx.Client(timeout=httpx.Timeout(10, read=60)) as c, c.stream("GET", url) as r:
                self._response = r
                event = None
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event:
                        with self._cond:
                            self.events.append((event, json.loads(line.split(":", 1)[1])))
                            self._cond.notify_all()
        except (httpx.HTTPError, RuntimeError, AttributeError):
            return  # hung up by the test

    def next(self, predicate, what, timeout=30.0):
        """The first event after the last match with predicate(event, data) true."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(self.cursor, len(self.events)):
                    if predicate(*self.events[i]):
                        self.cursor = i + 1
                        return self.events[i][1]
                left = deadline - time.monotonic()
                assert left > 0, f"no {what} in {[e for e, _ in self.events[self.cursor:]]}"
                self._cond.wait(left)

    def close(self):
        if self._response is not None:
            self._response.close()


def live_snapshot(event, data):
    return event == "snapshot" and data["live"] is True


def status(live):
    return lambda event, data: event == "status" and data["live"] is live


def test_a_board_catches_up_with_every_call_made_while_redis_was_down(fresh_demo_db):
    """Two app processes share Redis; boards watch both. Redis is killed, 15 tickets are issued
    and six called through one process, Redis comes back on the same port: every board shows
    'not live' meanwhile, then a snapshot with every one of those calls and tickets."""
    require_redis_server()
    with RedisServer() as redis_server, \
            ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url) as boards_host, \
            ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url) as desk:
        streams = [Stream(f"{host.url}/api/v1/sites/lahat/events") for host in (boards_host, desk)]
        try:
            for s in streams:  # live: the first snapshot, or one soon after it once the bus is subscribed
                s.next(live_snapshot, "live snapshot")
            with httpx.Client(base_url=desk.url, timeout=30) as c:
                manager = token_for(c, "pengelola")
                kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                                  json={"kind": "kiosk", "name": "K"}).json()["token"]}
                officer = token_for(c, "petugas.dukcapil")
                for counter in (4, 5, 6):
                    assert c.post(f"/api/v1/sites/lahat/counters/{counter}/open", headers=officer).status_code == 200
                for s in streams:  # the bus is up everywhere: events arrive as they happen
                    s.next(lambda e, d: e == "counter.opened" and d["counter"] == 6, "counter.opened")

                redis_server.kill()
                for s in streams:
                    s.next(status(False), "status live:false")
                issued = [c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": svc}).json()["number"]
                          for svc in ["DKC-01", "DKC-03", "DKC-04"] * 5]
                calls = []
                for step in range(2):
                    for counter in (4, 5, 6):
                        if step:
                            for action in ("start", "finish"):
                                assert c.post(f"/api/v1/sites/lahat/counters/{counter}/{action}",
                                              headers=officer).status_code == 200
                        r = c.post(f"/api/v1/sites/lahat/counters/{counter}/call-next", headers=officer)
                        assert r.status_code == 200, r.text
                        calls.append((r.json()["number"], counter))
                assert {n for n, _ in calls} <= set(issued) and len(calls) == 6

                redis_server.start()  # the same port: every process reconnects by itself
                for s in streams:
                    s.next(status(True), "status live:true")
                    snapshot = s.next(live_snapshot, "live snapshot")
                    assert {(r["number"], r["counter"]) for r in snapshot["recent_calls"]} >= set(calls)
                    now_called = {x["number"]: x["ticket"] for x in snapshot["counters"] if x["number"] in (4, 5, 6)}
                    assert now_called == {counter: n for n, counter in calls[3:]}
                    assert snapshot["waiting"]["Disdukcapil"] == 15 - 6

                # and live again: the next call arrives on every board as an event
                for action in ("start", "finish", "call-next"):
                    r = c.post(f"/api/v1/sites/lahat/counters/4/{action}", headers=officer)
                number = r.json()["number"]
                for s in streams:
                    s.next(lambda e, d: e == "ticket.called" and d["number"] == number, "the next ticket.called")
        finally:
            for s in streams:
                s.close()


def test_the_app_starts_and_serves_with_redis_unreachable_and_goes_live_when_redis_comes(fresh_demo_db):
    """`satupintu serve` with SATUPINTU_REDIS_URL pointing at a dead port: it starts, issues a
    ticket, serves the live stream marked not live; once a Redis server appears on that port
    the stream turns live by itself and carries the next call."""
    require_redis_server()
    redis_server = RedisServer()  # its port is dead until start()
    with ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url) as server, \
            httpx.Client(base_url=server.url, timeout=30) as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "K"}).json()["token"]}
        officer = token_for(c, "petugas.dukcapil")
        r = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"})
        assert r.status_code == 201, r.text
        number = r.json()["number"]
        stream = Stream(f"{server.url}/api/v1/sites/lahat/events")
        try:
            snapshot = stream.next(lambda e, d: e == "snapshot", "snapshot")
            assert snapshot["live"] is False and snapshot["waiting"]["Disdukcapil"] == 1
            try:
                redis_server.start()
                stream.next(status(True), "status live:true")
                stream.next(live_snapshot, "live snapshot")
                c.post("/api/v1/sites/lahat/counters/4/open", headers=officer)
                assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["number"] == number
                stream.next(lambda e, d: e == "ticket.called" and d["number"] == number, "ticket.called")
            finally:
                redis_server.kill()
        finally:
            stream.close()
