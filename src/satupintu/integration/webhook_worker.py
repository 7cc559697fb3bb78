"""The webhook delivery worker: claims due outbox rows, POSTs each signed body, records the
answer (status code, duration). Requests never wait for it: their transaction only wrote the
row (webhook_service.write_outbox). Several workers (threads, processes, hosts) may share one
database: a claim gives each row to one of them, under a lease.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import httpx
import structlog

from ..config import Settings
from ..db import Database
from ..polling import PollingThread
from ..timeutil import utcnow
from . import webhook_service as service
from . import webhooks


def _log() -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger("satupintu.webhooks")


class WebhookWorker(PollingThread):
    """run_once() for one pass (tests, cron); start()/stop() for a thread polling every
    settings.webhook_poll_seconds."""

    thread_name = "satupintu-webhooks"
    log_name = "satupintu.webhooks"
    error_event = "webhook.worker_error"

    def __init__(self, db: Database, settings: Settings, *, client: httpx.Client | None = None,
                 clock: Callable[[], datetime] = utcnow, policy: webhooks.RetryPolicy | None = None) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.clock = clock
        self.policy = policy or service.policy_from(settings)
        # No redirects: a signed body goes only to the address the manager entered.
        self.client = client or httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)

    def send(self, claimed: service.Claimed) -> service.Attempt:
        timestamp = int(time.time())  # the moment of this attempt, whatever clock schedules the retries
        headers = webhooks.headers(str(claimed.id), timestamp, claimed.body, claimed.secret)
        headers["user-agent"] = "SatuPintu-Webhooks/1"
        started = time.monotonic()
        try:
            resp = self.client.post(claimed.url, content=claimed.body, headers=headers)
        except httpx.TimeoutException:
            return service.Attempt(None, _ms(started), "waktu tunggu habis (timeout)")
        except httpx.HTTPError as exc:
            return service.Attempt(None, _ms(started), f"tidak dapat dihubungi ({type(exc).__name__})")
        duration = _ms(started)
        if resp.is_success:
            return service.Attempt(resp.status_code, duration)
        detail = " ".join(resp.text[:150].split())
        return service.Attempt(resp.status_code, duration, f"HTTP {resp.status_code}: {detail}")

    def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Send what is due at `now` (default: the clock); counts by result."""
        fixed = now
        now = now or self.clock()
        counts: Counter[str] = Counter()
        claimed = service.claim_due(self.db, now, self.settings.webhook_batch_size,
                                    self.settings.webhook_lease_seconds)
        counts["claimed"] = len(claimed)
        for item in claimed:
            attempt = self.send(item)
            status = service.record_attempt(self.db, item, attempt, now=fixed or self.clock(), policy=self.policy)
            counts[status or "lost"] += 1
            log = _log()
            fields = dict(delivery=str(item.id), endpoint=str(item.endpoint_id), attempt=item.attempt,
                          code=attempt.status_code, ms=attempt.duration_ms, status=status or "lost")
            (log.info if attempt.error is None else log.warning)("webhook.attempt", error=attempt.error, **fields)
        return {k: counts.get(k, 0) for k in ("claimed", "delivered", "pending", "failed", "lost")}

    def keep_house(self, now: datetime | None = None) -> int:
        """The delivery log keeps settled rows for settings.webhook_keep_days."""
        return service.forget_old(self.db, now or self.clock(), self.settings.webhook_keep_days)

    # The thread (polling.PollingThread) -----------------------------------------------------

    def round(self) -> bool:
        return self.run_once()["claimed"] >= self.settings.webhook_batch_size

    def interval(self) -> float:
        return self.settings.webhook_poll_seconds

    def housekeep(self) -> None:
        self.keep_house()

    def before_start(self) -> None:
        if self.client.is_closed:  # stopped before: a fresh connection pool
            self.client = httpx.Client(timeout=self.settings.webhook_timeout_seconds, follow_redirects=False)

    def after_stop(self) -> None:
        self.client.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
