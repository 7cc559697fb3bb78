"""/metrics: what Prometheus scrapes from a running deployment.

A real `satupintu serve --workers 2` in multi-process mode (PROMETHEUS_MULTIPROC_DIR): whichever
worker answers a scrape, it reports every worker's requests per route template (never a raw
path), the tickets issued and called per site, their waits, the live streams open and the
database connections lent out. Without the variable one process reports its own.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import LiveServer, token_for
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
