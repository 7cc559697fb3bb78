"""Events reach subscribers after commit: in-process, and across processes through Redis."""

import asyncio
import os
import time
import uuid

import pytest

from satupintu.catalogue import service as catalogue
from satupintu.errors import NotFound
from satupintu.events import LocalBus, RedisBus, Resync
from satupintu.queueing import service as queue
from tests.redisserver import RedisServer, TcpProxy, require_redis_server

REDIS_URL = os.environ.get("SATUPINTU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return None
    except Exception as exc:
        return f"Redis unreachable at {REDIS_URL}: {exc.__class__.__name__}"


def _run(coro):
    """Run in a thread of its own: a browser test may have left an event loop on this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _receive(bus, channel, trigger, count=1, timeout=5.0):
    received = []

    async def listen():
        async for event in bus.subscribe(channel):
            if isinstance(event, Resync):  # the subscription is (again) in place: not an event
                continue
            received.append(event)
            if len(received) >= count:
                return

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.2)  # subscribed
    await asyncio.to_thread(trigger)
    await asyncio.wait_for(task, timeout)
    return received


def test_issuing_a_ticket_publishes_after_commit(fresh_demo_db):
    db = fresh_demo_db
    bus = LocalBus()
    db.bus = bus
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios", site_id=site.id)
    try:
        events = _run(_receive(bus, f"site:{site.id}",
                                      lambda: queue.issue_ticket(db, kiosk, "lahat", "DKC-01")))
    finally:
        db.bus = None
    assert events[0]["type"] == "ticket.issued" and events[0]["number"] == "A-001"
    # By the time the event arrives, the ticket is committed and readable.
    assert queue.get_ticket(db, uuid.UUID(events[0]["ticket_id"])).number == "A-001"


def test_a_failed_transaction_publishes_nothing(fresh_demo_db):
    db = fresh_demo_db
    bus = LocalBus()
    db.bus = bus
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios", site_id=site.id)

    def fail():
        with pytest.raises(NotFound):  # the kiosk asked for a service that does not exist
            queue.issue_ticket(db, kiosk, "lahat", "NO-SUCH")
        queue.issue_ticket(db, kiosk, "lahat", "DKC-01")

    try:
        events = _run(_receive(bus, f"site:{site.id}", fail))
    finally:
        db.bus = None
    assert [e["number"] for e in events] == ["A-001"]


def test_redis_bus_delivers_between_two_processes_worth_of_buses():
    problem = _redis_problem()
    if problem:
        if os.environ.get("SATUPINTU_TEST_REQUIRE_POSTGRES") == "1":  # CI: all local services required
            pytest.fail(problem)
        pytest.skip(problem)
    publisher, subscriber = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    channel = f"site:{uuid.uuid4()}"
    deadline = time.monotonic() + 20
    while not (publisher.live and subscriber.live):  # both subscribed (in the background)
        assert time.monotonic() < deadline, "buses not live"
        time.sleep(0.02)
    try:
        events = _run(_receive(subscriber, channel,
                                      lambda: [publisher.publish(channel, {"type": "ticket.called", "n": i})
                                               for i in range(3)], count=3))
    finally:
        publisher.close()
        subscriber.close()
    assert [e["n"] for e in events] == [0, 1, 2]


# ---------------------------------------------------------------- when Redis fails

class Watch:
    """A subscription read in the background; the test waits for what it expects, in order."""

    def __init__(self, bus, channel):
        self.items = []
        self.cursor = 0  # past the last item a wait matched
        self.task = asyncio.ensure_future(self._read(bus.subscribe(channel)))

    async def _read(self, subscription):
        async for item in subscription:
            self.items.append(item)

    async def next_match(self, predicate, timeout=20.0):
        """The first item after the last match that satisfies the predicate."""

        async def wait():
            while True:
                for i in range(self.cursor, len(self.items)):
                    if predicate(self.items[i]):
                        self.cursor = i + 1
                        return self.items[i]
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(wait(), timeout)


async def until(condition, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still not {what}"
        await asyncio.sleep(0.02)


async def until_live(*buses):
    """The buses subscribe in the background; a Resync marks the moment, unless that came
    before the test's own subscription."""
    await until(lambda: all(bus.live for bus in buses), "live")


def resync(live):
    return lambda item: isinstance(item, Resync) and item.live is live


def event(n):
    return lambda item: isinstance(item, dict) and item.get("n") == n


def test_a_redis_bus_starts_without_redis_and_resyncs_its_subscribers_once_redis_is_up():
    """The app's bus is built while Redis is down (no exception); a board subscribed meanwhile
    is told to reload as soon as the subscription is in place, then gets events live."""
    require_redis_server()
    redis_server = RedisServer()  # not started yet: its port is dead
    bus, other = RedisBus(redis_server.url), RedisBus(redis_server.url)
    channel = f"site:{uuid.uuid4()}"

    async def scenario():
        watch = Watch(bus, channel)
        await asyncio.sleep(0.3)
        assert bus.live is False
        other.publish(channel, {"type": "ticket.called", "n": 0})  # lost: Redis is down
        await asyncio.to_thread(redis_server.start)
        await watch.next_match(resync(True))
        await until_live(other)  # its own subscription and its publishing are back too
        other.publish(channel, {"type": "ticket.called", "n": 1})
        await watch.next_match(event(1))
        watch.task.cancel()

    try:
        _run(scenario())
    finally:
        bus.close()
        other.close()
        redis_server.kill()


def test_when_redis_dies_every_subscriber_hears_it_and_resyncs_when_redis_is_back():
    """Redis is killed mid-stream: the publishing process's board is told at once, the other
    process's board when its listener breaks; both reload once Redis is back."""
    require_redis_server()
    with RedisServer() as redis_server:
        publisher, listener = RedisBus(redis_server.url), RedisBus(redis_server.url)
        channel = f"site:{uuid.uuid4()}"

        async def scenario():
            here, there = Watch(publisher, channel), Watch(listener, channel)
            await until_live(publisher, listener)
            publisher.publish(channel, {"type": "ticket.called", "n": 1})
            await asyncio.gather(here.next_match(event(1)), there.next_match(event(1)))

            await asyncio.to_thread(redis_server.kill)
            publisher.publish(channel, {"type": "ticket.called", "n": 2})  # cannot reach Redis
            await asyncio.gather(here.next_match(resync(False)), there.next_match(resync(False)))
            await until(lambda: not publisher._publishing, "failing to publish")  # its thread met the dead Redis
            assert not publisher.live and not listener.live

            await asyncio.to_thread(redis_server.start)  # the same port
            await asyncio.gather(here.next_match(resync(True)), there.next_match(resync(True)))
            await until_live(publisher)
            publisher.publish(channel, {"type": "ticket.called", "n": 3})
            await asyncio.gather(here.next_match(event(3)), there.next_match(event(3)))
            assert not any(event(2)(item) for item in here.items + there.items)  # replaced by the resync
            here.task.cancel()
            there.task.cancel()

        try:
            _run(scenario())
        finally:
            publisher.close()
            listener.close()


def test_a_process_whose_publish_failed_tells_the_others_once_redis_answers_it_again():
    """Only one process loses Redis (its link, not Redis, fails): the others never disconnect,
    so it is that process's resync notice, once its link is back, that reloads their boards."""
    require_redis_server()
    with RedisServer() as redis_server:
        link = TcpProxy(redis_server.port).start()
        cut_off, healthy = RedisBus(link.url), RedisBus(redis_server.url)
        channel, elsewhere = f"site:{uuid.uuid4()}", f"site:{uuid.uuid4()}"

        async def scenario():
            there, unrelated = Watch(healthy, channel), Watch(healthy, elsewhere)
            await until_live(healthy, cut_off)
            await asyncio.sleep(0.1)  # a Resync of the start-up may still be on its way
            seen = len(there.items), len(unrelated.items)
            await asyncio.to_thread(link.cut)
            cut_off.publish(channel, {"type": "ticket.called", "n": 1})  # lost on the way
            await until(lambda: not cut_off._publishing, "failing to publish")  # its thread met the cut too
            assert healthy.live  # nothing happened to this process's connection
            await asyncio.to_thread(link.restore)
            there.cursor = seen[0]
            await there.next_match(resync(True))
            assert not any(isinstance(item, Resync) for item in unrelated.items[seen[1]:])  # only that channel
            there.task.cancel()
            unrelated.task.cancel()

        try:
            _run(scenario())
        finally:
            cut_off.close()
            healthy.close()
            link.cut()


def test_a_connection_that_goes_silent_is_noticed_by_its_ping_and_the_subscribers_told():
    """The network path to Redis drops everything but closes nothing (no reset ever comes):
    the listener's unanswered ping says so, the board is told it is not live, and it is
    resynchronised once the path carries packets again."""
    require_redis_server()
    with RedisServer() as redis_server:
        path = TcpProxy(redis_server.port).start()
        bus = RedisBus(path.url, ping_every=0.5)
        channel = f"site:{uuid.uuid4()}"

        async def scenario():
            watch = Watch(bus, channel)
            await until_live(bus)
            path.silent.set()
            await watch.next_match(resync(False))
            path.silent.clear()
            await watch.next_match(resync(True))
            watch.task.cancel()

        try:
            _run(scenario())
        finally:
            bus.close()
            path.cut()


def test_a_subscriber_that_falls_behind_is_told_to_resync_instead_of_silently_losing_events():
    bus = LocalBus()
    channel = "site:slow"

    async def scenario():
        subscription = bus.subscribe(channel)
        first = asyncio.ensure_future(subscription.__anext__())
        await asyncio.sleep(0)  # subscribed
        bus.publish(channel, {"n": -1})
        assert await first == {"n": -1}  # now the subscriber is busy: nothing reads its queue
        await asyncio.to_thread(lambda: [bus.publish(channel, {"n": i}) for i in range(1200)])
        await asyncio.sleep(0.2)  # the deliveries run in this loop
        items = [await subscription.__anext__() for _ in range(3)]
        await subscription.aclose()
        return items

    assert _run(scenario()) == [Resync(live=True), {"n": 1001}, {"n": 1002}]


def test_a_screen_that_fell_behind_gets_the_waiting_events_together_in_order_each_as_one_sse_frame():
    """A busy stream sends what has piled up in one write: `batches` hands the entries already
    waiting over as one list, in publishing order, then later ones; each entry's frame is the
    server-sent event a browser parses (id, event type, JSON data), encoded once however many
    streams send it."""
    import json

    bus = LocalBus()

    async def scenario():
        batches = bus.batches("site:x")
        start = await batches.__anext__()
        for n in range(3):
            bus.publish("site:x", {"type": "ticket.called", "number": f"A-00{n}"})
        await asyncio.sleep(0.05)  # the three are waiting before the stream reads on
        first = await asyncio.wait_for(batches.__anext__(), 2)
        bus.publish("site:x", {"type": "ticket.done", "number": "A-000"})
        second = await asyncio.wait_for(batches.__anext__(), 2)
        await batches.aclose()
        return start, first, second

    start, first, second = _run(scenario())
    assert not start.resumed
    assert [e.event["number"] for e in first] == ["A-000", "A-001", "A-002"]
    assert [e.event["type"] for e in second] == ["ticket.done"]
    entry = first[1]
    assert entry.frame is entry.frame  # encoded once
    lines = entry.frame.decode().split("\r\n")
    assert lines[:2] == [f"id: {entry.id}", "event: ticket.called"]
    assert json.loads(lines[2].removeprefix("data: ")) == {"type": "ticket.called", "number": "A-001"}
    assert entry.frame.endswith(b"\r\n\r\n")
