"""The unit's background sync: while the served app runs on an enrolled unit, it pushes and
pulls every settings.unit_sync_interval seconds, waits longer while the centre is unreachable,
and never runs beside another sync of the install (link.sync_lock: the CLI, the page's button,
another app process). Before enrolment a round only looks at the link table and sleeps.

Each round's outcome is recorded on the link by link.sync itself (last contact, last error,
backlog), so the van's status page shows it.
"""

from __future__ import annotations

import structlog

from ..config import Settings
from ..db import Database
from ..errors import DomainError
from ..polling import PollingThread
from . import link


def _log() -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger("satupintu.unit")


def next_wait(interval: float, failures: int, cap: float) -> float:
    """Seconds before the next round after `failures` failed rounds in a row (0: all is well):
    the interval, doubled per failure, never over the cap (nor under the interval)."""
    if failures <= 0:
        return interval
    return max(interval, min(cap, interval * 2.0 ** min(failures, 30)))


class UnitSyncWorker(PollingThread):
    """run_once() for one round; start()/stop() for the thread the app's lifespan runs."""

    thread_name = "satupintu-unit-sync"
    log_name = "satupintu.unit"
    error_event = "unit.sync_error"

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__()
        self.db = db
        self.every = settings.unit_sync_interval
        self.cap = settings.unit_sync_backoff_cap
        self.failures = 0

    def run_once(self) -> str:
        """One round: "idle" (not enrolled), "synced", "busy" (another sync holds the lock), or
        "failed" (the centre unreachable or refusing; recorded on the link)."""
        if link.status(self.db) is None:
            return "idle"
        try:
            pushed, applied = link.sync(self.db)
        except link.SyncBusy:
            return "busy"
        except DomainError as exc:
            self.failures += 1
            _log().warning("unit.sync_failed", code=exc.code, failures=self.failures)
            return "failed"
        self.failures = 0
        if pushed.sent or applied.total or pushed.refused:
            _log().info("unit.synced", sent=pushed.sent, refused=len(pushed.refused), received=applied.total)
        return "synced"

    # The thread (polling.PollingThread) -----------------------------------------------------

    def round(self) -> bool:
        try:
            self.run_once()
        except Exception:  # the database busy or broken, a bug: logged by the loop, tried later
            self.failures += 1
            raise
        return False  # a round syncs everything due: the next waits

    def interval(self) -> float:
        return next_wait(self.every, self.failures, self.cap)
