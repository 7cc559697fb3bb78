"""The figures read from kept daily rollups equal the figures recomputed from the raw tickets and
events (percentiles within the minute above, as `rollup` documents), for a site, an agency and a
service, on the dashboard and in the national view; and a settled day that changes after it was
kept (a ticket gone, the day closed again) is rolled up again. SQLite and PostgreSQL (demo_db).
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from satupintu.db import Database
from satupintu.oversight import service as oversight
from satupintu.oversight.measures import Summary
from satupintu.roles import Role
from satupintu.scope import SYSTEM, Actor

SITE = "lahat"
OVERSEER = Actor(user_id=None, username="pusat", role=Role.national_overseer)


def _same(rolled: Summary, exact: Summary) -> None:
    """Every figure equal; medians and 90th percentiles at most a minute above the exact ones."""
    a: dict[str, Any] = asdict(rolled)
    b: dict[str, Any] = asdict(exact)
    assert a.pop("exact_percentiles") is False and b.pop("exact_percentiles") is True
    for part in ("wait", "service"):
        for p in ("median_s", "p90_s"):
            x, y = a[part].pop(p), b[part].pop(p)
            assert (x is None) == (y is None)
            if x is not None:
                assert y - 1e-6 <= x < y + 60, (part, p, x, y)
    assert a == b


def _range(db: Database) -> tuple[Any, Any]:
    with db.read() as s:
        first = s.execute(text("SELECT min(t.local_date) FROM tickets t JOIN sites st ON st.id = t.site_id "
                               "WHERE st.code = :c"), {"c": SITE}).scalar_one()
        tz = s.execute(text("SELECT timezone FROM sites WHERE code = :c"), {"c": SITE}).scalar_one()
    first = first if not isinstance(first, str) else datetime.fromisoformat(first).date()
    return first, datetime.now(ZoneInfo(tz)).date()


def _kept_days(db: Database) -> int:
    with db.read() as s:
        return s.execute(text("SELECT count(*) FROM daily_rollups")).scalar_one()


def test_figures_from_kept_days_equal_the_raw_recomputation(demo_db: Database) -> None:
    """The demo's past weeks up to today: the site's, an agency's and a service's figures from the
    kept days (kept on first reading) equal the exact figures from every ticket and event, and
    reading them again (now from the kept rows) gives the same."""
    start, today = _range(demo_db)
    first = oversight.summary(demo_db, SYSTEM, SITE, start, today)
    assert first.tickets > 500
    assert _kept_days(demo_db) >= 10, "the settled days were kept"
    again = oversight.summary(demo_db, SYSTEM, SITE, start, today)
    assert again == first
    _same(first, oversight.summary(demo_db, SYSTEM, SITE, start, today, exact=True))
    board = oversight.dashboard(demo_db, SYSTEM, SITE, start, today)
    _same(board.figures, oversight.summary(demo_db, SYSTEM, SITE, start, today, exact=True))
    agency = board.per_agency[0]
    _same(agency.figures, oversight.summary(demo_db, SYSTEM, SITE, start, today, agency=agency.key, exact=True))
    _same(oversight.summary(demo_db, SYSTEM, SITE, start, today, agency=agency.key),
          oversight.summary(demo_db, SYSTEM, SITE, start, today, agency=agency.key, exact=True))
    service = board.services[0].code
    _same(oversight.summary(demo_db, SYSTEM, SITE, start, today, service=service),
          oversight.summary(demo_db, SYSTEM, SITE, start, today, service=service, exact=True))
    day = board.per_day[-1]
    on = datetime.fromisoformat(day.key).date()
    _same(day.figures, oversight.summary(demo_db, SYSTEM, SITE, on, on, exact=True))


def test_the_national_view_from_kept_months_equals_the_raw_recomputation(demo_db: Database) -> None:
    """The overseer's national row of the mall, over ranges holding whole months (read from the
    kept month rows the second time) and parts of months, equals its exact figures."""
    start, today = _range(demo_db)
    for a, b in ((start - timedelta(days=40), today - timedelta(days=1)), (start, today)):
        for _ in range(2):  # the second reading takes whole months from monthly_rollups
            row = next(r for r in oversight.national(demo_db, OVERSEER, a, b) if r.code == SITE)
            _same(row.figures, oversight.summary(demo_db, SYSTEM, SITE, a, b, exact=True))
    with demo_db.read() as s:
        assert s.execute(text("SELECT count(*) FROM monthly_rollups")).scalar_one() >= 1


def test_a_kept_day_that_changes_is_rolled_up_again(demo_db: Database) -> None:
    """A ticket removed from a kept, closed day (as a late correction would) shows in the figures
    at once; a day closed again is rebuilt; the backfill keeps every settled day again."""
    start, today = _range(demo_db)
    before = oversight.summary(demo_db, SYSTEM, SITE, start, today)
    with demo_db.write() as s:
        ticket_id, day = s.execute(text(
            "SELECT t.id, t.local_date FROM tickets t JOIN sites st ON st.id = t.site_id WHERE st.code = :c "
            "AND t.local_date < :today AND t.id NOT IN (SELECT ticket_id FROM survey_responses "
            "WHERE ticket_id IS NOT NULL) AND t.id NOT IN (SELECT referred_from_id FROM tickets "
            "WHERE referred_from_id IS NOT NULL) ORDER BY t.local_date DESC, t.id LIMIT 1"),
            {"c": SITE, "today": today}).one()
        s.execute(text("DELETE FROM ticket_events WHERE ticket_id = :t"), {"t": ticket_id})
        s.execute(text("DELETE FROM tickets WHERE id = :t"), {"t": ticket_id})
    after = oversight.summary(demo_db, SYSTEM, SITE, start, today)
    assert after.tickets == before.tickets - 1
    _same(after, oversight.summary(demo_db, SYSTEM, SITE, start, today, exact=True))

    with demo_db.read() as s:
        built = s.execute(text("SELECT built_at FROM daily_rollups WHERE day = :d"), {"d": day}).scalar_one()
    with demo_db.write() as s:
        s.execute(text("UPDATE queue_day_closes SET closed_at = :at WHERE local_date = :d"),
                  {"at": datetime.now(ZoneInfo("UTC")), "d": day})
    _same(oversight.summary(demo_db, SYSTEM, SITE, start, today),
          oversight.summary(demo_db, SYSTEM, SITE, start, today, exact=True))
    with demo_db.read() as s:
        rebuilt = s.execute(text("SELECT built_at FROM daily_rollups WHERE day = :d"), {"d": day}).scalar_one()
    assert str(rebuilt) != str(built)

    assert oversight.rebuild(demo_db, SITE) >= _kept_days(demo_db) // 2
    _same(oversight.summary(demo_db, SYSTEM, SITE, start, today),
          oversight.summary(demo_db, SYSTEM, SITE, start, today, exact=True))


def test_the_backfill_command_keeps_the_settled_days(demo_db: Database, monkeypatch: Any) -> None:
    """`satupintu oversight rollup --site lahat --since ...` says how many days it rolled up; a bad
    date is refused by the option's name."""
    from typer.testing import CliRunner

    from satupintu import cli
    from satupintu.config import get_settings

    start, _ = _range(demo_db)
    monkeypatch.setenv("SATUPINTU_DATABASE_URL", demo_db.url)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(cli.app, ["oversight", "rollup", "--site", SITE, "--since", start.isoformat()])
        assert done.exit_code == 0, done.output
        # Only the command's own line: CliRunner also catches other threads' log lines.
        rolled = re.search(r"^(\d+) hari direkap\.$", done.output, re.MULTILINE)
        assert rolled is not None and int(rolled.group(1)) >= 10, done.output
        bad = CliRunner().invoke(cli.app, ["oversight", "rollup", "--since", "kemarin"])
        assert bad.exit_code == 2 and "--since" in bad.output
    finally:
        get_settings.cache_clear()
