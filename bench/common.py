"""What every benchmark shares: percentiles, and a throwaway PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN = "postgresql+psycopg://127.0.0.1:5432/test"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


@contextmanager
def postgres_database() -> Iterator[tuple[str, str] | None]:
    """(url, name) of a new empty database, dropped afterwards; None when PostgreSQL is unreachable."""
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = "sp_bench_" + uuid.uuid4().hex[:8]
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"[postgresql] skipped: {exc.__class__.__name__}")
        yield None
        return
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def open_all_day(db) -> None:  # type: ignore[no-untyped-def]
    """Benchmarks issue tickets whenever they run: every site of the demo works all day,
    every day (the demo itself keeps the mall's real hours, so it is closed at night)."""
    from datetime import time

    from sqlalchemy import delete, select

    from satupintu.catalogue.models import OpeningHours, Site

    with db.write() as s:
        for site in s.scalars(select(Site)).all():
            s.execute(delete(OpeningHours).where(OpeningHours.site_id == site.id))
            for weekday in range(7):
                s.add(OpeningHours(site_id=site.id, weekday=weekday, opens=time(0, 0), closes=time(23, 59, 59)))
            site.starts_on = site.ends_on = None
            site.issue_cutoff_minutes = 0
