"""/metrics: what Prometheus scrapes from a running deployment.

A real `satupintu serve --workers 2` in multi-process mode (PROMETHEUS_MULTIPROC_DIR): whichever
worker answers a scrape, it reports every worker's requests per route template (never a raw
path), the tickets issued and called per site, their waits, the live streams open and the
database connections lent out. Without the variable one process reports its own. The outbox
backlogs (notifications, webhook deliveries) are read from the database at each scrape and
reported once, whichever worker answers.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from satupintu.accounts import service as accounts
from satupintu.config import get_settings
from satupintu.integration import service as integration
from satupintu.integration import webhook_service
from satupintu.integration.webhook_worker import WebhookWorker
from satupintu.notify import service as notify
from satupintu.notify.channels import build_channels
from satupintu.notify.worker import NotificationWorker
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD, LiveServer, token_for
from tests.integration.webhook_receiver import Receiver
from tests.procserver import ServerProcess


def scrape(c: httpx.Client, **kwargs: Any) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    r = c.get("/metrics", **kwargs)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _queue_morning(c: httpx.Client) -> None:
    """A kiosk issues three tickets; the officer opens counter 4 and calls two of them."""
    manager, officer = token_for(c, "pengelola"), token_for(c, "petugas.dukcapil")
    kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                      json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
    for _ in range(3):
        assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).status_code == 201
    assert c.post("/api/v1/sites/lahat/counters/4/open", headers=officer).status_code == 200
    for _ in range(2):
        r = c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer)
        assert r.status_code == 200 and r.json()["status"] == "called"
        assert c.post("/api/v1/sites/lahat/counters/4/no-show", headers=officer).status_code == 200


def _queue_message(db, *, queued_ago: timedelta) -> None:
    """A message to a citizen, queued `queued_ago` (due now), left for the worker to send."""
    with db.write() as s:
        notify.enqueue(s, kind="ticket_called", channel="email", recipient="budi.santoso@example.co.id",
                       subject="Nomor antrean dipanggil", body="Nomor antrean A001 dipanggil.",
                       reference="metrik", now=utcnow() - queued_ago)


class Stream:
    """A board's live stream, held open in a thread until closed."""

    def __init__(self, url: str) -> None:
        self.opened = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self.thread.start()
        assert self.opened.wait(30), "the stream sent no snapshot"

    def _run(self, url: str) -> None:
        with httpx.Client(timeout=30) as c, c.stream("GET", url) as r:
            for line in r.iter_lines():
                if line.startswith("event: snapshot"):
                    self.opened.set()
                if self.stop.is_set():
                    return

    def close(self) -> None:
        self.stop.set()


@pytest.mark.slow
def test_two_workers_report_one_deployment_per_route_template_and_per_site(fresh_demo_db, tmp_path):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    proc = ServerProcess(fresh_demo_db.url, workers=2)
    proc.env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
    with proc, httpx.Client(base_url=proc.url, timeout=30) as c:
        _queue_morning(c)
        stream = Stream(proc.url + "/api/v1/sites/lahat/events")
        try:
            deadline = time.monotonic() + 30
            while True:  # a stream that has sent its snapshot is counted; whichever worker answers adds all up
                samples = scrape(c)
                if value(samples, "satupintu_sse_clients") == 1:
                    break
                assert time.monotonic() < deadline, value(samples, "satupintu_sse_clients")
                time.sleep(0.1)
        finally:
            stream.close()
        for _ in range(4):  # several scrapes, answered by either worker: the same totals
            samples = scrape(c)
            assert value(samples, "satupintu_http_requests_total", method="POST",
                         route="/api/v1/sites/{site}/tickets", status="201") == 3
            assert value(samples, "satupintu_http_requests_total", method="POST",
                         route="/api/v1/sites/{site}/counters/{number}/call-next", status="200") == 2
            assert value(samples, "satupintu_http_request_duration_seconds_count", method="POST",
                         route="/api/v1/sites/{site}/tickets") == 3
            assert value(samples, "satupintu_tickets_issued_total", site="lahat") == 3
            assert value(samples, "satupintu_tickets_called_total", site="lahat") == 2
            assert value(samples, "satupintu_ticket_wait_seconds_count", site="lahat") == 2
            assert value(samples, "satupintu_ticket_wait_seconds_bucket", site="lahat", le="+Inf") == 2
            assert value(samples, "satupintu_db_pool_in_use", pool="sqlalchemy") >= 0
        _queue_message(fresh_demo_db, queued_ago=timedelta(hours=1))
        in_db = notify.backlog(fresh_demo_db)["pending"][0]
        assert in_db >= 1
        for _ in range(4):  # read from the database by the worker that answers, not added up across both
            samples = scrape(c)
            assert value(samples, "satupintu_notify_outbox_backlog", status="pending") == in_db
            assert value(samples, "satupintu_notify_outbox_oldest_seconds", status="pending") >= 3600
        routes = {dict(labels).get("route") for (name, labels) in samples if name == "satupintu_http_requests_total"}
        assert "/api/v1/sites/{site}/tickets" in routes and not any("lahat" in r for r in routes if r)
        r404 = c.get("/api/v1/tidak-ada/12345")
        assert r404.status_code == 404
        assert value(scrape(c), "satupintu_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert proc.proc is not None and proc.proc.returncode is not None


def test_one_process_reports_its_own_queue_and_the_hot_paths_connections(fresh_demo_db):
    """Without PROMETHEUS_MULTIPROC_DIR: this process's counts (compared before and after)."""
    with LiveServer(fresh_demo_db) as live, live.client() as c:
        before = scrape(c)
        _queue_morning(c)
        after = scrape(c)
    for name, n in (("satupintu_tickets_issued_total", 3), ("satupintu_tickets_called_total", 2),
                    ("satupintu_ticket_wait_seconds_count", 2)):
        assert value(after, name, site="lahat") - value(before, name, site="lahat") == n
    assert value(after, "satupintu_db_pool_in_use", pool="sqlalchemy") >= 0
    if fresh_demo_db.dialect == "postgresql":  # issue and call ran on the hot path's own connections
        assert (after.get(("satupintu_db_pool_in_use", frozenset({("pool", "hot_path")}))) is not None)


def test_a_metrics_token_keeps_strangers_out(fresh_demo_db):
    with LiveServer(fresh_demo_db, metrics_token="rahasia-metrik") as live, live.client() as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401 and refused.json()["error"]["field"] == "Authorization"
        assert c.get("/metrics", headers={"Authorization": "Bearer salah"}).status_code == 401
        names = {name for name, _ in scrape(c, headers={"Authorization": "Bearer rahasia-metrik"})}
        assert "satupintu_http_requests_total" in names


def test_the_notification_backlog_grows_when_a_message_is_queued_and_shrinks_when_it_is_sent(fresh_demo_db):
    """A message queued an hour ago and not sent yet: one more pending, the oldest at least an
    hour old; the worker sends it and the backlog is back where it was."""
    with LiveServer(fresh_demo_db) as live, live.client() as c:
        before = scrape(c)
        assert ("satupintu_notify_outbox_backlog", frozenset({("status", "sending")})) in before
        _queue_message(fresh_demo_db, queued_ago=timedelta(hours=1))
        queued = scrape(c)
        assert (value(queued, "satupintu_notify_outbox_backlog", status="pending")
                == value(before, "satupintu_notify_outbox_backlog", status="pending") + 1)
        assert value(queued, "satupintu_notify_outbox_oldest_seconds", status="pending") >= 3600
        settings = get_settings().model_copy(update={"notify_channels": "outbox", "notify_batch_size": 500})
        counts = NotificationWorker(fresh_demo_db, build_channels(settings), settings).run_once()
        assert counts["sent"] >= 1
        sent = scrape(c)
    in_db = notify.backlog(fresh_demo_db)["pending"][0]
    assert value(sent, "satupintu_notify_outbox_backlog", status="pending") == in_db
    assert (value(sent, "satupintu_notify_outbox_backlog", status="pending")
            < value(queued, "satupintu_notify_outbox_backlog", status="pending"))
    if value(sent, "satupintu_notify_outbox_backlog", status="pending") == 0:
        assert value(sent, "satupintu_notify_outbox_oldest_seconds", status="pending") == 0


def test_the_webhook_backlog_counts_deliveries_until_the_receiver_has_them(fresh_demo_db):
    """An endpoint subscribed to ticket.issued: three tickets from the kiosk are three pending
    deliveries (and an oldest age); once the worker has delivered them the backlog is empty."""
    actor = accounts.authenticate(fresh_demo_db, "pengelola", DEMO_PASSWORD)
    with Receiver() as receiver, LiveServer(fresh_demo_db) as live, live.client() as c:
        client = integration.register_client(fresh_demo_db, actor, "lahat", integration.ClientIn.model_validate(
            {"name": "Portal Metrik", "owner_agency": "Dinas Kominfo", "contact_name": "Rina",
             "contact_email": "rina@lahatkab.go.id"}))
        integration.create_key(fresh_demo_db, actor, "lahat", client.id,
                               integration.KeyIn.model_validate({"scopes": ["queue:read"]}))
        webhook_service.subscribe(fresh_demo_db, actor, "lahat", client.id,
                                  webhook_service.EndpointIn(url=receiver.url, event_types=["ticket.issued"]),
                                  allow_http_loopback=True)
        before = scrape(c)
        manager = token_for(c, "pengelola")
        kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                          json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        for _ in range(3):
            assert c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).status_code == 201
        waiting = scrape(c)
        assert (value(waiting, "satupintu_webhook_backlog", status="pending")
                == value(before, "satupintu_webhook_backlog", status="pending") + 3)
        assert value(waiting, "satupintu_webhook_oldest_seconds", status="pending") >= 0
        settings = get_settings().model_copy(update={"webhook_batch_size": 50})
        assert WebhookWorker(fresh_demo_db, settings, client=httpx.Client(timeout=5)).run_once()["delivered"] == 3
        assert len(receiver.received) == 3
        delivered = scrape(c)
    assert value(delivered, "satupintu_webhook_backlog", status="pending") == value(
        before, "satupintu_webhook_backlog", status="pending")
    assert value(delivered, "satupintu_webhook_backlog", status="sending") == 0
