"""One board snapshot read shared by every stream of a site that needs it at the same time.

A reconnect storm (a power cut in the hall, a process restarted behind the balancer) brings
hundreds of streams of one site in within a second, each needing the board's state. Reading it
once per stream queued a thousand reads on the worker threads; now the streams needing the same
board (site, agencies, floor) share one read ("single flight"):

- A stream knows its log position `at` (every entry up to it was committed before it learned
  it). A read covers what was committed before it started, so the stream may take a read whose
  start position (the latest entry this process had from the bus when the read began) is at or
  after `at`: nothing up to `at` is missing from it, and what the stream receives after `at`
  follows live, so a client resuming from `at` later misses nothing.
- Any other stream (an event came after the running read started, or its position is unknown)
  waits for the next read, which starts once the running one ends: a read that starts after
  the stream asked covers it. So a storm costs about one read per read's duration, whatever
  the number of streams, and no stream gets a stale snapshot.
- A finished read is reused on the same terms for `REUSE_SECONDS` (the board also shows the
  local day, so a result is not kept for long).

`covers(read_position, at)` is the pure rule; `SharedReads` the asyncio side (one per process
and event loop, used only from that loop).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..events import id_order

T = TypeVar("T")
REUSE_SECONDS = 1.0  # a finished read serves later streams for this long (when it covers them)
KEYS_KEPT = 256  # boards whose last read is kept (a key holds the board's agencies and floor)


def covers(read_position: str | None, at: str | None) -> bool:
    """Whether a read that started when this process had the log up to `read_position` shows
    everything up to a stream's position `at` (None: not known, so it cannot be shown to)."""
    return read_position is not None and at is not None and id_order(at) <= id_order(read_position)


@dataclass(eq=False)
class _Flight(Generic[T]):
    future: asyncio.Future[T]
    position: str | None = None  # the bus position when the read started
    started: float | None = None  # loop time the read started (None: waiting for its turn)
    finished: float | None = None


@dataclass(eq=False)
class _Board(Generic[T]):
    current: _Flight[T] | None = None  # running, or finished a moment ago
    upcoming: _Flight[T] | None = None  # starts when the current one ends
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class SharedReads(Generic[T]):
    """Single-flight reads per key (see the module's docstring). `reads` counts the reads made."""

    def __init__(self, reuse_seconds: float = REUSE_SECONDS, keys_kept: int = KEYS_KEPT) -> None:
        self._boards: OrderedDict[Hashable, _Board[T]] = OrderedDict()
        self._reuse = reuse_seconds
        self._kept = keys_kept
        self.reads = 0

    async def get(self, key: Hashable, at: str | None, position: Callable[[], str | None],
                  read: Callable[[], Awaitable[T]]) -> T:
        """The value of `read()` from a read that covers `at`. `position()`: the latest entry
        of the key's channel this process has (every entry up to it was committed)."""
        loop = asyncio.get_running_loop()
        board = self._boards.get(key)
        if board is None:
            board = self._boards[key] = _Board()
            self._forget_old()
        self._boards.move_to_end(key)
        flight = board.current
        usable = (flight is not None and flight.started is not None and covers(flight.position, at)
                  and (flight.finished is None or loop.time() - flight.finished <= self._reuse)
                  and not (flight.future.done() and (flight.future.cancelled()
                                                     or flight.future.exception() is not None)))
        if not usable:
            if board.upcoming is None:
                board.upcoming = _Flight(loop.create_future())
                board.task = loop.create_task(self._run(board, board.upcoming, position, read))
            flight = board.upcoming
        assert flight is not None
        # shield: a stream that goes away does not cancel the read the others wait for
        return await asyncio.shield(flight.future)

    async def _run(self, board: _Board[T], flight: _Flight[T], position: Callable[[], str | None],
                   read: Callable[[], Awaitable[T]]) -> None:
        loop = asyncio.get_running_loop()
        before = board.current
        if before is not None and before.finished is None:  # one read at a time per board
            with contextlib.suppress(BaseException):
                await asyncio.shield(before.future)
        flight.position, flight.started = position(), loop.time()  # before the read begins
        board.current, board.upcoming = flight, None
        self.reads += 1
        try:
            flight.future.set_result(await read())
        except asyncio.CancelledError:
            flight.future.cancel()
            raise
        except Exception as exc:  # every stream waiting on it gets the error; none reuses it
            flight.future.set_exception(exc)
            flight.future.exception()  # retrieved: no "never retrieved" warning when nobody waits
        finally:
            flight.finished = loop.time()

    def _forget_old(self) -> None:
        while len(self._boards) > self._kept:
            key, board = next(iter(self._boards.items()))
            if board.upcoming is not None or (board.current is not None and board.current.finished is None):
                return  # the oldest is still reading: kept until it is done
            del self._boards[key]
