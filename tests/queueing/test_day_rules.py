"""The queue day on SQLite and PostgreSQL: tickets only within the site's hours, cut-off and
quota; call-next only today's tickets; the day closes itself once, in each site's own zone
(server clock in UTC; sites in WIB, WITA and WIT)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.catalogue.models import Service, Site
from satupintu.errors import DomainError
from satupintu.queueing import day, lookup, store, tickets
from satupintu.queueing import service as queue
from satupintu.queueing.daygate import IssuingClosed
from satupintu.queueing.models import DayClose, QueueSettings, Ticket, TicketEvent
from satupintu.queueing.policy import Channel, Priority, Status
from tests.conftest import DEMO_PASSWORD
from tests.dayclock import local_moment, next_weekday, set_hours, weekdays
from tests.queueing.usecases import db, dukcapil_counter, kiosk, officer  # noqa: F401

MONDAY = next_weekday(date(2026, 11, 30))  # a Monday


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The server's clock (UTC) reads `moment` for issuing."""
    monkeypatch.setattr(tickets, "utcnow", lambda: moment)


def refused(db, kiosk, code: str = "DKC-01", site: str = "lahat") -> IssuingClosed:  # noqa: F811
    with pytest.raises(IssuingClosed) as err:
        queue.issue_ticket(db, kiosk, site, code)
    return err.value


def set_service(db, code: str, **values) -> None:  # noqa: F811
    with db.write() as s:
        service_id = s.scalar(select(Service.id).where(Service.code == code))
        s.execute(update(QueueSettings).where(QueueSettings.service_id == service_id).values(**values))
    lookup.clear(db)


def test_no_ticket_before_opening_after_the_cutoff_or_on_a_day_off(db, kiosk, monkeypatch):  # noqa: F811
    """Open 08:00-15:00 WIB on weekdays, issuing stops 30 minutes before closing: at 07:59 the
    kiosk says come back at 08:00 today; at 14:30 and on Saturday it says Monday 08:00."""
    set_hours(db, "lahat", weekdays("08:00", "15:00"), issue_cutoff_minutes=30)
    at(monkeypatch, local_moment(MONDAY, "07:59", "Asia/Jakarta"))
    early = refused(db, kiosk)
    assert (early.reason, early.field) == ("before_opening", "site")
    assert early.come_back_at.isoformat() == f"{MONDAY}T08:00:00+07:00"
    assert early.as_dict()["error"]["come_back_at"] == f"{MONDAY}T08:00:00+07:00"
    at(monkeypatch, local_moment(MONDAY, "08:00", "Asia/Jakarta"))
    assert queue.issue_ticket(db, kiosk, "lahat", "DKC-01").number == "A-001"
    at(monkeypatch, local_moment(MONDAY, "14:29", "Asia/Jakarta"))
    assert queue.issue_ticket(db, kiosk, "lahat", "DKC-01").number == "A-002"
    at(monkeypatch, local_moment(MONDAY, "14:30", "Asia/Jakarta"))
    late = refused(db, kiosk)
    assert late.reason == "after_cutoff"
    assert late.come_back_at.isoformat() == f"{MONDAY + timedelta(days=1)}T08:00:00+07:00"
    assert "Selasa" in late.message and "08:00 WIB" in late.message and "online" in late.message
    at(monkeypatch, local_moment(MONDAY + timedelta(days=5), "10:00", "Asia/Jakarta"))
    saturday = refused(db, kiosk)
    assert saturday.reason == "closed_today"
    assert saturday.come_back_at.isoformat() == f"{MONDAY + timedelta(days=7)}T08:00:00+07:00"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 2


def test_a_service_stops_at_its_own_clock_while_others_still_issue(db, kiosk, monkeypatch):  # noqa: F811
    """Dukcapil stops at 14:00: at 14:10 its ticket is refused naming the service; a DPMPTSP
    ticket is still issued."""
    set_hours(db, "lahat", weekdays("08:00", "15:00"))
    set_service(db, "DKC-01", last_issue_time=time(14, 0))
    at(monkeypatch, local_moment(MONDAY, "14:10", "Asia/Jakarta"))
    err = refused(db, kiosk)
    assert (err.reason, err.field) == ("after_cutoff", "service")
    assert queue.issue_ticket(db, kiosk, "lahat", "DPM-01").number.startswith("B-")


def test_a_mobile_event_issues_only_within_its_dates_and_while_open(db, monkeypatch):  # noqa: F811
    """The event runs 1-5 December: on 6 December, or while its status is 'planned', no ticket."""
    event = catalogue.get_site(db, "plaza-lematang")
    k = queue.Issuer(label="kios:event", site_id=event.id)
    set_hours(db, "plaza-lematang", weekdays("08:00", "14:00", range(7)), starts_on=date(2026, 12, 1),
              ends_on=date(2026, 12, 5))
    at(monkeypatch, local_moment(date(2026, 12, 5), "09:00", "Asia/Jakarta"))
    assert queue.issue_ticket(db, k, "plaza-lematang", "DKC-01").number
    at(monkeypatch, local_moment(date(2026, 12, 6), "09:00", "Asia/Jakarta"))
    after = refused(db, k, site="plaza-lematang")
    assert after.reason == "closed_today" and after.come_back_at is None
    set_hours(db, "plaza-lematang", weekdays("08:00", "14:00", range(7)), event_status="planned")
    at(monkeypatch, local_moment(date(2026, 12, 5), "09:00", "Asia/Jakarta"))
    assert refused(db, k, site="plaza-lematang").reason == "event_not_open"


def test_the_daily_quota_holds_with_many_kiosks_racing(db, kiosk):  # noqa: F811
    """A quota of 50 and 80 kiosk presses at once: exactly 50 numbers, 30 citizens told the
    quota is full, no number lost from the sequence."""
    set_service(db, "DKC-01", daily_quota=50)

    def press(_: int) -> str:
        try:
            return queue.issue_ticket(db, kiosk, "lahat", "DKC-01").number
        except IssuingClosed as exc:
            assert (exc.reason, exc.field) == ("quota_full", "service")
            return "refused"

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(press, range(80)))
    numbers = sorted(a for a in answers if a != "refused")
    assert len(numbers) == 50 and answers.count("refused") == 30
    assert numbers == [f"A-{i:03d}" for i in range(1, 51)]  # refused presses took no number
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 50


def test_call_next_never_calls_yesterdays_ticket(db, kiosk, officer, monkeypatch):  # noqa: F811
    """Yesterday's A-001 was left waiting; today's A-001 is called, then nobody: the leftover
    is never called, and the two A-001 do not collide."""
    site = catalogue.get_site(db, "lahat")
    now = datetime.now(tz=None).astimezone()
    at(monkeypatch, now - timedelta(days=1))
    old = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    monkeypatch.undo()
    new = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    assert old.number == new.number == "A-001" and site.timezone == "Asia/Jakarta"
    n = dukcapil_counter(db)
    queue.open_counter(db, officer, "lahat", n)
    called = queue.call_next(db, officer, "lahat", n)
    assert called is not None and called.id == new.id
    queue.start_serving(db, officer, "lahat", n)
    queue.finish(db, officer, "lahat", n)
    assert queue.call_next(db, officer, "lahat", n) is None
    assert queue.get_ticket(db, old.id).status is Status.waiting


ZONES = {"lahat": "Asia/Jakarta", "plaza-lematang": "Asia/Makassar", "papua": "Asia/Jayapura"}


def _three_zones(db) -> dict[str, list]:  # noqa: F811
    """Three sites open 08:00-15:00 with 30 minutes' grace, in WIB, WITA and WIT, each with two
    unserved tickets of MONDAY."""
    with db.write() as s:
        lahat = s.scalar(select(Site).where(Site.code == "lahat"))
        if s.scalar(select(Site.id).where(Site.code == "papua")) is None:
            s.add(Site(code="papua", name="MPP Uji Papua", kind=lahat.kind, timezone="Asia/Jayapura"))
    made: dict[str, list] = {}
    for code, tz in ZONES.items():
        set_hours(db, code, weekdays("08:00", "15:00"), timezone=tz, close_grace_minutes=30)
        with db.write() as s:
            site_id = s.scalar(select(Site.id).where(Site.code == code))
            service_id = s.scalar(select(Service.id).where(Service.code == "DKC-01"))
            conn = s.connection()
            moment = local_moment(MONDAY, "10:00", tz)
            made[code] = []
            for seq in (1, 2):
                visit = store.insert_visit(conn, site_id, moment, Priority.none)
                made[code].append(store.insert_ticket(
                    conn, site_id=site_id, visit_id=visit, service_id=service_id, prefix="A", day=MONDAY, seq=seq,
                    number=f"A-{seq:03d}", channel=Channel.kiosk, priority=Priority.none, is_priority=False,
                    ready_at=moment, now=moment).id)
    return made


def test_each_site_closes_itself_at_its_own_closing_time_plus_grace(db):  # noqa: F811
    """Server clock in UTC. At 06:45 UTC (15:45 WIT) only the Papua site has closed; at 07:45
    (15:45 WITA) the WITA event too; at 08:45 (15:45 WIB) Lahat; a second pass closes nothing."""
    made = _three_zones(db)
    def utc(clock: str) -> datetime:
        return local_moment(MONDAY, clock, "UTC")

    assert day.close_due_days(db, utc("06:29")) == []  # 15:29 WIT: grace not over
    assert [(c.site_code, c.day) for c in day.close_due_days(db, utc("06:45"))] == [("papua", MONDAY)]
    assert [c.site_code for c in day.close_due_days(db, utc("07:45"))] == ["plaza-lematang"]
    closed = day.close_due_days(db, utc("08:45"))
    assert [(c.site_code, c.result.closed_tickets) for c in closed] == [("lahat", 2)]
    assert day.close_due_days(db, utc("09:45")) == []
    with db.read() as s:
        rows = s.scalars(select(DayClose)).all()
        assert sorted((r.local_date, r.automatic, r.closed_tickets) for r in rows) == [(MONDAY, True, 2)] * 3
        for ids in made.values():
            for ticket_id in ids:
                t = s.get(Ticket, ticket_id)
                assert t.status is Status.closed and t.closed_reason == day.AUTOMATIC_REASON
                assert s.scalar(select(func.count()).select_from(TicketEvent).where(
                    TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "closed")) == 1


def test_a_manager_closes_early_once_and_the_kiosk_then_refuses(db, kiosk):  # noqa: F811
    """'Tutup lebih awal' with a reason closes today's tickets; closing again is refused, and
    the kiosk says there is no queue today."""
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    t = queue.issue_ticket(db, kiosk, "lahat", "DKC-01")
    today = day.day_overview(db, manager, "lahat").today
    result = day.close_day(db, manager, "lahat", today, "Listrik padam")
    assert result.closed_tickets == 1 and queue.get_ticket(db, t.id).status is Status.closed
    with pytest.raises(DomainError) as again:
        day.close_day(db, manager, "lahat", today, "Listrik padam")
    assert again.value.code == "day_already_closed"
    assert refused(db, kiosk).reason == "closed_today"
    overview = day.day_overview(db, manager, "lahat")
    assert overview.closed_today is not None and overview.closed_today.reason == "Listrik padam"
    assert not overview.is_open and overview.closed_days[0].closed_tickets == 1


def test_the_api_names_the_field_the_reason_and_when_to_come_back(fresh_server):
    """A kiosk client over HTTP (PostgreSQL: the hot path) with a quota of 2: the third press
    gets 409 with code issuing_closed, field 'service', reason 'quota_full' and come_back_at."""
    from tests.conftest import token_for

    db = fresh_server.app.state.db
    set_service(db, "DKC-01", daily_quota=2)
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk_token = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                                json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
        answers = [c.post("/api/v1/sites/lahat/tickets", headers=kiosk_token, json={"service": "DKC-01"})
                   for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 409]
    error = answers[2].json()["error"]
    assert (error["code"], error["field"], error["reason"]) == ("issuing_closed", "service", "quota_full")
    assert datetime.fromisoformat(error["come_back_at"]) > datetime.now().astimezone()
    assert "Kuota" in error["message"]
