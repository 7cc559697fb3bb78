"""A site's figures over the API: the same numbers as the service, as JSON and as CSV, for the
site's own staff and the overseer; another site's manager is refused and a bad period is named."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx

from satupintu.oversight import service as oversight
from satupintu.scope import SYSTEM
from tests.conftest import LiveServer, token_for


def test_the_stats_endpoint_answers_the_service_figures(server: LiveServer) -> None:
    """The manager asks for the last four weeks: visitors, served and the median wait equal the
    service's; per-day visitors add up to the period's; the CSV has the same period line."""
    end = date.today()
    start = end - timedelta(days=27)
    expected = oversight.summary(server.app.state.db, SYSTEM, "lahat", start, end)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        auth = token_for(c, "pengelola")
        r = c.get("/api/v1/sites/lahat/stats", params={"start": start.isoformat(), "end": end.isoformat()},
                  headers=auth)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["current"]["figures"]["visitors"] == expected.visitors
        assert body["current"]["figures"]["served"] == expected.served
        assert body["current"]["figures"]["wait_median_s"] == expected.wait.median_s
        assert sum(d["figures"]["visitors"] for d in body["per_day"]) == expected.visitors
        raw = c.get("/api/v1/sites/lahat/stats", headers=auth,
                    params={"start": start.isoformat(), "end": end.isoformat(), "format": "csv"}).content
        period = next(line for line in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) if line[0] == "periode")
        assert int(period[3]) == expected.visitors

        bad = c.get("/api/v1/sites/lahat/stats", params={"start": "2026-11-20", "end": "2026-11-01"}, headers=auth)
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "end"
        assert c.get("/api/v1/sites/lahat/stats").status_code == 401


def test_an_agency_admin_reads_only_their_agency(server: LiveServer) -> None:
    """Dukcapil's admin gets Dukcapil's figures by default and is refused another agency's."""
    end = date.today()
    start = end - timedelta(days=27)
    expected = oversight.summary(server.app.state.db, SYSTEM, "lahat", start, end, agency="DUKCAPIL")
    with httpx.Client(base_url=server.url, timeout=30) as c:
        auth = token_for(c, "admin.dukcapil")
        params = {"start": start.isoformat(), "end": end.isoformat()}
        body = c.get("/api/v1/sites/lahat/stats", params=params, headers=auth).json()
        assert body["agency"] == "DUKCAPIL"
        assert body["current"]["figures"]["visitors"] == expected.visitors
        other = c.get("/api/v1/sites/lahat/stats", params={**params, "agency": "DINKES"}, headers=auth)
        assert other.status_code == 403
