"""Event bus: in-process by default, Redis Streams when SATUPINTU_REDIS_URL is set.

Service functions publish only after their transaction commits. Every event is an entry in
its channel's log (one log per site, "site:<id>"), and its entry id goes to the browser as the
server-sent event's `id:`. A client that comes back with the last id it saw (`Last-Event-ID`)
is resumed: it gets every entry after that id, then live ones. When the log no longer holds
that id (trimmed by length, unknown, from a Redis that restarted empty) the bus cannot vouch
for what was missed, and the client reads a snapshot instead. Subscribers inside the running
stream get a `Resync` marker for the same reason: they reload their state from the database
(whose commits came before any event about them) and carry on.

The whole interface: `publish(channel, event)`, `stream(channel, after)` (yields one `Start`,
then `Entry` items and `Resync` markers; `batches(channel, after)` the same with the entries
already waiting in lists), `subscribe(channel)` (the same without ids: event
dicts and `Resync`), `live` (events flow right now) and `close()`.

- `LocalBus` (one process): each channel's last `maxlen` entries in memory, ids like Redis's.
- `RedisBus`: one Redis stream per channel (`satupintu:<channel>`, XADD with MAXLEN ~), read
  with XREAD BLOCK by one listener thread per process over only the channels that process's
  subscribers watch: the first subscriber of a channel adds its stream to the read (the
  listener's blocking read is cut short with CLIENT UNBLOCK), the last one leaving drops it.

A log entry can itself be a resync notice (`{"resync": "1"}`): the bus writes one into each
channel whose events it failed to publish, once Redis answers again, so every process reading
that stream, and every client resuming across it, reloads instead.

When a `Resync` arrives (`RedisBus`):
- A publish fails (Redis down): the publishing process's own subscribers of that channel
  at once (the change is committed, their snapshot will show it). Its later events, until
  Redis answers again, are not sent but only add their channel to that list; once Redis
  answers, the process appends one resync notice to each of those channels' streams, which
  every process reading them turns into a `Resync` for its subscribers. So no process misses
  a change made during the outage, even one whose own connection never broke.
- The listener loses its connection (every subscriber: `live` turns false) and every time it
  is connected again (every subscriber, `live` true). Its read positions then restart at each
  stream's end: a Redis that restarted empty lost what its streams held.
- A channel's stream could not be read when its first subscriber came (Redis unreachable
  then): that channel's subscribers, once the listener has placed the stream.
- A subscriber falls 1,000 events behind: its queue is dropped for one `Resync`.
Markers are coalesced: a subscriber holds at most one unread `Resync`, and `Resync.live` is
read when the subscriber takes it. `Resync.at` is the log position the reloaded state covers
(every entry up to it was committed before the marker was taken): the snapshot's id, so a
client resuming from it misses nothing and gets no entry the snapshot already shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

import structlog
from sse_starlette.event import ServerSentEvent

log = structlog.get_logger("satupintu.events")
PREFIX = "satupintu:"
QUEUE_LIMIT = 1000  # events held for one slow subscriber before it is told to resync instead
STREAM_MAXLEN = 1000  # entries kept per channel (settings: event_stream_maxlen)
ENTRY_ID = re.compile(r"[0-9]{1,20}-[0-9]{1,20}\Z")  # a Redis stream entry id, "<ms>-<seq>"

T = TypeVar("T")


# ---------------------------------------------------------------- pure rules

def id_order(entry_id: str) -> tuple[int, int]:
    """Entry ids compare as (milliseconds, sequence), not as text."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def later(a: str | None, b: str | None) -> str | None:
    """The later of two log positions (None: none known)."""
    if a is None or b is None:
        return a or b
    return a if id_order(a) >= id_order(b) else b


def replay_after(after: str, log_from_after: Sequence[tuple[str, T]]) -> list[tuple[str, T]] | None:
    """What a client that last saw entry `after` missed, given the log read from `after` on
    (inclusive, in order): the entries after it, or None when the log no longer holds `after`
    (trimmed away, never written, or from a log that was lost): then only a snapshot is safe.
    Requiring the very entry, not just an older id, is what makes a Redis that restarted empty
    (its new ids are later than the client's) answer with a snapshot."""
    if not ENTRY_ID.match(after) or not log_from_after or log_from_after[0][0] != after:
        return None
    return list(log_from_after[1:])


# ---------------------------------------------------------------- what a subscription yields

@dataclass(frozen=True)
class Resync:
    """Not an event but a marker in a subscription: events may have been missed, reload the
    state. `live` tells whether events are flowing now; while it is false the reloaded state
    may go stale again, and another Resync follows as soon as the bus is back. `at`: the log
    position the reloaded state covers (None: none known), the id to send with it."""

    live: bool
    at: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Entry:
    """One event with its id in the channel's log."""

    id: str
    event: dict[str, Any]

    @cached_property
    def frame(self) -> bytes:
        """The entry as one server-sent event (`id:`, `event:` the type, `data:` the JSON),
        encoded once per process however many streams send it: with a few hundred events a
        second and dozens of screens on one site, encoding it for each stream was a large part
        of a worker's time."""
        return ServerSentEvent(data=json.dumps(self.event, default=str), event=self.event.get("type", "message"),
                               id=self.id).encode()


@dataclass(frozen=True)
class Start:
    """The first item of `stream()`. `resumed`: the entries after the client's id follow, no
    snapshot is needed. Otherwise read a snapshot: it covers the log up to `at` (None: no
    position known, the bus is unreachable)."""

    resumed: bool
    at: str | None
    live: bool


_RESYNC = object()  # what a subscriber's queue holds for a pending Resync


class _Subscriber:
    """One subscription's queue, used only in the subscriber's own event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.resync_queued = False
        self.position: str | None = None  # the latest entry put, dropped or covered by a resync
        self.resync_at: str | None = None  # the position the pending Resync's snapshot covers

    def put(self, entry: Entry) -> None:
        self.position = later(self.position, entry.id)
        if self.queue.qsize() >= QUEUE_LIMIT:  # too slow to follow: drop its backlog for one resync
            while not self.queue.empty():
                self.queue.get_nowait()
            self.resync_queued = False
            log.warning("events.subscriber_overflow")
            self.resync()
        else:
            self.queue.put_nowait(entry)

    def resync(self, at: str | None = None) -> None:
        self.position = later(self.position, at)
        self.resync_at = self.position
        if not self.resync_queued:
            self.resync_queued = True
            self.queue.put_nowait(_RESYNC)


class LocalBus:
    """Delivers to subscribers in this process, from any thread; keeps each channel's last
    `maxlen` entries so a client of this process can resume."""

    def __init__(self, maxlen: int = STREAM_MAXLEN) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[_Subscriber]] = {}
        self._maxlen = maxlen
        self._logs: dict[str, deque[Entry]] = {}
        self._last_id = (0, 0)

    @property
    def live(self) -> bool:
        """Whether every published event reaches the subscribers right now."""
        return True

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:  # ids, the log and the deliveries in one order
            ms = max(int(time.time() * 1000), self._last_id[0])
            self._last_id = (ms, self._last_id[1] + 1 if ms == self._last_id[0] else 0)
            entry = Entry(f"{ms}-{self._last_id[1]}", event)
            self._logs.setdefault(channel, deque(maxlen=self._maxlen)).append(entry)
            _hand_over(self._subs.get(channel, ()), [entry])

    def _targets(self, channels: Iterable[str] | None) -> list[tuple[str, _Subscriber]]:
        with self._lock:
            names = list(self._subs) if channels is None else channels
            return [(channel, sub) for channel in names for sub in self._subs.get(channel, ())]

    def _deliver(self, channel: str, entries: list[Entry]) -> None:
        if entries:
            _hand_over([sub for _, sub in self._targets([channel])], entries)

    def _position(self, channel: str) -> str | None:
        """The latest entry of the channel this process has read (None: none)."""
        return None

    def position(self, channel: str) -> str | None:
        """The latest entry of the channel this process has had from the log (None: none known):
        every entry up to it was committed, so a database read started now shows them all."""
        with self._lock:
            entries = self._logs.get(channel)
            return entries[-1].id if entries else None

    def _resync(self, channels: Iterable[str] | None = None, at: str | None = None) -> None:
        """Tell the subscribers of these channels (None: of every channel) to reload; `at`: the
        channel's log position the reload covers (default: the latest this process read)."""
        for channel, sub in self._targets(channels):
            with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
                sub.loop.call_soon_threadsafe(sub.resync, at or self._position(channel))

    async def _open(self, channel: str, after: str | None) -> tuple[bool, str | None, list[Entry]]:
        """Where a new subscription starts: (resumed, position, the entries to replay)."""
        with self._lock:
            entries = self._logs.get(channel, ())
            if after is not None:
                tail = _from(entries, after)
                if tail is not None:
                    return True, tail[-1].id if tail else after, tail
            return False, entries[-1].id if entries else None, []

    def _add(self, channel: str, sub: _Subscriber) -> None:
        with self._lock:
            self._subs.setdefault(channel, set()).add(sub)

    def _remove(self, channel: str, sub: _Subscriber) -> None:
        with self._lock:
            subs = self._subs.get(channel, set())
            subs.discard(sub)
            if not subs:
                self._subs.pop(channel, None)

    async def stream(self, channel: str, after: str | None = None) -> AsyncGenerator[Start | Entry | Resync, None]:
        """One `Start`, the missed entries when resumed from `after`, then live entries and
        `Resync` markers. No entry is yielded twice, nor one the last snapshot covers."""
        async with contextlib.aclosing(self.batches(channel, after)) as items:
            async for item in items:
                if isinstance(item, list):
                    for entry in item:
                        yield entry
                else:
                    yield item

    async def batches(self, channel: str, after: str | None = None
                      ) -> AsyncGenerator[Start | list[Entry] | Resync, None]:
        """`stream()` with the entries already waiting taken together: a list of one or more
        entries instead of one entry at a time, so a busy stream sends them in one write."""
        sub = _Subscriber(asyncio.get_running_loop())
        self._add(channel, sub)  # before the log is read: nothing published from now on falls between
        try:
            resumed, last, replay = await self._open(channel, after)
            yield Start(resumed, last, self.live)
            if replay:
                yield replay
            while True:
                item = await sub.queue.get()
                batch: list[Entry] = []
                while item is not _RESYNC:
                    if last is None or id_order(item.id) > id_order(last):
                        last = item.id
                        batch.append(item)
                    if sub.queue.empty():
                        item = None
                        break
                    item = sub.queue.get_nowait()
                if batch:
                    yield batch
                if item is _RESYNC:
                    sub.resync_queued = False
                    last = later(last, sub.resync_at)
                    yield Resync(live=self.live, at=last)
        finally:
            self._remove(channel, sub)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any] | Resync]:
        """Events and `Resync` markers, without ids (for listeners inside the app)."""
        async with contextlib.aclosing(self.stream(channel)) as items:
            async for item in items:
                if isinstance(item, Entry):
                    yield item.event
                elif isinstance(item, Resync):
                    yield item

    def close(self) -> None:
        pass


def _hand_over(subscribers: Iterable[_Subscriber], entries: list[Entry]) -> None:
    """Put the entries into each subscriber's queue, from any thread: one wake-up of each event
    loop for all its subscribers and for every batch handed over until the loop runs the first
    (a call from another thread wakes the loop through a pipe, and one per subscriber and event
    cost a worker thousands of wake-ups a second; one per publish still hundreds)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Subscriber]] = {}
    for sub in subscribers:
        by_loop.setdefault(sub.loop, []).append(sub)
    for loop, subs in by_loop.items():
        with _waiting_lock:
            waiting = _waiting.get(loop)
            if waiting is not None:  # the loop is already woken for earlier batches: these join them
                waiting.append((subs, entries))
                continue
            _waiting[loop] = [(subs, entries)]
        try:
            loop.call_soon_threadsafe(_put_waiting, loop)
        except RuntimeError:  # the subscribers' loop has closed
            with _waiting_lock:
                _waiting.pop(loop, None)


# Batches handed over to each loop and not yet put, in the order they were published.
_waiting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[tuple[list[_Subscriber], list[Entry]]]] = \
    weakref.WeakKeyDictionary()
_waiting_lock = threading.Lock()


def _put_waiting(loop: asyncio.AbstractEventLoop) -> None:
    with _waiting_lock:
        batches = _waiting.pop(loop, [])
    for subs, entries in batches:
        _put_all(subs, entries)


def _put_all(subscribers: list[_Subscriber], entries: list[Entry]) -> None:
    for sub in subscribers:
        for entry in entries:
            sub.put(entry)


def _from(entries: Iterable[Entry], after: str) -> list[Entry] | None:
    listed = list(entries)
    for i in range(len(listed) - 1, -1, -1):  # a resuming client is usually near the end
        if listed[i].id == after:
            tail = replay_after(after, [(e.id, e) for e in listed[i:]])
            return None if tail is None else [e for _, e in tail]
    return None


class RedisBus(LocalBus):
    """Writes every event to its channel's Redis stream, so every app process (and host) that
    watches the channel reads it, and a client resumes from any entry the stream still holds.

    Nothing here connects at construction: the app starts and serves while Redis is down.
    `publish` only queues the event: a publisher thread appends them in order, so a request
    (in a worker thread or in the event loop) never waits on Redis. A listener thread reads the
    watched streams (XREAD BLOCK on a connection of its own, whose block timeout doubles as
    its check that Redis still answers) and reconnects with a capped exponential backoff.
    redis-py's own retries are off for it: a broken connection must reach this class, which
    tells the subscribers, rather than be mended out of sight."""

    def __init__(self, url: str, *, maxlen: int = STREAM_MAXLEN, retry_max: float = 2.0,
                 ping_every: float = 5.0) -> None:
        super().__init__(maxlen)
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._block = min(1.0, ping_every)  # seconds one XREAD waits for entries

        def client(retries: int, *, single: bool = False, timeout: float = 5.0) -> redis.Redis:
            return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=timeout,
                                        retry=Retry(NoBackoff(), retries), single_connection_client=single)

        # The listener's connection is made anew on every attempt; an unanswered read past the
        # block time plus one ping interval is a silent connection.
        self._listen_client = lambda: client(0, single=True, timeout=self._block + ping_every)
        # One immediate retry on a fresh connection: the first command after Redis restarted
        # meets the connection the restart cut.
        self._publish_redis = client(1)
        self._read_redis = client(1)  # new subscribers' positions and replays, from worker threads
        self._retry_min, self._retry_max, self._ping_every = 0.1, retry_max, ping_every
        self._listen_delay = self._retry_min  # the pause before the listener's next attempt
        self._listening = False
        self._publishing = True
        self._state_lock = threading.Lock()
        self._stopped = threading.Event()
        self._wake = threading.Event()  # a channel was added while the listener had none to read
        self._listener_id: int | None = None  # the listener connection's CLIENT ID while connected
        # Channels watched here -> the last entry id read from their streams (None: not placed
        # yet, its subscribers resync once it is). Guarded by self._lock.
        self._cursors: dict[str, str | None] = {}
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

    def _position(self, channel: str) -> str | None:
        with self._lock:
            return self._cursors.get(channel)

    def position(self, channel: str) -> str | None:
        return self._position(channel)  # where the listener has read the channel's stream to

    # ---------------------------------------------------------------- publishing

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._outgoing.put((channel, json.dumps(event, default=str)))

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
                    self._publish_redis.xadd(PREFIX + channel, {"event": data}, maxlen=self._maxlen,
                                             approximate=True)
                    continue
                except Exception as exc:  # any failure: the state is committed, viewers resync instead
                    log.warning("events.publish_failed", channel=channel, error=exc.__class__.__name__)
                    self._set_state(publishing=False)
                    delay, next_try = self._retry_min, time.monotonic() + self._retry_min
            # Not sent: until Redis answers again, the event's viewers here reload at once and
            # those in every process once the resync notice is in the channel's stream.
            lost.add(channel)
            self._resync([channel])

    def _send_resync_notice(self, channels: set[str]) -> bool:
        """A resync entry in each of these channels' streams: every process reading one (this
        one too) resyncs its subscribers, and no client resumes across the lost events."""
        try:
            with self._publish_redis.pipeline(transaction=False) as pipe:
                for channel in sorted(channels):
                    pipe.xadd(PREFIX + channel, {"resync": "1"}, maxlen=self._maxlen, approximate=True)
                pipe.execute()
        except Exception as exc:  # Redis still unreachable: the caller retries later
            log.debug("events.resync_notice_failed", error=exc.__class__.__name__)
            return False
        log.info("events.resync_notice_sent", channels=len(channels))
        return True

    # ---------------------------------------------------------------- new subscriptions

    async def _open(self, channel: str, after: str | None) -> tuple[bool, str | None, list[Entry]]:
        return await asyncio.to_thread(self._open_now, channel, after)

    def _open_now(self, channel: str, after: str | None) -> tuple[bool, str | None, list[Entry]]:
        try:
            resumed, at, replay = self._read_start(channel, after)
        except Exception as exc:  # Redis unreachable: a snapshot now, a resync once the stream is placed
            log.info("events.open_failed", error=exc.__class__.__name__)
            with self._lock:
                if channel in self._subs:
                    self._cursors.setdefault(channel, None)
            return False, None, []
        with self._lock:
            added = channel in self._subs and channel not in self._cursors
            if added:
                self._cursors[channel] = at  # the listener reads on from where this subscriber starts
        if added:
            self._wake_listener()
        return resumed, at, replay

    def _read_start(self, channel: str, after: str | None) -> tuple[bool, str, list[Entry]]:
        key = PREFIX + channel
        if after is not None and ENTRY_ID.match(after):
            found: Any = self._read_redis.xrange(key, min=after, max="+")
            rows = [(i.decode(), f) for i, f in found]
            tail = replay_after(after, rows)
            if tail is not None:
                at = rows[-1][0]
                if any(b"resync" in fields for _, fields in tail):  # events were lost after `after`
                    return False, at, []
                return True, at, [e for e in (_entry(i, f) for i, f in tail) if e is not None]
        last: Any = self._read_redis.xrevrange(key, "+", "-", count=1)
        return False, last[0][0].decode() if last else "0-0", []

    def _wake_listener(self) -> None:
        """The listener reads the new set of streams now rather than after its block time."""
        self._wake.set()
        listener = self._listener_id
        if listener is not None:
            with contextlib.suppress(Exception):  # it reads the new set after its block time anyway
                self._read_redis.client_unblock(listener)

    def _remove(self, channel: str, sub: _Subscriber) -> None:
        with self._lock:
            subs = self._subs.get(channel, set())
            subs.discard(sub)
            if not subs:  # the last viewer here: this process stops reading the stream
                self._subs.pop(channel, None)
                self._cursors.pop(channel, None)

    # ---------------------------------------------------------------- listening

    def _listen_loop(self) -> None:
        while not self._stopped.is_set():
            conn = None
            try:
                conn = self._listen_client()  # connects at once: a connection of its own
                self._listen(conn)
            except Exception as exc:  # Redis unreachable or the connection lost: reconnect after a pause
                log.warning("events.listen_failed", error=exc.__class__.__name__,
                            retry_in=round(self._listen_delay, 2))
            finally:
                self._listener_id = None
                # A broken connection may fail to close; it is dropped either way.
                with contextlib.suppress(Exception):
                    if conn is not None:
                        conn.close()
            if self._stopped.is_set():
                return
            self._set_state(listening=False)
            self._stopped.wait(self._jittered(self._listen_delay))
            self._listen_delay = self._backoff(self._listen_delay)

    def _place(self, conn: Any, channels: list[str]) -> None:
        """Read on from each stream's present end: whatever came before is covered by the
        resync that follows."""
        with conn.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.xrevrange(PREFIX + channel, "+", "-", count=1)
            ends = pipe.execute()
        with self._lock:
            for channel, end in zip(channels, ends, strict=True):
                if channel in self._cursors:
                    self._cursors[channel] = end[0][0].decode() if end else "0-0"

    def _listen(self, conn: Any) -> None:
        """Read entries until the connection fails (raises) or the bus closes."""
        self._listener_id = conn.client_id()
        with self._lock:
            watched = list(self._cursors)
        self._place(conn, watched)
        # Connected: at first, or again. Anything written before now did not reach this process.
        self._listen_delay = self._retry_min
        if not self._set_state(listening=True):
            self._resync()
        last_ping = time.monotonic()
        while not self._stopped.is_set():
            self._wake.clear()
            with self._lock:
                unplaced = [c for c, at in self._cursors.items() if at is None]
            if unplaced:  # their subscribers came while Redis could not be read
                self._place(conn, unplaced)
                self._resync(unplaced)
            with self._lock:
                streams = {PREFIX + c: at for c, at in self._cursors.items() if at is not None}
            if not streams:
                if time.monotonic() - last_ping >= self._ping_every:
                    conn.ping()
                    last_ping = time.monotonic()
                self._wake.wait(self._block)
                continue
            for key, rows in conn.xread(streams, block=int(self._block * 1000)) or []:
                self._receive(key.decode()[len(PREFIX):], rows)

    def _receive(self, channel: str, rows: Any) -> None:
        last = None
        batch: list[Entry] = []  # handed over together: one wake-up of each loop for all of them
        for raw_id, fields in rows:
            last = raw_id.decode()
            if b"resync" in fields:
                self._deliver(channel, batch)  # in order: the entries before the notice first
                batch = []
                self._resync([channel], at=last)
            elif (entry := _entry(last, fields)) is not None:
                batch.append(entry)
        self._deliver(channel, batch)
        with self._lock:
            if channel in self._cursors and last is not None:
                self._cursors[channel] = later(self._cursors[channel], last)

    def close(self) -> None:
        self._outgoing.put(None)  # what was queued before is still sent
        self._publisher.join(3)
        self._stopped.set()
        self._wake_listener()
        self._thread.join(3)
        self._publish_redis.close()
        self._read_redis.close()


def _entry(entry_id: str, fields: dict[bytes, bytes]) -> Entry | None:
    try:
        event = json.loads(fields[b"event"])
    except (KeyError, ValueError):
        log.warning("events.bad_entry", entry=entry_id)
        return None
    return Entry(entry_id, event) if isinstance(event, dict) else None


def make_bus(redis_url: str | None, maxlen: int = STREAM_MAXLEN) -> LocalBus:
    return RedisBus(redis_url, maxlen=maxlen) if redis_url else LocalBus(maxlen)
