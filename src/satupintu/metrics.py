"""Prometheus metrics (prometheus-client), served at /metrics.

With several app processes (`satupintu serve --workers N`, gunicorn) set PROMETHEUS_MULTIPROC_DIR
to an empty folder writable by every process, before they start (prometheus-client reads it on
import): each process then writes its values to files there, and a scrape of any process adds
them all up (prometheus-client's multi-process mode). Empty the folder whenever the deployment
restarts; a process that exits is marked dead so its live gauges stop counting.

What is measured:
- satupintu_http_requests_total{method, route, status} and
  satupintu_http_request_duration_seconds{method, route}: per route template
  ("/api/v1/sites/{site}/tickets"), never the raw path, so a label never holds a NIK, a booking
  code or an unbounded number of values; paths no route knows are "unmatched". Streams
  (server-sent events) are counted, not timed.
- satupintu_tickets_issued_total{site}, satupintu_tickets_called_total{site} and the
  satupintu_ticket_wait_seconds{site} histogram (ready to called), counted from the events the
  queue publishes after its commits, in the process that committed.
- satupintu_sse_clients: live streams open now (boards, consoles, phones).
- satupintu_db_pool_in_use{pool}: connections lent out now, "sqlalchemy" and "hot_path".
- satupintu_notify_outbox_backlog{status} / satupintu_notify_outbox_oldest_seconds{status} and
  satupintu_webhook_backlog{status} / satupintu_webhook_oldest_seconds{status}: messages to
  citizens and webhook deliveries not settled yet ("pending", "sending"), and the age of the
  oldest of them. These are read from the database when scraped (Backlogs, one query each, in
  the process that answers), never kept per process: in multi-process mode they are reported
  once, not added up across the workers.
"""

from __future__ import annotations

import contextlib
import os
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as _DEFAULT_REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.routing import Mount

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

HTTP_REQUESTS = Counter("satupintu_http_requests", "HTTP requests answered, per route template and status",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("satupintu_http_request_duration_seconds",
                         "Time to answer an HTTP request (to its last byte), per route template",
                         ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
TICKETS_ISSUED = Counter("satupintu_tickets_issued", "Queue tickets issued (kiosk, booking check-in, referral)",
                         ["site"])
TICKETS_CALLED = Counter("satupintu_tickets_called", "Queue tickets called to a counter", ["site"])
WAIT = Histogram("satupintu_ticket_wait_seconds", "A visitor's wait from ready to called", ["site"],
                 buckets=(60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800))
SSE_CLIENTS = Gauge("satupintu_sse_clients", "Live event streams open now", multiprocess_mode="livesum")
POOL_IN_USE = Gauge("satupintu_db_pool_in_use", "Database connections lent out now", ["pool"],
                    multiprocess_mode="livesum")


def render(*at_scrape: Collector) -> tuple[bytes, str]:
    """The exposition text of this process, or of every process in multi-process mode, followed
    by what the `at_scrape` collectors read now (e.g. Backlogs: reported once, whatever the mode)."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(_DEFAULT_REGISTRY)
    if at_scrape:
        extra = CollectorRegistry()
        for collector in at_scrape:
            extra.register(collector)
        text += generate_latest(extra)
    return text, CONTENT_TYPE_LATEST


def process_exited() -> None:
    """This process's live gauges stop counting (multi-process mode)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())


# ---------------------------------------------------------------- the queue


def observe_published(channel: str, event_: dict[str, Any]) -> None:
    """An event published after a commit (db.Database.publish): count the queue's tickets."""
    kind = event_.get("type")
    if kind not in ("ticket.issued", "ticket.called"):
        return
    site = str(event_.get("site") or "")
    if kind == "ticket.issued":
        TICKETS_ISSUED.labels(site).inc()
        return
    TICKETS_CALLED.labels(site).inc()
    waited = event_.get("waited_seconds")
    if isinstance(waited, int | float) and waited >= 0:
        WAIT.labels(site).observe(waited)


# ---------------------------------------------------------------- outboxes


# Per status ("pending", "sending"): how many, and when the oldest was written (None: none).
BacklogReader = Callable[[], Mapping[str, tuple[int, datetime | None]]]

BACKLOG_HELP = {
    "notify_outbox": "Notifications to citizens not sent yet (pending, or sending under a worker's lease)",
    "webhook": "Webhook deliveries not settled yet (pending, or sending under a worker's lease)",
}


def backlog_families(name: str, backlog: Mapping[str, tuple[int, datetime | None]],
                     now: datetime) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
    """satupintu_<name>_backlog{status} and satupintu_<name>_oldest_seconds{status} (0 when empty)."""
    size = GaugeMetricFamily(f"satupintu_{name}_backlog", BACKLOG_HELP.get(name, name), labels=["status"])
    age = GaugeMetricFamily(f"satupintu_{name}_oldest_seconds",
                            "Age of the oldest of them, in seconds (0 when there is none)", labels=["status"])
    for status, (count, oldest) in sorted(backlog.items()):
        size.add_metric([status], count)
        age.add_metric([status], max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)
    return size, age


class Backlogs(Collector):
    """Outbox backlogs read from the database at scrape time, one reader (one query) each.

    Rendered by the process that answers the scrape (render(backlogs)), so a deployment of many
    workers reports each backlog once. A reader that fails (database unreachable) leaves its
    metrics out of that scrape rather than failing the whole page: `absent()` alerts on it."""

    def __init__(self, readers: Mapping[str, BacklogReader], clock: Callable[[], datetime]) -> None:
        self.readers = dict(readers)
        self.clock = clock

    def describe(self) -> list[GaugeMetricFamily]:
        return [family for name in self.readers for family in backlog_families(name, {}, self.clock())]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, read in self.readers.items():
            try:
                backlog = read()
            except Exception as exc:  # the database is down: the rest of the scrape still answers
                structlog.get_logger("satupintu.metrics").warning("metrics.backlog_unread", backlog=name,
                                                                  error=type(exc).__name__)
                continue
            yield from backlog_families(name, backlog, self.clock())


# ---------------------------------------------------------------- database pools


_WATCHED: weakref.WeakSet[Engine] = weakref.WeakSet()


def _lent_out() -> int:
    """Connections checked out of every watched engine's pool now (pools without a count: 0)."""
    total = 0
    for engine in list(_WATCHED):
        checkedout = getattr(engine.pool, "checkedout", None)
        if callable(checkedout):
            total += int(checkedout())
    return total


def watch_pool(engine: Engine) -> None:
    """Report SQLAlchemy's checked-out connections (every engine of the process adds up).

    The gauge is set from the pools' own counts, not incremented per event: a connection
    checked out before the engine was watched is still counted right when it comes back."""
    if engine in _WATCHED:
        return
    _WATCHED.add(engine)
    gauge = POOL_IN_USE.labels("sqlalchemy")

    @event.listens_for(engine, "checkout")
    def _out(*_: Any) -> None:
        gauge.set(_lent_out())

    @event.listens_for(engine, "checkin")
    def _in(*_: Any) -> None:
        # SQLAlchemy dispatches "checkin" before the connection is back in its pool.
        gauge.set(max(0, _lent_out() - 1))

    gauge.set(_lent_out())


@contextlib.contextmanager
def hot_path_connection() -> Iterator[None]:
    gauge = POOL_IN_USE.labels("hot_path")
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


# ---------------------------------------------------------------- HTTP


def route_of(scope: dict[str, Any]) -> str:
    """The template of the route that answered ("/api/v1/sites/{site}/tickets"), else "unmatched".

    The matched route knows its template within its router ("/sites/{site}/tickets"); the
    router's prefix ("/api/v1", always static) is what the request's path has before it, one
    segment for each of the template's. A mount (static files) is named by its own path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str) or not template.startswith("/"):
        return "unmatched"
    if isinstance(route, Mount):
        return template or "/"
    parts, own = str(scope.get("path", "")).split("/"), template.split("/")
    if len(parts) < len(own):
        return template
    return "/".join(parts[: len(parts) - len(own) + 1]) + template


class RequestMetrics:
    """ASGI middleware: every HTTP request counted and timed by its route template."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        streaming = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type" and value.startswith(b"text/event-stream"):
                        streaming = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route, method = route_of(scope), scope.get("method", "")
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            if not streaming:
                HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - start)
