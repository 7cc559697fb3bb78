"""A background thread that works in rounds: the outbox senders (notifications, webhooks) poll
their table, go again at once while a round comes back full, and otherwise sleep until the
interval ends or someone wakes them. Housekeeping runs at start and then every
HOUSEKEEPING_SECONDS, so no scheduler of its own is needed. A round that raises (the database
is down, say) is logged without its message and the thread keeps polling."""

from __future__ import annotations

import threading
import time

import structlog

HOUSEKEEPING_SECONDS = 600.0


class PollingThread:
    """Subclasses say what a round does (`round`, True when it was full), how long to wait
    between rounds (`interval`), and what housekeeping to do (`housekeep`, optional)."""

    thread_name = "satupintu-worker"
    log_name = "satupintu.worker"
    error_event = "worker_error"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._housekept_at: float | None = None

    # What a subclass says -----------------------------------------------------------------

    def round(self) -> bool:
        raise NotImplementedError

    def interval(self) -> float:
        raise NotImplementedError

    def housekeep(self) -> None:
        """Nothing by default."""

    def before_start(self) -> None:
        """Called before the thread starts (e.g. reopen a client closed by stop)."""

    def after_stop(self) -> None:
        """Called once the thread has ended (e.g. close a client)."""

    # The thread ---------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            full = False
            try:
                if self._housekept_at is None or time.monotonic() - self._housekept_at >= HOUSEKEEPING_SECONDS:
                    self._housekept_at = time.monotonic()
                    self.housekeep()
                full = self.round()
            except Exception as exc:  # database down, etc.: keep polling (the message may hold personal data)
                structlog.get_logger(self.log_name).error(self.error_event, error=type(exc).__name__)
            if full:
                continue  # more may be due: go on without waiting
            self._wake.wait(self.interval())
            self._wake.clear()

    def start(self) -> None:
        if self.running:
            return
        self.before_start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Poll now instead of at the end of the interval (e.g. after a commit that enqueued)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the item in hand (its result is recorded); the rest stay queued."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.after_stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
