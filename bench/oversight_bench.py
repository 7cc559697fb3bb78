"""Oversight figures over a busy MPP's year: prints figures, asserts nothing.

A year of the demo mall at about 1,000 visitors a working day (250 days: about 250k tickets and
1M ticket events, the early-morning peak, no-shows, closed-unserved tickets; written in bulk by
demo/history.py) on SQLite and PostgreSQL. Timed, best of three:

- the first reading of the year, which rolls up every settled day once and keeps it
  (`daily_rollups`), and the exact month straight from every ticket and event (`exact=True`);
- the figures of the last month and of the whole year (`oversight.service.summary`) from the
  kept days; the month's and the year's history dashboard (the range and the one before, per day,
  per agency, the heatmap);
- the national view over 300 sites: the mall's kept days, months and day closes copied to 299
  more sites, over the last whole month and the whole year (the year: from the second reading on,
  one kept range glance per site, `range_rollups`).

Ceilings of the same run, with a bare sqlite3 / psycopg cursor: the driver fetching every
ticket joined to its events over the range (what the figures read before rollups were kept),
and fetching the kept rows the figures read now (the day headlines of the range for a summary, the
per-agency-and-service rollups for a dashboard; for the national view the month and day glances);
the ratio is against the second.

Run: `.venv/bin/python bench/oversight_bench.py [--days 250] [--per-day 1000] [--keep DIR]`
(`--keep`: keep the loaded databases, SQLite in DIR and PostgreSQL as sp_bench_oversight_*, and
reuse them on the next run with the same --days and --per-day).
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_ADMIN, postgres_database  # noqa: E402
from satupintu.db import Database  # noqa: E402
from satupintu.demo.history import load_history  # noqa: E402
from satupintu.demo.loader import load_demo  # noqa: E402
from satupintu.migrate import upgrade  # noqa: E402
from satupintu.oversight import service  # noqa: E402
from satupintu.oversight.periods import day_bounds  # noqa: E402
from satupintu.scope import SYSTEM  # noqa: E402

RAW = ("SELECT t.id, t.service_id, t.channel, t.priority, e.at, e.kind, e.status, e.counter_id "
       "FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id "
       "WHERE t.site_id = {p} AND t.issued_at >= {p} AND t.issued_at < {p}")


def best(fn: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


KEPT = "SELECT headline FROM daily_rollups WHERE site_id = {p} AND day >= {p} AND day <= {p}"
KEPT_DETAIL = "SELECT rollups FROM daily_rollups WHERE site_id = {p} AND day >= {p} AND day <= {p}"
NATIONAL_KEPT = ("SELECT glance FROM monthly_rollups WHERE month >= {p} AND month <= {p} "
                 "UNION ALL SELECT glance FROM daily_rollups WHERE (day >= {p} AND day < {p}) "
                 "OR (day > {p} AND day <= {p})")
RANGE_KEPT = "SELECT glance FROM range_rollups WHERE first = {p} AND last = {p}"
SITES = 300
Raw = Callable[[str, tuple[Any, ...]], int]


def _national_rows(a: date, b: date) -> tuple[date, ...]:
    """The bounds of the kept rows the national view reads: whole months, then the days around."""
    whole = service._months_within(a, b)
    if not whole:
        return (b + timedelta(days=1), a - timedelta(days=1), a, b + timedelta(days=1), b, b)
    return (whole[0][0], whole[-1][0], a, whole[0][0], whole[-1][1], b)


def _copy_sites(db: Database, site_id: Any, count: int) -> None:
    """`count` more sites like the mall, with its kept days and months and its day closes (not its
    tickets): as if each had been read once already."""
    from sqlalchemy import delete, insert, select

    from satupintu.catalogue.models import Site
    from satupintu.oversight.models import DailyRollup, MonthlyRollup, RangeRollup
    from satupintu.queueing.models import DayClose

    site_t, day_t, close_t = Site.__table__, DailyRollup.__table__, DayClose.__table__
    month_t = MonthlyRollup.__table__
    with db.write() as s:
        copies = list(s.scalars(select(Site.id).where(Site.code.like("bench-nat-%"))))
        if copies:
            for table in (RangeRollup, MonthlyRollup, DailyRollup):
                s.execute(delete(table).where(table.site_id.in_(copies)))
            s.execute(delete(DayClose).where(DayClose.site_id.in_(copies)))
            s.execute(delete(Site).where(Site.id.in_(copies)))
        site = dict(s.execute(select(site_t).where(site_t.c.id == site_id)).mappings().one())
        kept = [dict(r) for r in s.execute(select(day_t).where(day_t.c.site_id == site_id)).mappings()]
        months = [dict(r) for r in s.execute(select(month_t).where(month_t.c.site_id == site_id)).mappings()]
        closes = [dict(r) for r in s.execute(select(close_t).where(close_t.c.site_id == site_id)).mappings()]
        for i in range(count):
            new = uuid.uuid4()
            s.execute(insert(site_t).values(**(site | {"id": new, "code": f"bench-nat-{i:03d}",
                                                       "name": f"MPP Uji {i:03d}"})))
            if kept:
                s.execute(insert(day_t), [r | {"site_id": new} for r in kept])
            if closes:
                s.execute(insert(close_t), [r | {"site_id": new} for r in closes])
            if months:
                s.execute(insert(month_t), [r | {"site_id": new} for r in months])


def run(name: str, url: str, days: int, per_day: int, raw: Raw, reuse: bool) -> None:
    from sqlalchemy import select, text

    from satupintu.catalogue.models import Site
    from satupintu.roles import Role
    from satupintu.scope import Actor

    upgrade(url)
    db = Database(url)
    with db.read() as s:
        loaded_before = s.execute(text("SELECT count(*) FROM tickets")).scalar_one() > 0
    if reuse and loaded_before:
        print(f"[{name}] reusing the kept database")
    else:
        load_demo(db, "bench-sandi-uji-123", history=False)
        t0 = time.perf_counter()
        load_history(db, "lahat", days=days, visitors=(int(per_day * 0.85), int(per_day * 1.15)),
                     complaints=False)
        print(f"[{name}] loaded in {time.perf_counter() - t0:.1f} s")
    with db.write() as s:
        s.execute(text("DELETE FROM range_rollups"))
        s.execute(text("DELETE FROM monthly_rollups"))
        s.execute(text("DELETE FROM daily_rollups"))
    with db.read() as s:
        tickets = s.execute(text("SELECT count(*) FROM tickets")).scalar_one()
        events = s.execute(text("SELECT count(*) FROM ticket_events")).scalar_one()
        site_id = s.execute(select(Site.id).where(Site.code == "lahat")).scalar_one()
        first = s.execute(text("SELECT min(local_date) FROM tickets")).scalar_one()
    end = date.today() - timedelta(days=1)
    first_day = first if isinstance(first, date) else date.fromisoformat(str(first))
    month = (end - timedelta(days=29), end)
    year = (first_day, end)
    print(f"[{name}] {tickets:,} tickets, {events:,} ticket events over {days} working days")
    t0 = time.perf_counter()
    service.summary(db, SYSTEM, "lahat", *year)
    print(f"[{name}] first reading of the year (rolls up and keeps every settled day): "
          f"{time.perf_counter() - t0:.1f} s")
    took = best(lambda: service.summary(db, SYSTEM, "lahat", *month, exact=True), runs=1)
    print(f"[{name}] exact month from every ticket and event (exact=True, as before): {took * 1000:.0f} ms")
    sid = str(site_id)
    for label, (a, b) in (("month", month), ("year", year)):
        lo, _ = day_bounds(a, "Asia/Jakarta")
        _, hi = day_bounds(b, "Asia/Jakarta")
        rows = raw(RAW, (sid, lo, hi))
        old = best(partial(raw, RAW, (sid, lo, hi)))
        kept = best(partial(raw, KEPT, (sid, a, b)))
        took = best(partial(service.summary, db, SYSTEM, "lahat", a, b))
        print(f"[{name}] summary of a {label} ({a}..{b}): {took * 1000:.0f} ms; ceilings: bare driver fetching "
              f"the {rows:,} event rows {old * 1000:.0f} ms, fetching the kept day headlines {kept * 1000:.1f} ms; "
              f"ratio {took / kept:.1f}x")
        took = best(partial(service.dashboard, db, SYSTEM, "lahat", a, b), runs=2)
        detail = best(partial(raw, KEPT_DETAIL, (sid, a, b)))
        print(f"[{name}] {label} dashboard (with the {label} before, per day and per agency): {took * 1000:.0f} ms; "
              f"ceiling: bare driver fetching the kept per-agency-and-service rows {detail * 1000:.1f} ms; "
              f"ratio {took / detail:.1f}x")
    _copy_sites(db, site_id, SITES - 1)
    with db.read() as s:
        sites = s.execute(text("SELECT count(*) FROM sites")).scalar_one()
    overseer = Actor(user_id=None, username="pusat", role=Role.national_overseer)
    last_month_end = end.replace(day=1) - timedelta(days=1)
    for label, (a, b) in (("last whole month", (last_month_end.replace(day=1), last_month_end)),
                          ("year", year)):
        t0 = time.perf_counter()
        service.national(db, overseer, a, b)
        cold = time.perf_counter() - t0
        took = best(partial(service.national, db, overseer, a, b))
        kept = best(partial(raw, NATIONAL_KEPT, _national_rows(a, b)))
        print(f"[{name}] national view over {sites} sites, {label} ({a}..{b}): {took * 1000:.0f} ms "
              f"(first reading, keeping the month rows: {cold * 1000:.0f} ms); ceiling: bare driver fetching "
              f"the kept month and day glances {kept * 1000:.1f} ms; ratio {took / kept:.1f}x")
        ranges = raw(RANGE_KEPT, (a, b))
        if ranges:
            ceiling = best(partial(raw, RANGE_KEPT, (a, b)))
            print(f"[{name}]   read from {ranges} kept range glances (range_rollups); ceiling: bare driver "
                  f"fetching them {ceiling * 1000:.1f} ms; ratio {took / ceiling:.1f}x")
    db.dispose()


@contextlib.contextmanager
def _kept_postgres(name: str) -> Iterator[tuple[str, str] | None]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(text_(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")).scalar():
                conn.execute(text_(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        print(f"[postgresql] skipped: {exc.__class__.__name__}")
        yield None
        return
    yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name


def text_(sql: str) -> Any:
    from sqlalchemy import text

    return text(sql)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None, help="keep and reuse the loaded databases")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    args = parser.parse_args()
    tag = f"oversight_{args.days}x{args.per_day}"

    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        path = folder / f"{tag}.db"

        def sqlite_raw(sql: str, params: tuple[Any, ...]) -> int:
            conn = sqlite3.connect(path)
            try:
                # SQLAlchemy stores UUIDs as 32 hex characters and times as ISO text on SQLite.
                values = [p.replace("-", "") if isinstance(p, str) else
                          p.strftime("%Y-%m-%d %H:%M:%S.%f") if hasattr(p, "hour") else p.isoformat()
                          for p in params]
                rows = conn.execute(sql.format(p="?"), values).fetchall()
            finally:
                conn.close()
            return len(rows)

        if args.only in (None, "sqlite"):
            run("sqlite", f"sqlite:///{path}", args.days, args.per_day, sqlite_raw, args.keep is not None)

    if args.only in (None, "postgresql"):
        pg_context = _kept_postgres(f"sp_bench_{tag}") if args.keep is not None else postgres_database()
        with pg_context as pg:
            if pg is not None:
                url, dbname = pg
                import psycopg

                def pg_raw(sql: str, params: tuple[Any, ...]) -> int:
                    with psycopg.connect(f"host=127.0.0.1 port=5432 dbname={dbname}") as conn:
                        return len(conn.execute(sql.format(p="%s"), params).fetchall())

                run("postgresql", url, args.days, args.per_day, pg_raw, args.keep is not None)


if __name__ == "__main__":
    main()
