"""Event bus: in-process by default, Redis pub/sub when SATUPINTU_REDIS_URL is set.

Service functions publish only after their transaction commits. Subscribers (boards,
consoles) get events as they happen; pub/sub keeps nothing for a disconnected client, so
a client reloads the state when it reconnects.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from queue import SimpleQueue
from typing import Any

import structlog

log = structlog.get_logger("satupintu.events")
PREFIX = "satupintu:"


class LocalBus:
    """Delivers to subscribers in this process, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]] = {}

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._deliver(channel, event)

    def _deliver(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for loop, queue in targets:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the subscriber's loop has closed
                pass

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subs.setdefault(channel, set()).add(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            with self._lock:
                self._subs.get(channel, set()).discard(entry)

    def close(self) -> None:
        pass


class RedisBus(LocalBus):
    """Publishes through Redis so every app process (and host) receives every event.

    `publish` only queues the event: a publisher thread sends them in order, so a request
    (in a worker thread or in the event loop) never waits on Redis."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self._redis = redis.Redis.from_url(url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(PREFIX + "*")
        self._thread = threading.Thread(target=self._listen, name="satupintu-redis-bus", daemon=True)
        self._stopped = threading.Event()
        self._outgoing: SimpleQueue[tuple[str, str] | None] = SimpleQueue()
        self._publisher = threading.Thread(target=self._publish_loop, name="satupintu-redis-publish", daemon=True)
        self._thread.start()
        self._publisher.start()

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._outgoing.put((PREFIX + channel, json.dumps(event, default=str)))

    def _publish_loop(self) -> None:
        while (item := self._outgoing.get()) is not None:
            try:
                self._redis.publish(*item)
            except Exception as exc:  # the state is committed; live views catch up on reconnect
                log.warning("events.publish_failed", channel=item[0], error=exc.__class__.__name__)

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                message = self._pubsub.get_message(timeout=1.0)
            except Exception as exc:
                log.warning("events.listen_failed", error=exc.__class__.__name__)
                self._stopped.wait(1.0)
                continue
            if message and message.get("type") == "pmessage":
                channel = message["channel"].decode()[len(PREFIX):]
                self._deliver(channel, json.loads(message["data"]))

    def close(self) -> None:
        self._outgoing.put(None)  # what was queued before is still sent
        self._publisher.join(3)
        self._stopped.set()
        self._thread.join(3)
        self._pubsub.close()
        self._redis.close()


def make_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
