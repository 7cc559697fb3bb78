"""Builders shared by the oversight tests: local times, raw ticket events, the hand-made day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from satupintu.oversight.facts import (
    ApplicationFact,
    BookingFact,
    ComplaintFact,
    CounterLogEntry,
    Facts,
    SurveyFact,
    TicketEventRecord,
    counter_spans,
    ticket_fact,
)
from satupintu.queueing.policy import Channel, Priority

TZ = "Asia/Makassar"  # WITA, UTC+8
MONDAY = date(2026, 3, 2)


def at(day: date, hh: int, mm: int = 0, tz: str = TZ) -> datetime:
    """A local wall-clock time as an aware UTC moment."""
    return datetime.combine(day, time(hh, mm), ZoneInfo(tz)).astimezone(UTC)


def mon(hh: int, mm: int = 0) -> datetime:
    return at(MONDAY, hh, mm)


def ev(moment: datetime, kind: str, status: str, counter: str | None = None, actor: str | None = None):
    return TicketEventRecord(moment, kind, status, counter, actor)


def served_events(issued, called, start, finish, counter, officer, end_kind="finished", end_status="done"):
    return [ev(issued, "issued", "waiting"), ev(called, "called", "called", counter, officer),
            ev(start, "serving", "serving", counter, officer), ev(finish, end_kind, end_status, counter, officer)]


def hand_day() -> Facts:
    """The hand-computed Monday of `test_hand_computed_day` (see its docstring)."""
    a, b = "A", "B"  # agencies: A = Dukcapil (services A1, A2, counter C1), B = DPMPTSP (B1, counter C2)

    def t(tid, visit, agency, service, channel, events, priority=Priority.none, **kw):
        return ticket_fact(ticket_id=tid, visit_id=visit, site_id="S", agency_id=agency, service_id=service,
                           channel=channel, priority=priority, events=events, **kw)

    tickets = [
        t("T1", "V1", a, "A1", Channel.kiosk,
          served_events(mon(8, 0), mon(8, 10), mon(8, 11), mon(8, 21), "C1", "O1", "referred", "referred")),
        t("T1r", "V1", b, "B1", Channel.referral,
          [ev(mon(8, 21), "issued", "waiting", "C1", "O1"), ev(mon(8, 40), "called", "called", "C2", "O2"),
           ev(mon(8, 41), "serving", "serving", "C2", "O2"), ev(mon(9, 1), "finished", "done", "C2", "O2")],
          referred_from_agency_id=a),
        t("T2", "V2", a, "A1", Channel.kiosk,
          served_events(mon(8, 5), mon(8, 6), mon(8, 7), mon(8, 10), "C1", "O1"), priority=Priority.elderly),
        t("T3", "V3", a, "A2", Channel.booking,
          [ev(mon(8, 30), "issued", "waiting"), ev(mon(8, 31), "called", "called", "C1", "O1"),
           ev(mon(8, 32), "no_show", "no_show", "C1", "O1"), ev(mon(15, 0), "closed", "closed")],
          booking_id="BK1"),
        t("T4", "V4", a, "A1", Channel.reception,
          served_events(mon(8, 20), mon(8, 32), mon(8, 33), mon(9, 13), "C1", "O1")),
        t("T5", "V5", b, "B1", Channel.kiosk, [ev(mon(9, 0), "issued", "waiting"), ev(mon(15, 0), "closed", "closed")]),
        t("T6", "V6", b, "B1", Channel.kiosk, [ev(mon(8, 2), "issued", "waiting"), ev(mon(8, 3), "voided", "closed")]),
    ]
    log = [CounterLogEntry("C1", "S", a, mon(8, 0), "open", "O1"), CounterLogEntry("C1", "S", a, mon(12, 0), "close"),
           CounterLogEntry("C2", "S", b, mon(8, 30), "open", "O2"), CounterLogEntry("C2", "S", b, mon(9, 30), "close")]
    bookings = [
        BookingFact("BK1", "S", a, "A2", MONDAY, mon(8, 30), "checked_in", mon(7, 0), mon(8, 30)),
        BookingFact("BK2", "S", a, "A1", MONDAY, mon(10, 0), "booked", mon(7, 0)),
        BookingFact("BK3", "S", b, "B1", MONDAY, mon(10, 30), "cancelled", mon(7, 0)),
    ]
    unsur = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
    surveys = [SurveyFact("T2", "S", a, "A1", mon(8, 15), dict.fromkeys(unsur, 4)),
               SurveyFact("T4", "S", a, "A1", mon(9, 20), dict.fromkeys(unsur, 3))]
    tue, wed, thu = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    complaints = [
        ComplaintFact("K1", "S", "dijawab", mon(9, 0), at(thu, 23, 59), a, "A1", verified_at=at(tue, 10),
                      due_at=at(MONDAY + timedelta(days=8), 23, 59), answered_at=at(wed, 14)),
        ComplaintFact("K2", "S", "diterima", mon(10, 0), at(thu, 23, 59)),
        ComplaintFact("K3", "S", "ditindaklanjuti", mon(11, 0), at(thu, 23, 59), b, None,
                      verified_at=mon(11, 30), due_at=at(wed, 23, 59)),
    ]
    applications = [
        ApplicationFact("P1", "S", a, "A1", mon(9, 15), due_at=at(thu, 23, 59), finished_at=at(wed, 10)),
        ApplicationFact("P2", "S", a, "A1", mon(9, 20), due_at=at(MONDAY + timedelta(days=4), 23, 59)),
        ApplicationFact("P3", "S", b, "B1", mon(9, 25)),
    ]
    return Facts(tickets=tickets, spans=counter_spans(log, TZ, AS_OF), bookings=bookings, surveys=surveys,
                 complaints=complaints, applications=applications)


AS_OF = at(MONDAY + timedelta(days=8), 12, 0)  # Tuesday of the next week, 12.00 WITA
