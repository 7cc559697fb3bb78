"""The background sender: claims due notifications, hands each to its channel, records the
result. Requests never wait for it: they only enqueue (see service.enqueue).

Several workers (threads or processes, on one or several hosts) may run against one
database; claim_due gives each message to one of them at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import structlog

from ..config import Settings
from ..db import Database
from ..polling import PollingThread
from ..timeutil import utcnow
from . import service
from .backoff import Backoff
from .channels import Channel, OutgoingMessage, PermanentSendError, TransientSendError
from .models import NotifyStatus


def _log() -> structlog.typing.FilteringBoundLogger:
    # A fresh proxy per use, so a logging configuration made later (or a test capture) applies.
    return structlog.get_logger("satupintu.notify")


def backoff_from(settings: Settings) -> Backoff:
    return Backoff(base=settings.notify_backoff_base_seconds, cap=settings.notify_backoff_cap_seconds,
                   max_attempts=settings.notify_max_attempts)


class NotificationWorker(PollingThread):
    """run_once() for one pass (tests, a CLI command, cron); start()/stop() for a thread that
    polls every settings.notify_poll_seconds."""

    thread_name = "satupintu-notify"
    log_name = "satupintu.notify"
    error_event = "notification_worker_error"

    def __init__(self, db: Database, channels: Mapping[str, Channel], settings: Settings, *,
                 backoff: Backoff | None = None, clock: Callable[[], datetime] = utcnow,
                 housekeeping: Sequence[Callable[[Database, datetime], object]] = ()) -> None:
        super().__init__()
        self.db = db
        self.channels = dict(channels)
        self.settings = settings
        self.backoff = backoff or backoff_from(settings)
        self.clock = clock
        # Retention jobs (e.g. erasing contact data no message needs any more), run by the loop
        # at start and then every polling.HOUSEKEEPING_SECONDS: no scheduler of its own is needed.
        self.housekeeping = list(housekeeping)

    def _attempt(self, message: OutgoingMessage) -> service.Outcome:
        channel = self.channels.get(message.channel)
        if channel is None:
            return service.Outcome(f"no channel configured for {message.channel!r}", permanent=True)
        try:
            channel.send(message)
        except PermanentSendError as exc:
            return service.Outcome(str(exc) or type(exc).__name__, permanent=True)
        except TransientSendError as exc:
            return service.Outcome(str(exc) or type(exc).__name__)
        except Exception as exc:  # a bug or an unexpected library error: retry, never crash the loop
            return service.Outcome(f"unexpected {type(exc).__name__}: {exc}")
        return service.Outcome(delivered_via=getattr(channel, "name", message.channel))

    def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Send what is due at `now` (default: the clock); returns counts by result:
        claimed, sent, retry, failed, lost (result ignored because the lease was taken over)."""
        fixed = now
        now = now or self.clock()
        counts: Counter[str] = Counter()
        claimed = service.claim_due(self.db, now, self.settings.notify_batch_size,
                                    lease_seconds=self.settings.notify_lease_seconds,
                                    max_attempts=self.backoff.max_attempts)
        counts["claimed"] = len(claimed)
        for i, message in enumerate(claimed):
            if self.stopping:  # stopping: give the rest back instead of waiting for the lease
                service.release(self.db, claimed[i:], now=fixed or self.clock())
                break
            outcome = self._attempt(message)
            done_at = fixed or self.clock()
            status = service.record_result(self.db, message, outcome, now=done_at, policy=self.backoff)
            key = {NotifyStatus.sent.value: "sent", NotifyStatus.pending.value: "retry",
                   NotifyStatus.failed.value: "failed", None: "lost"}[status]
            counts[key] += 1
            fields = dict(notification_id=str(message.id), kind=message.kind, channel=message.channel,
                          to=message.recipient_masked, attempt=message.attempt, status=status or "lost")
            log = _log()
            if outcome.error is None:
                log.info("notification_sent", via=outcome.delivered_via, **fields)
            else:
                error = service.scrub(outcome.error, message.recipient, message.recipient_masked)
                level = log.warning if status == NotifyStatus.failed.value else log.info
                level("notification_not_sent", error=error, permanent=outcome.permanent, **fields)
        return {k: counts.get(k, 0) for k in ("claimed", "sent", "retry", "failed", "lost")}

    def keep_house(self, now: datetime | None = None) -> None:
        """Run the retention jobs once (each failure logged without personal data)."""
        for job in self.housekeeping:
            try:
                job(self.db, now or self.clock())
            except Exception as exc:  # database down, etc.: the next round tries again
                _log().error("notification_housekeeping_error", job=getattr(job, "__name__", "job"),
                             error=type(exc).__name__)

    # The thread (polling.PollingThread) -----------------------------------------------------

    def round(self) -> bool:
        return self.run_once()["claimed"] >= self.settings.notify_batch_size

    def interval(self) -> float:
        return self.settings.notify_poll_seconds

    def housekeep(self) -> None:
        self.keep_house()
