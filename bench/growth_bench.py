"""How SatuPintu's tables grow: bytes per ticket and per ticket event on PostgreSQL, measured over a
generated day, and the yearly growth at national scale.

A day is generated through the service layer, exactly as the app writes it: a kiosk issues
`--tickets` tickets, an officer calls, starts and finishes each at a counter (every write through
queueing.service, so tickets, visits, ticket events, sequences, audit entries and anything the
wiring adds in the same transactions). Sizes are pg_total_relation_size (heap, TOAST and every
index) after VACUUM ANALYZE, before and after the day, per table.

National scale (issue 18): about 300 MPPs, a heavy day peaking near 20 tickets/s and up to 80/s if
every mall were as busy as the busiest. A peak hour is taken as twice the day's mean rate over a
7-hour service day, on `--working-days` days a year.

    .venv/bin/python -m bench.growth_bench [--tickets 600]
"""

from __future__ import annotations

import argparse

from sqlalchemy import text

from bench.common import postgres_database

GB = 1024**3
TABLES_OF_INTEREST = ("tickets", "ticket_events", "visits", "audit_log", "daily_rollups", "ticket_sequences",
                      "webhook_deliveries", "notifications")


def sizes(db) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Per table: (rows, bytes with indexes and TOAST)."""
    with db.autocommit() as conn:
        conn.execute(text("VACUUM ANALYZE"))
        names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        out = {}
        for name in names:
            rows = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            size = conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": f'public."{name}"'}).scalar_one()
            out[name] = (int(rows), int(size))
    return out


def generate_day(db, tickets: int) -> None:  # type: ignore[no-untyped-def]
    from satupintu.accounts import service as accounts
    from satupintu.queueing import lookup, service

    kiosk = service.Issuer(label="kios-lobi", site_id=lookup.site(db, "lahat").id)
    officer = accounts.authenticate(db, "petugas.dukcapil", "bench-growth-123")
    service.open_counter(db, officer, "lahat", 4)
    for _ in range(tickets):
        service.issue_ticket(db, kiosk, "lahat", "DKC-01")
    for _ in range(tickets):
        called = service.call_next(db, officer, "lahat", 4)
        assert called is not None
        service.start_serving(db, officer, "lahat", 4)
        service.finish(db, officer, "lahat", 4)
    service.close_counter(db, officer, "lahat", 4, "istirahat")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=600, help="tickets of the generated day")
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--working-days", type=int, default=250, help="service days a year")
    parser.add_argument("--peak-rates", default="20,80", help="national peak tickets/s, comma list")
    parser.add_argument("--keep-event-days", type=int, default=730, help="SATUPINTU_RETENTION_TICKET_EVENT_DAYS")
    args = parser.parse_args()

    from bench.common import open_all_day
    from satupintu.db import Database
    from satupintu.demo.loader import load_demo
    from satupintu.migrate import upgrade

    with postgres_database() as made:
        if made is None:
            return
        url, _ = made
        upgrade(url)
        db = Database(url)
        load_demo(db, "bench-growth-123", history=False)
        open_all_day(db)
        before = sizes(db)
        generate_day(db, args.tickets)
        after = sizes(db)
        db.dispose()

    grown = {t: (after[t][0] - before.get(t, (0, 0))[0], after[t][1] - before.get(t, (0, 0))[1]) for t in after}
    print(f"PostgreSQL, one generated day of {args.tickets} tickets (issue, call, start, finish each):")
    print(f"{'table':<22}{'rows':>8}{'bytes':>12}{'bytes/row':>11}{'bytes/ticket':>14}")
    total = 0
    for t, (rows, size) in sorted(grown.items(), key=lambda kv: -kv[1][1]):
        if rows <= 0 and size <= 0:
            continue
        if rows < args.tickets // 2:  # a row per counter or per day, updated in place: not growth
            print(f"{t:<22}{rows:>8}{size:>12}{'':>11}{'(fixed)':>14}")
            continue
        total += max(size, 0)
        per_row = size / rows if rows > 0 else float("nan")
        print(f"{t:<22}{rows:>8}{size:>12}{per_row:>11.0f}{size / args.tickets:>14.0f}")
    per_ticket = total / args.tickets
    events = grown.get("ticket_events", (0, 0))
    per_event = events[1] / events[0] if events[0] else float("nan")
    events_per_ticket = events[0] / args.tickets
    ticket_only = (total - events[1]) / args.tickets
    print("(fixed: one row per counter or per day, rewritten in place; its size is dead versions VACUUM "
          "reuses, not growth)")
    print(f"growing tables: {per_ticket:.0f} bytes per ticket ({ticket_only:.0f} without its events); "
          f"{events_per_ticket:.1f} events per ticket at {per_event:.0f} bytes each")

    print(f"\nNational scale: {args.sites} sites, {args.working_days} service days a year, peak hour = "
          "2x the mean of a 7-hour day:")
    for rate in (float(r) for r in args.peak_rates.split(",")):
        per_day = rate / 2 * 7 * 3600
        per_year = per_day * args.working_days
        ev_year = per_year * events_per_ticket
        year_bytes = per_year * per_ticket
        kept_events = ev_year * args.keep_event_days / 365 * per_event
        print(f"  peak {rate:.0f}/s: {per_day:,.0f} tickets/day ({per_day / args.sites:,.0f} per site), "
              f"{per_year / 1e6:,.1f} M tickets and {ev_year / 1e6:,.1f} M events a year: "
              f"{year_bytes / GB:,.1f} GiB a year in all, of which ticket_events "
              f"{ev_year * per_event / GB:,.1f} GiB; events kept {args.keep_event_days} days stay near "
              f"{kept_events / GB:,.1f} GiB, tickets and visits grow {per_year * ticket_only / GB:,.1f} GiB a year")
    print("\nPartition when a table's yearly growth passes the server's RAM (its indexes stop fitting in the "
          "cache) or the nightly retention's batched deletes of one day's events take longer than a "
          "quiet hour: ticket_events by month of `at` (retention then drops whole months), tickets and "
          "visits by year of local_date.")


if __name__ == "__main__":
    main()
