"""Hypothesis strategies: a site's raw ticket events (legal walks of the queue's state machine),
counter spans, bookings, surveys, complaints and applications over ten local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import strategies as st

from satupintu.oversight.facts import (
    ApplicationFact,
    BookingFact,
    ComplaintFact,
    CounterSpan,
    Facts,
    SurveyFact,
    TicketEventRecord,
    ticket_fact,
)
from satupintu.oversight.periods import local_day
from satupintu.queueing.policy import TRANSITIONS, Action, Channel, Priority, Status

from .helpers import MONDAY, TZ, at

AGENCIES = {"A": ("A1", "A2"), "B": ("B1",), "C": ("C1",)}
COUNTER = {"A": "KA", "B": "KB", "C": "KC"}
OFFICERS = ("O1", "O2", "O3")
KIND = {Action.call: "called", Action.recall: "recalled", Action.no_show: "no_show", Action.requeue: "requeued",
        Action.start: "serving", Action.finish: "finished", Action.refer: "referred", Action.hold: "held",
        Action.resume: "resumed", Action.close: "closed"}
UNSUR = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")
DAYS = 10


@dataclass
class RawTicket:
    ticket_id: str
    visit_id: str
    agency: str
    service: str
    channel: Channel
    priority: Priority
    events: list[TicketEventRecord]
    referred_from: str | None = None

    def fact(self):
        return ticket_fact(ticket_id=self.ticket_id, visit_id=self.visit_id, site_id="S", agency_id=self.agency,
                           service_id=self.service, channel=self.channel, priority=self.priority, events=self.events,
                           referred_from_agency_id=self.referred_from)


gaps = st.builds(lambda minutes, us: timedelta(minutes=minutes, microseconds=us),
                 st.integers(min_value=0, max_value=45), st.integers(min_value=0, max_value=59_999_999))
PROGRESS = (Action.call, Action.start, Action.finish, Action.refer)


@st.composite
def walk(draw, start: datetime, agency: str, voidable: bool) -> tuple[list[TicketEventRecord], bool]:
    """Events of one ticket from 'issued'; True at the end if it was referred on."""
    officer = draw(st.sampled_from(OFFICERS))
    counter = COUNTER[agency]
    events = [TicketEventRecord(start, "issued", "waiting")]
    if voidable and draw(st.integers(min_value=0, max_value=7)) == 0:
        events.append(TicketEventRecord(start + draw(gaps), "voided", "closed"))
        return events, False
    status, now = Status.waiting, start
    for _ in range(draw(st.integers(min_value=0, max_value=7))):
        legal = sorted((a for (s, a) in TRANSITIONS if s is status), key=lambda a: a.value)
        if not legal:
            break
        action = draw(st.sampled_from(legal + [a for a in legal if a in PROGRESS] * 4))
        now = now + draw(gaps)
        status = TRANSITIONS[(status, action)]
        at_counter = action not in (Action.requeue, Action.resume, Action.close)
        events.append(TicketEventRecord(now, KIND[action], status.value, counter if at_counter else None,
                                        officer if at_counter else None))
        if status in (Status.done, Status.referred, Status.closed):
            break
    return events, status is Status.referred


@st.composite
def raw_tickets(draw, max_visits: int = 18) -> list[RawTicket]:
    out: list[RawTicket] = []
    for v in range(draw(st.integers(min_value=0, max_value=max_visits))):
        day = MONDAY + timedelta(days=draw(st.integers(min_value=0, max_value=DAYS - 1)))
        issued = at(day, 7, 30) + timedelta(seconds=draw(st.integers(min_value=0, max_value=8 * 3600)),
                                            microseconds=draw(st.integers(min_value=0, max_value=999_999)))
        agency = draw(st.sampled_from(sorted(AGENCIES)))
        channel = draw(st.sampled_from([Channel.kiosk, Channel.reception, Channel.booking, Channel.mobile]))
        priority = draw(st.sampled_from(list(Priority)))
        referred_from = None
        for hop in range(3):
            service = draw(st.sampled_from(AGENCIES[agency]))
            events, referred = draw(walk(issued, agency, voidable=hop == 0))
            out.append(RawTicket(f"T{v}.{hop}", f"V{v}", agency, service, Channel.referral if hop else channel,
                                 priority, events, referred_from))
            if not referred:
                break
            referred_from, issued = agency, events[-1].at
            agency = draw(st.sampled_from(sorted(AGENCIES)))
    return out


@st.composite
def spans(draw, tickets: list[RawTicket]) -> list[CounterSpan]:
    out = []
    for day, agency in sorted({(local_day(t.events[0].at, TZ), t.agency) for t in tickets}):
        if draw(st.integers(min_value=0, max_value=3)):
            opened = at(day, 7) + timedelta(seconds=draw(st.integers(min_value=0, max_value=3 * 3600)))
            closed = at(day, 13) + timedelta(seconds=draw(st.integers(min_value=0, max_value=12 * 3600)))
            out.append(CounterSpan(COUNTER[agency], "S", agency, opened, closed, draw(st.sampled_from(OFFICERS))))
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        agency = draw(st.sampled_from(sorted(AGENCIES)))
        day = MONDAY + timedelta(days=draw(st.integers(min_value=0, max_value=DAYS - 1)))
        opened = at(day, 7) + timedelta(seconds=draw(st.integers(min_value=0, max_value=6 * 3600)))
        length = timedelta(seconds=draw(st.integers(min_value=1, max_value=20 * 3600)))  # may pass midnight
        closed = None if draw(st.integers(min_value=0, max_value=9)) == 0 else opened + length
        out.append(CounterSpan(COUNTER[agency], "S", agency, opened, closed, draw(st.sampled_from(OFFICERS))))
    return out


@st.composite
def others(draw, tickets: list[RawTicket]):
    """Bookings, surveys, complaints and applications around the same days."""
    def moment():
        day = MONDAY + timedelta(days=draw(st.integers(min_value=0, max_value=DAYS - 1)))
        return at(day, 8) + timedelta(seconds=draw(st.integers(min_value=0, max_value=10 * 3600)))

    def later(m):
        return m + timedelta(seconds=draw(st.integers(min_value=0, max_value=6 * 86400)))

    bookings = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        slot = moment()
        agency = draw(st.sampled_from(sorted(AGENCIES)))
        status = draw(st.sampled_from(["booked", "checked_in", "cancelled"]))
        bookings.append(BookingFact(f"BK{i}", "S", agency, AGENCIES[agency][0], local_day(slot, TZ), slot,
                                    status, slot - timedelta(days=1)))
    surveys = []
    for t in tickets:
        if t.events[-1].status == "done" and draw(st.booleans()):
            answers = {u: draw(st.integers(min_value=1, max_value=4)) for u in UNSUR}
            surveys.append(SurveyFact(t.ticket_id, "S", t.agency, t.service, t.events[-1].at, answers))
    complaints = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        received = moment()
        state = draw(st.sampled_from(["diterima", "diverifikasi", "ditolak", "didisposisikan", "ditindaklanjuti",
                                      "dijawab", "selesai"]))
        triaged = state != "diterima"
        verified = later(received) if triaged else None
        answered = later(verified) if state in ("dijawab", "selesai") and verified else None
        due = later(verified) if triaged and state != "ditolak" and verified else None
        agency = draw(st.sampled_from([None, *sorted(AGENCIES)]))
        complaints.append(ComplaintFact(f"K{i}", "S", state, received, later(received), agency, None, verified,
                                        due, answered))
    applications = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        received = moment()
        agency = draw(st.sampled_from(sorted(AGENCIES)))
        due = later(received) if draw(st.booleans()) else None
        finished = later(received) if draw(st.booleans()) else None
        applications.append(ApplicationFact(f"P{i}", "S", agency, AGENCIES[agency][0], received, due, finished))
    return bookings, surveys, complaints, applications


@st.composite
def site_facts(draw) -> tuple[list[RawTicket], Facts]:
    raw = draw(raw_tickets())
    bookings, surveys, complaints, applications = draw(others(raw))
    return raw, Facts(tickets=[t.fact() for t in raw], spans=draw(spans(raw)), bookings=bookings, surveys=surveys,
                      complaints=complaints, applications=applications)
