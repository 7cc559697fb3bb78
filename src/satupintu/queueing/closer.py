"""The day closer: a thread in each app process that closes every site's day at its closing
time plus grace, in the site's time zone, with no cron. Several processes may run it against
one database: each closing writes the day's row in queue_day_closes in its own transaction,
and that row's key lets only the first one through (day.close_due_days).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import structlog

from ..db import Database
from ..timeutil import utcnow
from . import day


def _log() -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger("satupintu.queue")


class DayCloser:
    """run_once() for one pass (tests, the CLI); start()/stop() for a thread polling every
    `poll_seconds`."""

    def __init__(self, db: Database, poll_seconds: float = 60.0, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: datetime | None = None) -> list[day.Closed]:
        closed = day.close_due_days(self.db, now or self.clock())
        for c in closed:
            _log().info("day_closed", site=c.site_code, date=c.day.isoformat(),
                        tickets=c.result.closed_tickets, counters=c.result.closed_counters)
        return closed

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # database down, etc.: the next round tries again
                _log().error("day_closer_error", error=type(exc).__name__)
            self._stop.wait(self.poll_seconds)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="satupintu-day-closer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
