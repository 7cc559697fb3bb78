"""Board snapshots shared by the streams that need them at once (queueing/snapshots.py): one read
for many streams, a new read for a stream an event reached after the running read started, and
every board ends showing what the database holds."""

import asyncio
import threading
import time

from hypothesis import given
from hypothesis import strategies as st

from satupintu.queueing.snapshots import SharedReads, covers
from tests.conftest import token_for
from tests.queueing.test_live_events import read_events


def run_alone(coro):  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own, returning the coroutine's result: in the whole suite the
    browser tests' sync driver holds a running loop in the main thread, where asyncio.run refuses."""
    out: list[object] = []
    failure: list[BaseException] = []

    def main() -> None:
        try:
            out.append(asyncio.run(coro))
        except BaseException as exc:  # re-raised below, in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the coroutine did not finish within 60 s"
    if failure:
        raise failure[0]
    return out[0]


class Source:
    """A board read from a counter: `value` as it is when the read begins; a read waits on
    `gate` so the test decides what happens meanwhile."""

    def __init__(self) -> None:
        self.value = 0
        self.position = "100-0"
        self.reads = 0
        self.gate = asyncio.Event()

    async def read(self) -> int:
        self.reads += 1
        seen = self.value
        await self.gate.wait()
        return seen


def test_many_streams_asking_at_once_share_one_read():
    async def main():
        src, shared = Source(), SharedReads[int]()
        asks = [asyncio.ensure_future(shared.get("lahat", src.position, lambda: src.position, src.read))
                for _ in range(100)]
        await asyncio.sleep(0.01)  # the read is running: streams arriving now join it
        asks += [asyncio.ensure_future(shared.get("lahat", src.position, lambda: src.position, src.read))
                 for _ in range(100)]
        await asyncio.sleep(0.01)
        src.gate.set()
        results = await asyncio.gather(*asks)
        return src.reads, shared.reads, results

    reads, counted, results = run_alone(main())
    assert reads == 1 and counted == 1 and results == [0] * 200


def test_an_event_during_the_read_makes_later_streams_read_again():
    async def main():
        src, shared = Source(), SharedReads[int]()
        early = [asyncio.ensure_future(shared.get("lahat", "100-0", lambda: src.position, src.read))
                 for _ in range(5)]
        await asyncio.sleep(0.01)  # the read has started
        src.value, src.position = 1, "101-0"  # an event committed and published meanwhile
        late = [asyncio.ensure_future(shared.get("lahat", "101-0", lambda: src.position, src.read))
                for _ in range(5)]
        unknown = asyncio.ensure_future(shared.get("lahat", None, lambda: src.position, src.read))
        await asyncio.sleep(0.01)
        assert src.reads == 1  # one read at a time per board: the next waits for the running one
        src.gate.set()
        out = await asyncio.gather(*early), await asyncio.gather(*late), await unknown
        reused = await shared.get("lahat", "101-0", lambda: src.position, src.read)  # just finished, covers it
        return src.reads, out, reused

    reads, (early, late, unknown), reused = run_alone(main())
    assert early == [0] * 5
    assert late == [1] * 5 and unknown == 1  # none of them got the read that started before the event
    assert reads == 2 and reused == 1


def test_a_stream_that_goes_away_does_not_cancel_the_read_of_the_others():
    async def main():
        src, shared = Source(), SharedReads[int]()
        first = asyncio.ensure_future(shared.get("lahat", "100-0", lambda: src.position, src.read))
        second = asyncio.ensure_future(shared.get("lahat", "100-0", lambda: src.position, src.read))
        await asyncio.sleep(0.01)
        first.cancel()
        src.gate.set()
        return await second, src.reads

    assert run_alone(main()) == (0, 1)


def test_a_failed_read_reaches_its_streams_and_is_not_reused():
    async def main():
        shared, calls = SharedReads[int](), []

        async def failing() -> int:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("database gone")
            return 7

        try:
            await shared.get("lahat", "1-0", lambda: "1-0", failing)
        except RuntimeError:
            pass
        else:
            raise AssertionError("the error did not reach the stream")
        return await shared.get("lahat", "1-0", lambda: "1-0", failing), len(calls)

    assert run_alone(main()) == (7, 2)


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))
def test_a_read_covers_a_stream_only_up_to_where_it_started(rm, rs, am, as_):
    read, at = f"{rm}-{rs}", f"{am}-{as_}"
    assert covers(read, at) == ((am, as_) <= (rm, rs))
    assert not covers(None, at) and not covers(read, None)


def test_streams_connecting_together_while_numbers_are_called_each_end_showing_the_database(fresh_server):
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "K"}).json()["token"]}
        officer = token_for(c, "petugas.dukcapil")
        for _ in range(6):
            assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).status_code == 201
        assert c.post("/api/v1/sites/lahat/counters/4/open", headers=officer).status_code == 200
    called: list[str] = []
    stop = threading.Event()
    streams = []

    def caller():
        with fresh_server.client() as c:
            for _ in range(6):
                r = c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer)
                assert r.status_code == 200, r.text
                called.append(r.json()["number"])
                if len(called) < 6:  # the last stays on the counter
                    assert c.post("/api/v1/sites/lahat/counters/4/no-show", headers=officer).status_code == 200
                time.sleep(0.05)

    def open_stream():
        out, ready = [], threading.Event()
        t = threading.Thread(target=read_events, daemon=True,
                             args=(f"{fresh_server.url}/api/v1/sites/lahat/events", out, stop, ready, []))
        t.start()
        streams.append((out, ready))

    calling = threading.Thread(target=caller)
    calling.start()
    for _ in range(8):  # waves of streams arriving while the numbers are called
        for _ in range(5):
            open_stream()
        time.sleep(0.04)
    calling.join(30)
    assert len(called) == 6
    with fresh_server.client() as c:
        board = c.get("/api/v1/sites/lahat/board").json()
    on_counter = next(x["ticket"] for x in board["counters"] if x["number"] == 4)
    assert on_counter == called[-1]

    def view(out):
        """What the stream's board knows: the calls its snapshot showed and those that followed."""
        snapshot = next((data for event, data, _ in out if event == "snapshot"), None)
        if snapshot is None:
            return set(), None
        after = [data["number"] for event, data, _ in out[out.index(next(e for e in out if e[0] == "snapshot")):]
                 if event == "ticket.called" and data.get("counter") == 4]
        shown = next(x["ticket"] for x in snapshot["counters"] if x["number"] == 4)
        known = {call["number"] for call in snapshot["recent_calls"] if call["counter"] == 4} | set(after)
        return known, after[-1] if after else shown

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(view(list(out))[0] != set(called) for out, _ in streams):
        time.sleep(0.05)
    stop.set()
    views = [view(list(out)) for out, _ in streams]
    assert len(views) == 40
    assert all(known >= set(called) for known, _ in views), [sorted(k) for k, _ in views]
    assert all(shown == on_counter for _, shown in views)
    reads = sum(r.reads for r in fresh_server.app.state.board_reads.values())
    assert 1 <= reads <= 40
