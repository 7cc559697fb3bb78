"""Event bus: in-process by default, Redis pub/sub when SATUPINTU_REDIS_URL is set.

Service functions publish only after their transaction commits. Subscribers (boards,
consoles, phones) get events as they happen. Pub/sub keeps nothing for a subscriber that
was not listening, so whenever the bus cannot vouch that a subscriber saw every event, the
subscription yields a `Resync` marker instead: the subscriber reloads its state from the
database (whose commits came before any event about them) and carries on.

The whole interface: `publish(channel, event)`, `subscribe(channel)` (yields event dicts and
`Resync` markers), `live` (events flow right now) and `close()`. A bus with event ids
(Redis Streams, JetStream) can replace this one behind it and send `Resync` only when it
cannot replay what was missed.

When a `Resync` arrives (`RedisBus`):
- A publish fails (Redis down): the publishing process's own subscribers of that channel
  at once (the change is committed, their snapshot will show it). Its later events, until
  Redis answers again, are not sent but only add their channel to that list; once Redis
  answers, the process publishes one resync notice for those channels, which every process
  (itself too) turns into a `Resync` for its subscribers. So no process misses a change made
  during the outage, even one whose own connection never broke.
- The listener loses its subscription (every subscriber: `live` turns false) and every time
  the subscription is in place again (every subscriber, `live` true): nothing published in
  between reached this process.
- A subscriber falls 1,000 events behind: its queue is dropped for one `Resync`.
Markers are coalesced: a subscriber holds at most one unread `Resync`, and `Resync.live` is
read when the subscriber takes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from queue import Empty, SimpleQueue
from typing import Any

import structlog

log = structlog.get_logger("satupintu.events")
PREFIX = "satupintu:"
RESYNC_CHANNEL = PREFIX + "bus.resync"  # no site channel has this name ("site:<id>")
QUEUE_LIMIT = 1000  # events held for one slow subscriber before it is told to resync instead


@dataclass(frozen=True)
class Resync:
    """Not an event but a marker in a subscription: events may have been missed, reload the
    state. `live` tells whether events are flowing now; while it is false the reloaded state
    may go stale again, and another Resync follows as soon as the bus is back."""

    live: bool


_RESYNC = object()  # what a subscriber's queue holds for a pending Resync


class _Subscriber:
    """One subscription's queue, used only in the subscriber's own event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.resync_queued = False

    def put(self, event: dict[str, Any]) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:  # too slow to follow: drop its backlog for one resync
            while not self.queue.empty():
                self.queue.get_nowait()
            self.resync_queued = False
            log.warning("events.subscriber_overflow")
            self.resync()
        else:
            self.queue.put_nowait(event)

    def resync(self) -> None:
        if not self.resync_queued:
            self.resync_queued = True
            self.queue.put_nowait(_RESYNC)


class LocalBus:
    """Delivers to subscribers in this process, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[_Subscriber]] = {}

    @property
    def live(self) -> bool:
        """Whether every published event reaches the subscribers right now."""
        return True

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._deliver(channel, event)

    def _targets(self, channels: Iterable[str] | None) -> list[_Subscriber]:
        with self._lock:
            if channels is None:
                return [sub for subs in self._subs.values() for sub in subs]
            return [sub for channel in channels for sub in self._subs.get(channel, ())]

    def _deliver(self, channel: str, event: dict[str, Any]) -> None:
        for sub in self._targets([channel]):
            with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
                sub.loop.call_soon_threadsafe(sub.put, event)

    def _resync(self, channels: Iterable[str] | None = None) -> None:
        """Tell the subscribers of these channels (None: of every channel) to reload."""
        for sub in self._targets(channels):
            with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
                sub.loop.call_soon_threadsafe(sub.resync)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any] | Resync]:
        sub = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault(channel, set()).add(sub)
        try:
            while True:
                item = await sub.queue.get()
                if item is _RESYNC:
                    sub.resync_queued = False
                    yield Resync(live=self.live)
                else:
                    yield item
        finally:
            with self._lock:
                self._subs.get(channel, set()).discard(sub)

    def close(self) -> None:
        pass


class RedisBus(LocalBus):
    """Publishes through Redis so every app process (and host) receives every event.

    Nothing here connects at construction: the app starts and serves while Redis is down.
    `publish` only queues the event: a publisher thread sends them in order, so a request
    (in a worker thread or in the event loop) never waits on Redis. A listener thread holds
    the pattern subscription, pings Redis to notice a silent connection, and reconnects with
    a capped exponential backoff. redis-py's own retries are off: a broken connection must
    reach this class, which tells the subscribers, rather than be mended out of sight."""

    def __init__(self, url: str, *, retry_max: float = 2.0, ping_every: float = 5.0) -> None:
        super().__init__()
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        def client(retries: int) -> redis.Redis:
            return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5,
                                        retry=Retry(NoBackoff(), retries))

        self._listen_redis = client(0)
        # One immediate retry on a fresh connection: the first publish after Redis restarted
        # meets the connection the restart cut.
        self._publish_redis = client(1)
        self._retry_min, self._retry_max, self._ping_every = 0.1, retry_max, ping_every
        self._listen_delay = self._retry_min  # the pause before the listener's next attempt
        self._listening = False
        self._publishing = True
        self._state_lock = threading.Lock()
        self._stopped = threading.Event()
        self._outgoing: SimpleQueue[tuple[str, str] | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._listen_loop, name="satupintu-redis-bus", daemon=True)
        self._publisher = threading.Thread(target=self._publish_loop, name="satupintu-redis-publish", daemon=True)
        self._thread.start()
        self._publisher.start()

    @property
    def live(self) -> bool:
        return self._listening and self._publishing

    def _set_state(self, *, listening: bool | None = None, publishing: bool | None = None) -> bool:
        """Record the listener's or the publisher's state; every subscriber hears of a change
        (true when there was one)."""
        with self._state_lock:
            before = self.live
            if listening is not None:
                self._listening = listening
            if publishing is not None:
                self._publishing = publishing
            changed = self.live != before
        if changed:
            (log.info if self.live else log.warning)("events.live" if self.live else "events.not_live",
                                                     listening=self._listening, publishing=self._publishing)
            self._resync()
        return changed

    def _backoff(self, delay: float) -> float:
        return min(delay * 2, self._retry_max)

    def _jittered(self, delay: float) -> float:
        return delay * random.uniform(0.8, 1.2)  # processes restarted together do not reconnect in step

    # ---------------------------------------------------------------- publishing

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._outgoing.put((PREFIX + channel, json.dumps(event, default=str)))

    def _publish_loop(self) -> None:
        lost: set[str] = set()  # channels whose events did not reach Redis since it was last reachable
        delay, next_try = self._retry_min, 0.0
        while True:
            timeout = max(0.0, next_try - time.monotonic()) if lost else None
            item: tuple[str, str] | tuple[()] | None
            try:
                item = self._outgoing.get(timeout=timeout)
            except Empty:
                item = ()  # time to try Redis again
            if item is None:  # closing: what was queued before has been handled
                if lost:
                    self._send_resync_notice(lost)
                return
            if lost and time.monotonic() >= next_try:
                if self._send_resync_notice(lost):
                    lost.clear()
                    delay = self._retry_min
                    self._set_state(publishing=True)
                else:
                    delay = self._backoff(delay)
                    next_try = time.monotonic() + self._jittered(delay)
            if not item:
                continue
            channel, data = item
            if not lost:
                try:
                    self._publish_redis.publish(channel, data)
                    continue
                except Exception as exc:  # any failure: the state is committed, viewers resync instead
                    log.warning("events.publish_failed", channel=channel, error=exc.__class__.__name__)
                    self._set_state(publishing=False)
                    delay, next_try = self._retry_min, time.monotonic() + self._retry_min
            # Not sent: until Redis answers again, the event's viewers here reload at once and
            # those in every process once the resync notice gets through.
            lost.add(channel[len(PREFIX):])
            self._resync([channel[len(PREFIX):]])

    def _send_resync_notice(self, channels: set[str]) -> bool:
        """Every process (this one too) resyncs these channels: their events were lost."""
        try:
            self._publish_redis.publish(RESYNC_CHANNEL, json.dumps(sorted(channels)))
        except Exception as exc:  # Redis still unreachable: the caller retries later
            log.debug("events.resync_notice_failed", error=exc.__class__.__name__)
            return False
        log.info("events.resync_notice_sent", channels=len(channels))
        return True

    # ---------------------------------------------------------------- listening

    def _listen_loop(self) -> None:
        while not self._stopped.is_set():
            pubsub = self._listen_redis.pubsub()
            try:
                pubsub.psubscribe(PREFIX + "*")
                self._listen(pubsub)
            except Exception as exc:  # Redis unreachable or the connection lost: reconnect after a pause
                log.warning("events.listen_failed", error=exc.__class__.__name__,
                            retry_in=round(self._listen_delay, 2))
            finally:
                # A broken connection may fail to close; it is dropped either way.
                with contextlib.suppress(Exception):
                    pubsub.close()
            if self._stopped.is_set():
                return
            self._set_state(listening=False)
            self._stopped.wait(self._jittered(self._listen_delay))
            self._listen_delay = self._backoff(self._listen_delay)

    def _listen(self, pubsub: Any) -> None:
        """Read messages until the connection fails (raises) or the bus closes."""
        last_ping = time.monotonic()
        waiting_since: float | None = None  # when the oldest unanswered ping was sent
        while not self._stopped.is_set():
            message = pubsub.get_message(timeout=1.0)
            now = time.monotonic()
            if message:
                waiting_since = None
                kind = message["type"]
                if kind == "psubscribe":
                    # The subscription is in place: at first, or after redis-py reconnected by
                    # itself. Anything published before now did not reach this process.
                    self._listen_delay = self._retry_min
                    if not self._set_state(listening=True):
                        self._resync()
                elif kind == "pmessage":
                    self._receive(message["channel"].decode(), message["data"])
            if now - last_ping >= self._ping_every:
                pubsub.ping("satupintu")  # its answer is a message: a silent connection shows here
                last_ping = now
                waiting_since = waiting_since or now
            if waiting_since is not None and now - waiting_since > 2 * self._ping_every:
                raise ConnectionError("Redis did not answer a ping")

    def _receive(self, channel: str, data: bytes) -> None:
        try:
            payload = json.loads(data)
        except ValueError:
            log.warning("events.bad_message", channel=channel)
            return
        if channel == RESYNC_CHANNEL:
            self._resync(payload if isinstance(payload, list) else None)
        else:
            self._deliver(channel[len(PREFIX):], payload)

    def close(self) -> None:
        self._outgoing.put(None)  # what was queued before is still sent
        self._publisher.join(3)
        self._stopped.set()
        self._thread.join(3)
        self._listen_redis.close()
        self._publish_redis.close()


def make_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
