"""The figures read from kept daily rollups equal the figures recomputed from the raw tickets and
events (percentiles within the minute above, as `rollup` documents), for a site, an agency and a
service, on the dashboard and in the national view; the glances the national view adds up are
kept with every day and month and equal the headline they stand for; a settled day that changes
after it was kept (a ticket gone, the day closed again) is rolled up again, its glance with it; a
changed service standard is counted at once; the year read from one kept range glance per site
equals the recomputation, also after a day is closed again or a standard changes. SQLite and
PostgreSQL (demo_db).
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text

from satupintu.db import Database
from satupintu.oversight import rollup_store
from satupintu.oversight import service as oversight
from satupintu.oversight.measures import Summary
from satupintu.oversight.models import DailyRollup, MonthlyRollup, RangeRollup
from satupintu.oversight.rollup import Glance
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


def _kept_days(db: Database, since: Any = None) -> int:
    """The mall's kept days, from `since` on (the national view keeps other sites' days too, and
    the mall's empty days before its first ticket)."""
    with db.read() as s:
        return s.execute(text("SELECT count(*) FROM daily_rollups d JOIN sites st ON st.id = d.site_id "
                              "WHERE st.code = :c AND d.day >= :since"),
                         {"c": SITE, "since": since or datetime(1970, 1, 1).date()}).scalar_one()


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
    assert _glances_match_headlines(demo_db) == {"daily_rollups": 0, "monthly_rollups": 0}


def _glances_match_headlines(db: Database) -> dict[str, int]:
    """Every kept day and month carries a glance; one counted against the site's standards as
    they are now equals the glance taken from its headline now. Returns, per table, how many
    were counted against other standards (read from their headline until retaken)."""
    from satupintu.catalogue import queries as catalogue

    with db.read() as s:
        site = catalogue.require_site(s, SITE)
        standard, bases = oversight._standards(s, [site])
        rows = {model.__tablename__: list(s.execute(select(model.glance, model.headline)
                                                    .where(model.site_id == site.id)))
                for model in (DailyRollup, MonthlyRollup)}
    assert rows["daily_rollups"] and rows["monthly_rollups"]
    stale = {}
    for table, found in rows.items():
        stale[table] = 0
        for glance, headline in found:
            assert glance is not None
            kept = rollup_store.decode_glance(glance)
            if kept.basis != bases[site.id]:
                stale[table] += 1
                continue
            assert kept == Glance.of(rollup_store.decode_headline(headline), standard, bases[site.id])
    return stale


def test_a_changed_standard_or_a_rebuilt_day_shows_in_the_national_view(fresh_demo_db: Database) -> None:
    """The overseer's row of the mall equals its exact figures after a service's Standar
    Pelayanan time changes (the kept glances were counted against the old one), and after a kept
    day inside a kept month is closed again (the day and its month are rebuilt, glances with them)."""
    demo_db = fresh_demo_db  # it changes a standard and closes a day again
    start, today = _range(demo_db)
    a, b = start - timedelta(days=40), today - timedelta(days=1)  # every month the module kept

    def national_equals_exact() -> None:
        row = next(r for r in oversight.national(demo_db, OVERSEER, a, b) if r.code == SITE)
        exact = oversight.summary(demo_db, SYSTEM, SITE, a, b, exact=True)
        _same(row.figures, exact)
        assert row.figures.with_standard == exact.with_standard > 0

    oversight.summary(demo_db, SYSTEM, SITE, a, b)  # the site's own reading keeps every settled day
    national_equals_exact()
    national_equals_exact()  # now from the kept month rows
    with demo_db.read() as s:
        assert s.execute(text("SELECT count(*) FROM monthly_rollups")).scalar_one() >= 1
    with demo_db.write() as s:
        service_id, minutes = s.execute(text(
            "SELECT sv.id, sv.time_value FROM services sv JOIN tickets t ON t.service_id = sv.id "
            "WHERE sv.time_unit = 'minutes' AND sv.time_value BETWEEN 2 AND 1440 ORDER BY sv.code LIMIT 1")).one()
        s.execute(text("UPDATE services SET time_value = :m WHERE id = :i"), {"m": minutes - 1, "i": service_id})
    before = next(r for r in oversight.national(demo_db, OVERSEER, a, b) if r.code == SITE).figures
    national_equals_exact()
    with demo_db.write() as s:
        s.execute(text("UPDATE services SET time_unit = NULL, time_value = NULL WHERE id = :i"), {"i": service_id})
    national_equals_exact()
    after = next(r for r in oversight.national(demo_db, OVERSEER, a, b) if r.code == SITE).figures
    assert after.with_standard < before.with_standard, "a service without a standard no longer counts"
    stale = _glances_match_headlines(demo_db)
    assert stale["monthly_rollups"] == 0, "the month rows read were retaken against the new standards"
    assert stale["daily_rollups"] > 0, "days inside kept months are retaken only when read one by one"

    with demo_db.read() as s:
        site_id, day, built = s.execute(text(
            "SELECT d.site_id, d.day, d.built_at FROM daily_rollups d JOIN monthly_rollups m "
            "ON m.site_id = d.site_id AND d.day >= m.month AND d.tickets > 0 JOIN sites st ON st.id = d.site_id "
            "WHERE st.code = :c ORDER BY d.day LIMIT 1"), {"c": SITE}).one()
    with demo_db.write() as s:
        s.execute(text("UPDATE queue_day_closes SET closed_at = :at WHERE local_date = :d"),
                  {"at": datetime.now(ZoneInfo("UTC")), "d": day})
    oversight.summary(demo_db, SYSTEM, SITE, a, b)  # a site's own reading rebuilds the day
    national_equals_exact()
    with demo_db.read() as s:
        rebuilt = s.execute(text("SELECT built_at FROM daily_rollups WHERE day = :d AND site_id = :s"),
                            {"d": day, "s": site_id}).scalar_one()
    assert str(rebuilt) != str(built)
    assert _glances_match_headlines(demo_db)["monthly_rollups"] == 0
    assert oversight.rebuild(demo_db, SITE, since=a) > 0  # the backfill keeps every day against them
    national_equals_exact()
    assert _glances_match_headlines(demo_db) == {"daily_rollups": 0, "monthly_rollups": 0}


_BUILT = ("SELECT d.built_at FROM daily_rollups d JOIN sites st ON st.id = d.site_id "
          "WHERE d.day = :d AND st.code = :c")


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
        built = s.execute(text(_BUILT), {"d": day, "c": SITE}).scalar_one()
    with demo_db.write() as s:
        s.execute(text("UPDATE queue_day_closes SET closed_at = :at WHERE local_date = :d"),
                  {"at": datetime.now(ZoneInfo("UTC")), "d": day})
    _same(oversight.summary(demo_db, SYSTEM, SITE, start, today),
          oversight.summary(demo_db, SYSTEM, SITE, start, today, exact=True))
    with demo_db.read() as s:
        rebuilt = s.execute(text(_BUILT), {"d": day, "c": SITE}).scalar_one()
    assert str(rebuilt) != str(built)

    assert oversight.rebuild(demo_db, SITE) >= _kept_days(demo_db, since=start) // 2
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


def test_the_national_year_from_its_kept_range_equals_the_raw_recomputation(fresh_demo_db: Database,
                                                                             monkeypatch: Any) -> None:
    """Over a whole year the overseer's row of the mall is read, from the third reading on, from
    one kept range glance per site (`range_rollups`), and equals its exact figures; a kept day
    that loses a ticket and is closed again, and a changed Standar Pelayanan time, change the
    year's figures at once (the range is merged again), still equal to the exact ones."""
    demo_db = fresh_demo_db  # it removes a ticket, closes a day again and changes a standard
    _, today = _range(demo_db)
    a, b = today - timedelta(days=365), today - timedelta(days=1)
    read_day_by_day: list[set[str]] = []
    kept_reader = oversight._national_kept

    def recording(db: Database, sites: list[Any], *args: Any) -> None:
        read_day_by_day.append({site.code for site in sites})
        kept_reader(db, sites, *args)

    monkeypatch.setattr(oversight, "_national_kept", recording)

    def national() -> Summary:
        return next(r for r in oversight.national(demo_db, OVERSEER, a, b) if r.code == SITE).figures

    def kept_range() -> tuple[str, str]:
        with demo_db.read() as s:
            return s.execute(text("SELECT r.stamp, r.glance FROM range_rollups r JOIN sites st ON st.id = r.site_id "
                                  "WHERE st.code = :c AND r.first = :a AND r.last = :b"),
                             {"c": SITE, "a": a, "b": b}).one()

    exact = oversight.summary(demo_db, SYSTEM, SITE, a, b, exact=True)
    assert exact.tickets > 500 and exact.with_standard > 0
    for _ in range(3):  # keeps the days, then merges and keeps the range, then reads it
        year = national()
        _same(year, exact)
    assert SITE in read_day_by_day[1] and SITE not in read_day_by_day[2], "the third reading used the range"
    stamp, _ = kept_range()

    with demo_db.write() as s:
        ticket_id, day = s.execute(text(
            "SELECT t.id, t.local_date FROM tickets t JOIN sites st ON st.id = t.site_id WHERE st.code = :c "
            "AND t.local_date < :today AND t.id NOT IN (SELECT ticket_id FROM survey_responses "
            "WHERE ticket_id IS NOT NULL) AND t.id NOT IN (SELECT referred_from_id FROM tickets "
            "WHERE referred_from_id IS NOT NULL) ORDER BY t.local_date, t.id LIMIT 1"),
            {"c": SITE, "today": today}).one()
        s.execute(text("DELETE FROM ticket_events WHERE ticket_id = :t"), {"t": ticket_id})
        s.execute(text("DELETE FROM tickets WHERE id = :t"), {"t": ticket_id})
        s.execute(text("UPDATE queue_day_closes SET closed_at = :at WHERE local_date = :d AND site_id = "
                       "(SELECT id FROM sites WHERE code = :c)"),
                  {"at": datetime.now(ZoneInfo("UTC")), "d": day, "c": SITE})
    exact = oversight.summary(demo_db, SYSTEM, SITE, a, b, exact=True)
    assert exact.tickets == year.tickets - 1
    _same(national(), exact)  # the day is rebuilt, its month and the range merged again
    _same(national(), exact)
    assert kept_range()[0] != stamp
    _same(national(), exact)
    assert SITE not in read_day_by_day[-1], "the range merged again is read whole"

    with demo_db.write() as s:
        service_id, minutes = s.execute(text(
            "SELECT sv.id, sv.time_value FROM services sv JOIN tickets t ON t.service_id = sv.id "
            "WHERE sv.time_unit = 'minutes' AND sv.time_value BETWEEN 2 AND 1440 ORDER BY sv.code LIMIT 1")).one()
        s.execute(text("UPDATE services SET time_value = :m WHERE id = :i"), {"m": 1, "i": service_id})
    exact = oversight.summary(demo_db, SYSTEM, SITE, a, b, exact=True)
    assert exact.within_standard != year.within_standard, "the standard counts in the year"
    changed = national()
    _same(changed, exact)
    assert SITE in read_day_by_day[-1], "a range counted against the old standards is not used"
    _same(national(), exact)
    assert SITE not in read_day_by_day[-1]
    assert rollup_store.decode_glance(kept_range()[1]).within_standard == exact.within_standard


def test_a_site_keeps_only_its_latest_range_glances(demo_db: Database) -> None:
    """Each range asked for keeps a glance per site; beyond `RANGES_PER_SITE` the ones built
    first are dropped, so ranges asked once do not pile up."""
    from datetime import date

    from satupintu.catalogue import queries as catalogue

    with demo_db.read() as s:
        site = catalogue.require_site(s, SITE)
    a = date(2001, 1, 1)
    written = [(a + timedelta(days=i), a + timedelta(days=100 + i)) for i in range(rollup_store.RANGES_PER_SITE + 3)]
    for i, (first, last) in enumerate(written):
        rollup_store.keep_ranges(demo_db, first, last, {site.id: (f"stamp-{i}", Glance(open_us=i, basis="b"))})
    with demo_db.read() as s:
        kept = {(first, last) for first, last in s.execute(
            select(RangeRollup.first, RangeRollup.last)
            .where(RangeRollup.site_id == site.id, RangeRollup.first < date(2002, 1, 1)))}
        assert rollup_store.read_ranges(s, [site.id], *written[-1], {site.id: "b"}) == {
            site.id: (f"stamp-{len(written) - 1}", Glance(open_us=len(written) - 1, basis="b"))}
        assert rollup_store.read_ranges(s, [site.id], *written[-1], {site.id: "other"}) == {}
    assert kept == set(written[-rollup_store.RANGES_PER_SITE:])
    with demo_db.write() as s:
        s.execute(delete(RangeRollup).where(RangeRollup.site_id == site.id, RangeRollup.first < date(2002, 1, 1)))
