"""The live dashboard's figures, read on SQLite and PostgreSQL after a morning made through the real
queue service, equal a plain-SQL recount of the same day: visitors and tickets by channel, waiting
per agency, the longest wait, served, the median wait, counters open and closed, and the month's
survey respondents. An agency's officer sees their agency only; another site's manager nothing."""

from __future__ import annotations

import statistics
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.errors import Forbidden
from satupintu.oversight import live_service
from satupintu.queueing import service as queue
from satupintu.roles import Role
from satupintu.scope import SYSTEM, Actor
from tests.conftest import DEMO_PASSWORD

SITE = "lahat"


def _utc(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _morning(db) -> None:  # type: ignore[no-untyped-def]
    """Five Dukcapil numbers and one DPMPTSP number from the kiosk; Dukcapil's counter opens and
    serves two to the end, and calls a third."""
    site = catalogue.get_site(db, SITE)
    kiosk = queue.Issuer(label="kios:lobi", site_id=site.id)
    for code in ("DKC-01", "DKC-02", "DKC-01", "DPM-01", "DKC-01", "DKC-02"):
        queue.issue_ticket(db, kiosk, SITE, code)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    number = next(c.number for c in catalogue.list_counters(db, SITE) if c.agency_code == "DUKCAPIL"
                  and {"DKC-01", "DKC-02"} <= set(c.services))
    queue.open_counter(db, officer, SITE, number)
    for _ in range(2):
        queue.call_next(db, officer, SITE, number)
        queue.start_serving(db, officer, SITE, number)
        queue.finish(db, officer, SITE, number)
    queue.call_next(db, officer, SITE, number)


def test_the_live_figures_equal_a_plain_sql_recount_of_today(fresh_demo_db) -> None:
    db = fresh_demo_db
    _morning(db)
    board = live_service.live(db, SYSTEM, SITE, threshold_minutes=-1)  # every waiting agency raises an alert
    day, month = board.day, board.day.replace(day=1)
    p = {"c": SITE, "d": day}
    base = "FROM tickets t JOIN sites st ON st.id = t.site_id WHERE st.code = :c AND t.local_date = :d"
    with db.read() as s:
        visitors = s.execute(text(f"SELECT count(*) {base} AND t.channel <> 'referral'"), p).scalar_one()
        channels = dict(s.execute(text(f"SELECT t.channel, count(*) {base} GROUP BY t.channel"), p).all())
        served = s.execute(text(f"SELECT count(*) {base} AND t.status = 'done'"), p).scalar_one()
        waiting = dict(s.execute(text(
            "SELECT a.code, count(*) FROM tickets t JOIN sites st ON st.id = t.site_id JOIN services v "
            "ON v.id = t.service_id JOIN agencies a ON a.id = v.agency_id WHERE st.code = :c AND t.local_date = :d "
            "AND t.status = 'waiting' GROUP BY a.code"), p).all())
        first_waiting = s.execute(text(f"SELECT t.number {base} AND t.status = 'waiting' "
                                       "ORDER BY t.issued_at, t.number LIMIT 1"), p).scalar_one()
        calls = s.execute(text(
            "SELECT t.id, t.issued_at, min(e.at) FROM tickets t JOIN sites st ON st.id = t.site_id "
            "JOIN ticket_events e ON e.ticket_id = t.id WHERE st.code = :c AND t.local_date = :d "
            "AND e.kind = 'called' GROUP BY t.id, t.issued_at"), p).all()
        open_counters = s.execute(text(
            "SELECT count(*) FROM counter_states cs JOIN sites st ON st.id = cs.site_id "
            "WHERE st.code = :c AND cs.is_open"), p).scalar_one()
        all_counters = s.execute(text(
            "SELECT count(*) FROM counters k JOIN sites st ON st.id = k.site_id WHERE st.code = :c "
            "AND k.status = 'open'"), p).scalar_one()
        respondents = s.execute(text(
            "SELECT count(*) FROM survey_responses r JOIN sites st ON st.id = r.site_id WHERE st.code = :c "
            "AND r.local_date >= :a AND r.local_date <= :b AND r.regulation = 'permenpanrb_14_2017'"),
            {"c": SITE, "a": month, "b": day}).scalar_one()

    assert visitors >= 6
    assert board.visitors == visitors
    assert board.tickets == sum(channels.values())
    assert {k: v for k, v in board.by_channel.items() if v} == channels
    assert board.served == served >= 2
    assert board.waiting == sum(waiting.values()) == sum(r.waiting for r in board.per_agency)
    assert {r.code: r.waiting for r in board.per_agency if r.waiting} == waiting
    assert board.longest is not None and board.longest.number == first_waiting
    waits = [(_utc(called) - _utc(issued)).total_seconds() for _, issued, called in calls]
    assert len(waits) >= 3 and board.wait_median_s is not None
    assert abs(board.wait_median_s - statistics.median(waits)) < 0.001
    assert board.counters_open == open_counters >= 1
    assert board.counters_open + board.counters_closed == all_counters
    assert board.counters_idle == 0  # the open counter has called someone
    assert {a.agency for a in board.alerts if a.kind == "long_wait"} == set(waiting)
    assert not [a for a in board.alerts if a.kind == "no_officer"]  # the officer opened it: attendance is open
    assert board.ikm_respondents == respondents
    assert (board.ikm is None) == (respondents == 0)


def test_an_agency_officer_sees_their_agency_and_a_stranger_nothing(fresh_demo_db) -> None:
    db = fresh_demo_db
    _morning(db)
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    board = live_service.live(db, officer, SITE)
    assert board.agency is not None and board.agency.code == "DUKCAPIL"
    assert [r.code for r in board.per_agency] == ["DUKCAPIL"]
    assert board.waiting == board.per_agency[0].waiting == 2  # five numbers, three called
    stranger = Actor(user_id=None, username="lain", role=Role.site_manager, site_id=None)
    with pytest.raises(Forbidden):
        live_service.live(db, stranger, SITE)
