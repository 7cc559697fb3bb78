"""Live streams that resume: every event carries its log id, a board that comes back with the
last id it saw gets exactly what it missed (from any app process), and a snapshot whenever the
log no longer holds that id. Real Redis servers of the tests' own, real app processes."""

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from satupintu.events import Entry, LocalBus, RedisBus, Resync, Start, replay_after
from tests.conftest import token_for
from tests.procserver import ServerProcess
from tests.queueing.test_events import _run, until
from tests.queueing.test_events import _run as run_in_own_thread  # a browser test may hold a loop here
from tests.redisserver import RedisServer, TcpProxy, require_redis_server

# ---------------------------------------------------------------- the rule


@given(st.integers(1, 30), st.integers(0, 30), st.integers(0, 40))
def test_replay_is_exactly_the_entries_after_the_id_or_none_when_the_log_lost_it(total, trimmed, pick):
    """A log of `total` entries whose first `trimmed` were trimmed: resuming from entry `pick`
    gives the entries after it when the log still holds it, else None (a snapshot)."""
    ids = [f"{1000 + i}-0" for i in range(total)]
    kept = [(i, n) for n, i in enumerate(ids)][min(trimmed, total):]
    after = f"{1000 + pick}-0"
    log_from_after = [(i, n) for i, n in kept if int(i.split("-")[0]) >= 1000 + pick]
    got = replay_after(after, log_from_after)
    if pick < min(trimmed, total) or pick >= total:
        assert got is None
    else:
        assert got == [(i, n) for i, n in kept if n > pick]


def test_an_id_that_is_not_an_entry_id_is_never_resumed():
    assert replay_after("abc", [("abc", 1), ("2-0", 2)]) is None
    assert replay_after("", []) is None


# ---------------------------------------------------------------- one process, no Redis


async def _items(subscription, count):
    return [await subscription.__anext__() for _ in range(count)]


def test_the_in_process_bus_resumes_from_an_id_and_snapshots_a_trimmed_one():
    """Without Redis, a board of the same process that comes back with its last id gets the
    two events after it; one whose id was pushed out of the kept entries gets a snapshot."""
    bus = LocalBus(maxlen=10)

    async def scenario():
        first = bus.stream("site:a")
        start = await first.__anext__()
        assert start == Start(resumed=False, at=None, live=True)
        for n in range(3):
            bus.publish("site:a", {"n": n})
        seen = await _items(first, 3)
        await first.aclose()
        assert [e.event["n"] for e in seen] == [0, 1, 2]
        assert len({e.id for e in seen}) == 3

        again = bus.stream("site:a", after=seen[0].id)
        items = await _items(again, 3)
        await again.aclose()
        assert items[0] == Start(resumed=True, at=seen[2].id, live=True)
        assert items[1:] == seen[1:]

        for n in range(3, 15):  # the first five are no longer kept
            bus.publish("site:a", {"n": n})
        late = bus.stream("site:a", after=seen[2].id)
        start = await late.__anext__()
        await late.aclose()
        assert start.resumed is False and start.at is not None

    _run(scenario())


# ---------------------------------------------------------------- real app processes


class Stream:
    """A board's server-sent event stream with the ids, read in a thread of its own over a plain
    socket, so that closing it hangs up at once (the server sees the client leave)."""

    def __init__(self, url, last_event_id=None):
        self.events = []  # (event, id, data)
        self._cond = threading.Condition()
        parts = urlsplit(url)
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id else ""
        self._sock.sendall(f"GET {target} HTTP/1.0\r\nHost: {parts.netloc}\r\n"
                           f"Accept: text/event-stream\r\n{extra}\r\n".encode())
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        try:
            with self._sock.makefile("r", encoding="utf-8", newline="\n") as lines:
                status = lines.readline()
                assert " 200 " in status, status
                while lines.readline().strip():  # the response's headers
                    pass
                event, entry_id = None, None
                for raw in lines:
                    line = raw.rstrip("\r\n")
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("id:"):
                        entry_id = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event:
                        with self._cond:
                            self.events.append((event, entry_id, json.loads(line.split(":", 1)[1])))
                            self._cond.notify_all()
                        event, entry_id = None, None
        except (OSError, ValueError):
            return  # hung up by the test

    def wait(self, count, timeout=30.0):
        """The first `count` events (asserting that many came)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.events) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"only {[e for e, _, _ in self.events]}"
                self._cond.wait(left)
            return list(self.events[:count])

    def close(self):
        with contextlib.suppress(OSError):  # the server may have closed it first
            self._sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(10)
        self._sock.close()


@pytest.fixture
def hall(fresh_demo_db):
    """A private Redis whose streams are trimmed early, two app processes: screens and desk."""
    require_redis_server()
    with RedisServer(extra_args=("--stream-node-max-entries", "2")) as redis_server:
        screens = ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url)
        desk = ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url)
        for p in (screens, desk):
            p.env["SATUPINTU_EVENT_STREAM_MAXLEN"] = "10"
        with screens, desk, httpx.Client(base_url=desk.url, timeout=30) as c:
            manager = token_for(c, "pengelola")
            kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                              json={"kind": "kiosk", "name": "K"}).json()["token"]}
            officer = token_for(c, "petugas.dukcapil")
            yield redis_server, screens, desk, c, kiosk, officer


def _live_snapshot(stream):
    (event, entry_id, data), = stream.wait(1)
    assert event == "snapshot", event
    if not data["live"]:  # the process's bus was still connecting: a live snapshot follows
        event, entry_id, data = stream.wait(3)[2]
        assert event == "snapshot" and data["live"], event
    return entry_id, data


def _issue(c, kiosk, service="DKC-01"):
    r = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": service})
    assert r.status_code == 201, r.text
    return r.json()["number"]


def test_a_board_that_reconnects_with_its_last_id_gets_exactly_the_three_calls_it_missed(hall):
    """A board sees a ticket issued, loses its connection, three tickets are called meanwhile;
    it reconnects (to the other app process, as through a balancer) with its last id: it is told
    it is live and shows exactly those three calls in order, once each, with no reload, then
    the next change as it happens."""
    _, screens, desk, c, kiosk, officer = hall
    for counter in (4, 5, 6):
        assert c.post(f"/api/v1/sites/lahat/counters/{counter}/open", headers=officer).status_code == 200
    for service in ["DKC-01", "DKC-03", "DKC-04"] * 3:
        _issue(c, kiosk, service)
    board = Stream(f"{screens.url}/api/v1/sites/lahat/events")
    try:
        snapshot_id, _ = _live_snapshot(board)
        number = _issue(c, kiosk)
        event, last_id, data = _next(board, "ticket.issued")
        assert data["number"] == number and last_id and last_id != snapshot_id
    finally:
        board.close()

    calls = []
    for counter in (4, 5, 6):
        r = c.post(f"/api/v1/sites/lahat/counters/{counter}/call-next", headers=officer)
        assert r.status_code == 200, r.text
        calls.append((r.json()["number"], counter))

    back = Stream(f"{desk.url}/api/v1/sites/lahat/events", last_event_id=last_id)
    try:
        first = back.wait(4)
        assert first[0][0] == "status" and first[0][2] == {"live": True}
        assert [(e, (d["number"], d["counter"])) for e, _, d in first[1:]] == [("ticket.called", n) for n in calls]
        ids = [i for _, i, _ in first[1:]]
        assert len(set(ids)) == 3 and ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
        after = _issue(c, kiosk)
        event, _, data = back.wait(5)[4]
        assert (event, data["number"]) == ("ticket.issued", after)
        time.sleep(0.5)  # a duplicate or a snapshot would be on its way by now
        assert len(back.events) == 5, [e for e, _, _ in back.events]
    finally:
        back.close()

    # The same through the parameter a page passes when it opens a new EventSource.
    again = Stream(f"{screens.url}/api/v1/sites/lahat/events?last_event_id={ids[0]}")
    try:
        got = again.wait(4)
        assert [e for e, _, _ in got] == ["status", "ticket.called", "ticket.called", "ticket.issued"]
        assert [i for _, i, _ in got[1:3]] == ids[1:]
    finally:
        again.close()


def _next(stream, kind, timeout=30.0):
    deadline = time.monotonic() + timeout
    seen = 0
    while True:
        events = stream.wait(seen + 1, max(0.1, deadline - time.monotonic()))
        seen = len(events)
        for event in events:
            if event[0] == kind:
                return event


def test_an_id_the_stream_no_longer_holds_gets_a_fresh_snapshot(hall):
    """A board away while 20 tickets were issued (the stream keeps about 10) comes back with an
    id that was trimmed: it gets a snapshot showing all of them, not a partial replay; so does
    one with an unknown id, and one whose id dates from before Redis restarted empty."""
    redis_server, screens, desk, c, kiosk, _ = hall
    board = Stream(f"{screens.url}/api/v1/sites/lahat/events")
    try:
        _live_snapshot(board)
        _issue(c, kiosk)
        _, old_id, _ = _next(board, "ticket.issued")
    finally:
        board.close()
    for _ in range(20):
        _issue(c, kiosk)
    r = redis.Redis(port=redis_server.port)
    (key,) = r.keys("satupintu:site:*")
    assert old_id.encode() not in [i for i, _ in r.xrange(key)]  # Redis trimmed it away
    assert r.xlen(key) < 20

    back = Stream(f"{desk.url}/api/v1/sites/lahat/events", last_event_id=old_id)
    try:
        event, snapshot_id, data = back.wait(1)[0]
        assert event == "snapshot" and data["live"] and data["waiting"]["Disdukcapil"] == 21
        assert snapshot_id == r.xrevrange(key, count=1)[0][0].decode()  # the snapshot covers the stream's end
    finally:
        back.close()

    resumed = Stream(f"{desk.url}/api/v1/sites/lahat/events", last_event_id=snapshot_id)
    try:
        assert resumed.wait(1)[0][0] == "status"  # from the snapshot's id: nothing missed, no reload
    finally:
        resumed.close()

    for unknown in ("not-an-id", "99999999999999-0", "1-0"):
        s = Stream(f"{desk.url}/api/v1/sites/lahat/events", last_event_id=unknown)
        try:
            assert s.wait(1)[0][0] == "snapshot", unknown
        finally:
            s.close()

    redis_server.kill()
    redis_server.start()  # empty: the stream and its ids are gone
    r = redis.Redis(port=redis_server.port)
    _issue(c, kiosk)  # a new stream, with ids later than the board's
    deadline = time.monotonic() + 30
    while not r.exists(key):  # the desk's publisher reached the new Redis
        assert time.monotonic() < deadline, "no new stream"
        _issue(c, kiosk)
        time.sleep(0.2)
    s = Stream(f"{desk.url}/api/v1/sites/lahat/events", last_event_id=snapshot_id)
    try:
        assert s.wait(1)[0][0] == "snapshot"
    finally:
        s.close()


def test_a_process_reads_only_the_streams_of_sites_its_clients_watch(fresh_demo_db):
    """Redis's own record of commands (MONITOR): while boards watch only the event site, no app
    process reads the mall's stream although tickets are issued there; a board of the mall makes
    its process read it, and once that board leaves the reads stop."""
    require_redis_server()
    with RedisServer() as redis_server, \
            ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url) as screens, \
            ServerProcess(fresh_demo_db.url, workers=1, redis_url=redis_server.url) as desk, \
            httpx.Client(base_url=desk.url, timeout=30) as c:
        commands, lock = [], threading.Lock()

        def record():
            try:
                with redis.Redis(port=redis_server.port).monitor() as m:
                    for info in m.listen():
                        with lock:
                            commands.append(info["command"])
            except (redis.RedisError, OSError, ValueError):
                return  # Redis was stopped at the end

        threading.Thread(target=record, daemon=True).start()
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "K"}).json()["token"]}
        other = Stream(f"{screens.url}/api/v1/sites/plaza-lematang/events")
        try:
            _live_snapshot(other)
            for _ in range(3):
                _issue(c, kiosk)

            def xadd_key():
                with lock:
                    keys = {cmd.split()[1] for cmd in commands if cmd.startswith("XADD satupintu:site:")}
                return keys

            run_in_own_thread(until(lambda: len(xadd_key()) == 1, "the mall's stream written"))
            mall_key = xadd_key().pop()
            time.sleep(2.5)  # two block times: every listener has issued its reads since
            with lock:
                reads = [cmd for cmd in commands if cmd.startswith("XREAD")]
            assert reads and not any(mall_key in cmd for cmd in reads)
            assert any("satupintu:site:" in cmd for cmd in reads)  # the event site's stream is read

            mall = Stream(f"{screens.url}/api/v1/sites/lahat/events")
            try:
                _live_snapshot(mall)
                number = _issue(c, kiosk)
                assert _next(mall, "ticket.issued")[2]["number"] == number
                with lock:
                    assert any(cmd.startswith("XREAD") and mall_key in cmd for cmd in commands)
            finally:
                mall.close()
            time.sleep(2.5)  # the stream is dropped; a read in flight ends within its block time
            with lock:
                mark = len(commands)
            time.sleep(2.5)
            with lock:
                later_reads = [cmd for cmd in commands[mark:] if cmd.startswith("XREAD")]
            assert later_reads and not any(mall_key in cmd for cmd in later_reads)
        finally:
            other.close()


# ---------------------------------------------------------------- lost events in the log


def test_a_client_resuming_across_events_lost_while_redis_was_unreachable_gets_a_snapshot():
    """One process could not publish for a while: once Redis answers it, its resync notice is
    in the stream, so a board that resumes from an id before the outage reloads instead of
    replaying a log with a hole in it."""
    require_redis_server()
    with RedisServer() as redis_server:
        link = TcpProxy(redis_server.port).start()
        cut_off, healthy = RedisBus(link.url), RedisBus(redis_server.url)
        channel = f"site:{uuid.uuid4()}"

        async def scenario():
            await until(lambda: cut_off.live and healthy.live, "live")
            first = healthy.stream(channel)
            start = await first.__anext__()
            cut_off.publish(channel, {"n": 1})
            entry = await first.__anext__()
            assert isinstance(start, Start) and isinstance(entry, Entry) and entry.event == {"n": 1}
            await asyncio.to_thread(link.cut)
            cut_off.publish(channel, {"n": 2})  # lost
            await until(lambda: not cut_off._publishing, "failing to publish")
            await asyncio.to_thread(link.restore)
            marker = await asyncio.wait_for(first.__anext__(), 20)
            assert isinstance(marker, Resync) and marker.at is not None  # the notice's own id
            await first.aclose()

            back = healthy.stream(channel, after=entry.id)
            start = await back.__anext__()
            await back.aclose()
            assert start.resumed is False and start.at == marker.at

        try:
            _run(scenario())
        finally:
            cut_off.close()
            healthy.close()
            link.cut()
