"""Oversight's figures for a site read from the database equal the same figures recomputed here
from the raw rows (ticket_events, survey_responses, complaints) with plain SQL and no oversight
code: what a manager reads on a dashboard is what the recorded day says.

Runs on the demo's fifteen past working days (about 1,750 visits) on SQLite and PostgreSQL, and on
a day made through the real queue service: a served visit, a referral, a no-show, one still waiting.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from satupintu.db import Database
from satupintu.errors import Forbidden, NotFound, ValidationFailed
from satupintu.oversight import service as oversight
from satupintu.roles import Role
from satupintu.scope import SYSTEM, Actor

SITE = "lahat"


def _site(db: Database) -> tuple[str, str, str]:
    with db.read() as s:
        row = s.execute(text("SELECT id, timezone FROM sites WHERE code = :c"), {"c": SITE}).one()
    return str(row[0]), row[1], SITE


def _range(db: Database) -> tuple[date, date, datetime, datetime]:
    """The demo's past: from the first ticket's local day to yesterday, and its UTC bounds."""
    site_id, tz, _ = _site(db)
    zone = ZoneInfo(tz)
    with db.read() as s:
        first = s.execute(text("SELECT min(issued_at) FROM tickets t JOIN sites st ON st.id = t.site_id "
                               "WHERE st.code = :c"), {"c": SITE}).scalar_one()
    first = first if isinstance(first, datetime) else datetime.fromisoformat(str(first))
    if first.tzinfo is None:
        first = first.replace(tzinfo=ZoneInfo("UTC"))
    start = first.astimezone(zone).date()
    end = datetime.now(zone).date() - timedelta(days=1)
    lo = datetime.combine(start, datetime.min.time(), zone).astimezone(ZoneInfo("UTC"))
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone).astimezone(ZoneInfo("UTC"))
    return start, end, lo, hi


def _utc(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _raw_tickets(db: Database, lo: datetime, hi: datetime) -> dict[str, dict]:
    """Each ticket of the range with its events, straight from the tables."""
    q = text("SELECT t.id, t.channel, t.priority, e.at, e.kind, e.status FROM tickets t "
             "JOIN sites st ON st.id = t.site_id JOIN ticket_events e ON e.ticket_id = t.id "
             "WHERE st.code = :c AND t.issued_at >= :lo AND t.issued_at < :hi ORDER BY t.id, e.at")
    tickets: dict[str, dict] = {}
    with db.read() as s:
        for tid, channel, priority, at, kind, status in s.execute(q, {"c": SITE, "lo": lo, "hi": hi}):
            t = tickets.setdefault(str(tid), {"channel": channel, "priority": priority, "events": []})
            t["events"].append((_utc(at), kind, status))
    return tickets


def _nearest_rank(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


def test_the_demo_past_figures_equal_a_recomputation_from_raw_events(demo_db: Database) -> None:
    """The manager reads visitors, served, no-shows, closed unserved, waits (mean, median, p90) and
    service times over the demo's past weeks; each equals the number counted from the raw rows
    (percentiles, read from the kept minute histograms, within the minute above the exact one;
    asked `exact`, to the microsecond)."""
    start, end, lo, hi = _range(demo_db)
    figures = oversight.summary(demo_db, SYSTEM, SITE, start, end)
    exact = oversight.summary(demo_db, SYSTEM, SITE, start, end, exact=True)
    raw = _raw_tickets(demo_db, lo, hi)
    assert len(raw) > 500, "the demo has weeks of history"

    visitors = sum(1 for t in raw.values() if t["channel"] != "referral")
    last = {tid: t["events"][-1][2] for tid, t in raw.items()}
    served = sum(1 for status in last.values() if status == "done")
    closed = [t for t in raw.values() if t["events"][-1][2] == "closed"]
    closed_no_show = sum(1 for t in closed if len(t["events"]) > 1 and t["events"][-2][2] == "no_show")
    no_show = sum(1 for status in last.values() if status == "no_show") + closed_no_show
    voided = sum(1 for t in closed if any(kind == "voided" for _, kind, _ in t["events"]))
    closed_unserved = len(closed) - closed_no_show - voided
    waits = []
    services = []
    for t in raw.values():
        issued = next(at for at, kind, _ in t["events"] if kind == "issued")
        called = [at for at, kind, _ in t["events"] if kind == "called"]
        if called:
            waits.append(max(0.0, (min(called) - issued).total_seconds()))
        starts = [at for at, kind, _ in t["events"] if kind == "serving"]
        ends = [at for at, kind, _ in t["events"] if kind in ("finished", "referred")]
        if starts and ends and t["events"][-1][2] in ("done", "referred"):
            services.append(max(0.0, (ends[-1] - starts[-1]).total_seconds()))

    assert figures.tickets == len(raw)
    assert figures.visitors == visitors
    assert figures.served == served
    assert figures.outcomes["no_show"] == no_show
    assert figures.outcomes["closed_unserved"] == closed_unserved
    assert figures.wait.count == len(waits)
    assert figures.wait.mean_s == pytest.approx(statistics.fmean(waits), abs=1e-6)
    for p, got in ((90, figures.wait.p90_s), (50, figures.wait.median_s)):
        assert got is not None and _nearest_rank(waits, p) - 1e-6 <= got < _nearest_rank(waits, p) + 60
    assert exact.wait.p90_s == pytest.approx(_nearest_rank(waits, 90), abs=1e-6)
    assert exact.wait.median_s == pytest.approx(_nearest_rank(waits, 50), abs=1e-6)
    assert figures.service.count == len(services)
    assert figures.service.mean_s == pytest.approx(statistics.fmean(services), abs=1e-6)
    threshold = 30 * 60
    assert figures.waited_over_threshold == sum(1 for w in waits if w > threshold)


def test_the_demo_past_skm_and_complaints_equal_the_raw_rows(demo_db: Database) -> None:
    """The SKM respondents and the complaints received in the period are the rows stored for it."""
    start, end, lo, hi = _range(demo_db)
    figures = oversight.summary(demo_db, SYSTEM, SITE, start, end)
    with demo_db.read() as s:
        respondents = s.execute(text(
            "SELECT count(*) FROM survey_responses r JOIN sites st ON st.id = r.site_id WHERE st.code = :c "
            "AND r.local_date >= :a AND r.local_date <= :b AND r.regulation = 'permenpanrb_14_2017'"),
            {"c": SITE, "a": start, "b": end}).scalar_one()
        complaints = s.execute(text(
            "SELECT count(*) FROM complaints c JOIN sites st ON st.id = c.site_id WHERE st.code = :c "
            "AND c.received_at >= :lo AND c.received_at < :hi"), {"c": SITE, "lo": lo, "hi": hi}).scalar_one()
    assert respondents > 100
    assert figures.skm.respondents == respondents
    assert figures.skm.ikm is not None and 25 <= figures.skm.ikm <= 100
    assert figures.complaints.received == complaints


def test_agency_figures_add_up_to_the_site(demo_db: Database) -> None:
    """Visitors and tickets of every agency together are the site's (each ticket has one agency)."""
    start, end, _, _ = _range(demo_db)
    site = oversight.summary(demo_db, SYSTEM, SITE, start, end)
    with demo_db.read() as s:
        codes = [c for (c,) in s.execute(text("SELECT a.code FROM agencies a JOIN sites st ON st.id = a.site_id "
                                              "WHERE st.code = :c"), {"c": SITE})]
    parts = [oversight.summary(demo_db, SYSTEM, SITE, start, end, agency=code) for code in codes]
    assert sum(p.tickets for p in parts) == site.tickets
    assert sum(p.visitors for p in parts) == site.visitors
    assert sum(p.served for p in parts) == site.served


def test_bad_ranges_and_scopes_are_refused_by_name(demo_db: Database) -> None:
    """An end before the start names the field; an unknown agency is not found; another site's
    manager may not read this site's figures."""
    today = date.today()
    with pytest.raises(ValidationFailed) as bad:
        oversight.summary(demo_db, SYSTEM, SITE, today, today - timedelta(days=1))
    assert bad.value.field == "end"
    with pytest.raises(NotFound):
        oversight.summary(demo_db, SYSTEM, SITE, today, today, agency="TIDAKADA")
    stranger = Actor(user_id=None, username="lain", role=Role.site_manager, site_id=None)
    with pytest.raises(Forbidden):
        oversight.summary(demo_db, stranger, SITE, today, today)
