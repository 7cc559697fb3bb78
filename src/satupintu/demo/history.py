"""A few weeks of the demo mall's past: served visits, SKM answers and complaints.

Without a history every report page of a freshly loaded demo is empty. This writes what the
queue, the survey and the complaint desk would have written over the site's last
`PAST_DAYS` working days (weekends and the site's closed dates skipped, in its time zone):
per day and agency a seeded random number of visitors, each a Visit and a Ticket numbered
per letter and day as the queue numbers them (TicketSequence holds the day's last number),
with its TicketEvents (issued, called at a counter serving the service, serving, finished;
each counter's opening and closing in the audit log, as an officer's open/close writes it;
a few no-shows; the tickets still open at closing time closed by the day's close, as
queueing.day.close_day does). About 30% of the served tickets have an SKM answer. Today is
left untouched, so today's numbering starts at 1.

Rows are inserted in bulk (one executemany per table) so the demo loads in seconds; the
complaints go through the complaint service and are then dated back.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select

from ..audit import AuditEntry
from ..catalogue.models import Agency, Counter, CounterStatus, OpeningHours, Service, Site, SiteClosure, TimeUnit
from ..db import Database
from ..feedback import complaint_service
from ..feedback.complaint_schemas import ComplaintIn, StepIn
from ..feedback.complaints import DEFAULT_DAYS, VERIFY_DAYS, Kind, Privacy, Severity, Step
from ..feedback.models import Complaint, ComplaintEvent, SurveyResponse
from ..feedback.schemas import EDUCATION, OCCUPATION
from ..feedback.service import CURRENT
from ..feedback.skm import KEYS
from ..ids import new_id
from ..queueing.models import DayClose, QueueSettings, Ticket, TicketEvent, TicketSequence, Visit
from ..queueing.policy import Channel, Priority, Status, format_number
from ..scope import SYSTEM
from ..staffing.arrivals import PEAK_PROFILE
from ..timeutil import utcnow
from ..workdays import due_at, is_working_day

PAST_DAYS = 15
# Share of the day's visitors per agency (Dukcapil draws the crowd, as in most malls).
WEIGHTS = {"DUKCAPIL": 34, "DPMPTSP": 16, "SAMSAT": 12, "BPJS": 10, "DINKES": 8, "DINSOS": 8, "DPAD": 6, "BSB": 6}
CLOSE_REASON = "Hari layanan berakhir; nomor belum terlayani ditutup otomatis."
KIOSK_LABEL = "Anjungan Lantai 1 (demo)"
SYSTEM_LABEL = "sistem"
SUGGESTIONS = (
    "Petugas ramah dan cepat, terima kasih.",
    "Mohon ditambah kursi di ruang tunggu lantai 1.",
    "AC di ruang tunggu kurang dingin saat siang.",
    "Pelayanan sudah baik, semoga dipertahankan.",
    "Informasi persyaratan sebaiknya dipasang lebih jelas di depan loket.",
    "Antrean Dukcapil pagi hari cukup panjang, mohon tambah loket.",
    "Parkir motor penuh, mohon diatur lebih rapi.",
    "Layar panggil kadang terlambat menampilkan nomor.",
)
T = cast(Table, Ticket.__table__)
E = cast(Table, TicketEvent.__table__)
V = cast(Table, Visit.__table__)
Q = cast(Table, TicketSequence.__table__)
R = cast(Table, SurveyResponse.__table__)
D = cast(Table, DayClose.__table__)
A = cast(Table, AuditEntry.__table__)
DESK_LABEL = "petugas (riwayat demo)"


@dataclass(frozen=True)
class _Service:
    id: uuid.UUID
    code: str
    prefix: str
    minutes: float  # typical time at the counter


@dataclass
class _Desk:
    id: uuid.UUID
    services: set[uuid.UUID]
    free_at: datetime


def past_working_days(today: date, closed: set[date], hours: dict[int, tuple[time, time]],
                      n: int = PAST_DAYS) -> list[date]:
    """The site's last n working days before today, oldest first: open by its weekly hours, not
    a closed date (holidays and closures the site entered), not a national day off."""
    days: list[date] = []
    day = today
    while len(days) < n:
        day -= timedelta(days=1)
        if day.weekday() in hours and day not in closed and is_working_day(day, closed):
            days.append(day)
    return days[::-1]


def counter_minutes(time_value: int | None, time_unit: TimeUnit | None) -> float:
    """Time at the counter: the standard when it is counted in minutes (capped: the rest is back
    office), else a quarter of an hour to take in an application finished on a later day."""
    if time_unit is TimeUnit.minutes and time_value:
        return float(min(time_value, 25))
    return 12.0


def load_history(db: Database, site_code: str, days: int = PAST_DAYS, visitors: tuple[int, int] = (60, 150),
                 complaints: bool = True) -> None:
    """Write the site's past working days of queue, SKM and complaints (see the module docstring).
    `days` and `visitors` (a day's range, Mondays 30 more) make a bigger past for benchmarks; rows
    go in by batches of 20 days."""
    with db.read() as s:
        site = s.scalars(select(Site).where(Site.code == site_code)).one()
        site_id, zone = site.id, ZoneInfo(site.timezone)
        hours = {h.weekday: (h.opens, h.closes)
                 for h in s.scalars(select(OpeningHours).where(OpeningHours.site_id == site_id))}
        closed = set(s.scalars(select(SiteClosure.on_date).where(SiteClosure.site_id == site_id)))
        agencies = {a.id: a.code for a in s.scalars(select(Agency).where(Agency.site_id == site_id))}
        services: dict[uuid.UUID, _Service] = {}
        for svc, prefix in s.execute(select(Service, QueueSettings.prefix)
                                     .join(QueueSettings, QueueSettings.service_id == Service.id)
                                     .where(Service.site_id == site_id)):
            services[svc.id] = _Service(svc.id, svc.code, prefix, counter_minutes(svc.time_value, svc.time_unit))
        desks: dict[str, list[tuple[uuid.UUID, set[uuid.UUID]]]] = defaultdict(list)
        for c in s.scalars(select(Counter).where(Counter.site_id == site_id, Counter.status == CounterStatus.open)
                           .order_by(Counter.number)):
            desks[agencies[c.agency_id]].append((c.id, {svc.id for svc in c.services}))
    today = datetime.now(zone).date()
    past = past_working_days(today, closed, hours, days)
    for first in range(0, len(past), 20):
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for day in past[first:first + 20]:
            _one_day(rows, site_code, site_id, zone, day, hours[day.weekday()], desks, services, visitors)
        with db.write() as s:
            conn = s.connection()
            for table in (V, T, E, Q, R, D, A):
                if rows[table.name]:
                    conn.execute(insert(table), rows[table.name])
    if complaints:
        _complaints(db, site_code, zone, past, closed)


def _one_day(rows: dict[str, list[dict[str, Any]]], seed: str, site_id: uuid.UUID, zone: ZoneInfo, day: date,
             hours: tuple[time, time], desks: dict[str, list[tuple[uuid.UUID, set[uuid.UUID]]]],
             services: dict[uuid.UUID, _Service], visitors: tuple[int, int] = (60, 150)) -> None:
    rng = random.Random(f"satupintu-demo:{seed}:{day.isoformat()}")
    opens = datetime.combine(day, hours[0], zone).astimezone(UTC)
    closes = datetime.combine(day, hours[1], zone).astimezone(UTC)
    last_call = closes - timedelta(minutes=10)
    total = rng.randint(*visitors) + (30 if day.weekday() == 0 else 0)  # Mondays are busier
    closed_tickets = 0
    for agency, share in WEIGHTS.items():
        counters = desks.get(agency, [])
        offered = sorted({sid for _, served in counters for sid in served if sid in services},
                         key=lambda sid: services[sid].code)
        if not offered:
            continue
        n = max(1, round(total * share / sum(WEIGHTS.values()) * rng.uniform(0.8, 1.2)))
        arrivals = sorted(_arrival(rng, opens, closes, hours[0].hour) for _ in range(n))
        open_desks = [_Desk(cid, served, opens + timedelta(minutes=rng.uniform(0, 8))) for cid, served in counters]
        for desk in open_desks:  # each desk opened by its officer and closed at closing time, as the audit log says
            for at, action in ((desk.free_at, "counter.open"), (closes, "counter.close")):
                rows[A.name].append({"id": new_id(), "at": at, "actor_id": None, "actor_label": DESK_LABEL,
                                     "action": action, "entity_type": "counter", "entity_id": desk.id,
                                     "site_id": site_id, "before": None, "after": None})
        seq_by_prefix: dict[str, int] = defaultdict(int)
        for issued in arrivals:
            svc = services[rng.choice(offered)]
            seq_by_prefix[svc.prefix] += 1
            closed_tickets += _one_ticket(rows, rng, site_id, day, svc, seq_by_prefix[svc.prefix], issued,
                                          last_call, closes, open_desks, agency)
        for prefix, last in seq_by_prefix.items():
            rows[Q.name].append({"site_id": site_id, "prefix": prefix, "local_date": day, "last": last})
    rows[D.name].append({"site_id": site_id, "local_date": day, "closed_at": closes + timedelta(minutes=30),
                         "automatic": True, "closed_by": SYSTEM_LABEL, "reason": CLOSE_REASON,
                         "closed_tickets": closed_tickets})


def _arrival(rng: random.Random, opens: datetime, closes: datetime, opening_hour: int) -> datetime:
    """When a visitor takes a number: the MPP early-morning peak (staffing's PEAK_PROFILE); who
    queued before opening gets a number in the first minutes."""
    hour = rng.choices(list(PEAK_PROFILE), weights=list(PEAK_PROFILE.values()))[0]
    if hour < opening_hour:
        return opens + timedelta(seconds=rng.uniform(0, 600))
    at = opens + timedelta(hours=hour - opening_hour, seconds=rng.uniform(0, 3600))
    return min(at, closes - timedelta(minutes=20))


def _event(rows: dict[str, list[dict[str, Any]]], ticket_id: uuid.UUID, at: datetime, kind: str, status: Status,
           actor: str, counter_id: uuid.UUID | None = None, data: dict[str, Any] | None = None) -> None:
    rows[E.name].append({"id": new_id(), "ticket_id": ticket_id, "at": at, "kind": kind, "status": status.value,
                         "actor_label": actor, "actor_id": None, "counter_id": counter_id, "data": data})


def _one_ticket(rows: dict[str, list[dict[str, Any]]], rng: random.Random, site_id: uuid.UUID, day: date,
                svc: _Service, seq: int, issued: datetime, last_call: datetime, closes: datetime,
                desks: list[_Desk], agency: str) -> int:
    """One visitor's ticket and its events; 1 when the day's close closed it unserved."""
    priority = rng.choices(list(Priority), weights=(88, 6, 2, 2, 2))[0]
    channel = Channel.kiosk if rng.random() < 0.85 else Channel.reception
    visit_id, ticket_id = new_id(), new_id()
    officer = f"petugas.{agency.lower()}"
    rows[V.name].append({"id": visit_id, "site_id": site_id, "created_at": issued, "priority": priority})
    ticket: dict[str, Any] = {
        "id": ticket_id, "site_id": site_id, "visit_id": visit_id, "service_id": svc.id, "prefix": svc.prefix,
        "local_date": day, "seq": seq, "number": format_number(svc.prefix, seq), "channel": channel,
        "priority": priority, "is_priority": priority is not Priority.none, "status": Status.waiting,
        "ready_at": issued, "issued_at": issued, "called_at": None, "serving_at": None, "finished_at": None,
        "counter_id": None, "recall_count": 0, "booking_id": None, "referred_from_id": None, "note": "",
        "closed_reason": "", "idempotency_key": None}
    rows[T.name].append(ticket)
    _event(rows, ticket_id, issued, "issued", Status.waiting, KIOSK_LABEL if channel is Channel.kiosk else officer,
           data={"channel": channel.value, "priority": priority.value})
    serving = [d for d in desks if svc.id in d.services]
    desk = min(serving, key=lambda d: d.free_at)
    called = max(issued + timedelta(seconds=rng.uniform(20, 90)), desk.free_at)
    if called > last_call:  # still waiting when the day closed
        ticket.update(status=Status.closed, closed_reason=CLOSE_REASON)
        _event(rows, ticket_id, closes + timedelta(minutes=30), "closed", Status.closed, SYSTEM_LABEL,
               data={"reason": CLOSE_REASON})
        return 1
    ticket.update(called_at=called, counter_id=desk.id)
    _event(rows, ticket_id, called, "called", Status.called, officer, desk.id)
    if rng.random() < 0.04:  # not there when called: the counter moves on; the day's close ends it
        gone = called + timedelta(minutes=rng.uniform(2, 4))
        desk.free_at = gone
        ticket.update(status=Status.closed, closed_reason=CLOSE_REASON)
        _event(rows, ticket_id, gone, "no_show", Status.no_show, officer, desk.id)
        _event(rows, ticket_id, closes + timedelta(minutes=30), "closed", Status.closed, SYSTEM_LABEL,
               data={"reason": CLOSE_REASON})
        return 1
    start = called + timedelta(seconds=rng.uniform(30, 150))
    minutes = max(3.0, rng.gauss(svc.minutes, svc.minutes * 0.3))
    finished = min(start + timedelta(minutes=minutes), closes)
    desk.free_at = finished + timedelta(seconds=rng.uniform(15, 60))
    ticket.update(status=Status.done, serving_at=start, finished_at=finished)
    _event(rows, ticket_id, start, "serving", Status.serving, officer, desk.id)
    _event(rows, ticket_id, finished, "finished", Status.done, officer, desk.id)
    if rng.random() < 0.3:
        _survey(rows, rng, site_id, day, svc, ticket_id, finished)
    return 0


def _survey(rows: dict[str, list[dict[str, Any]]], rng: random.Random, site_id: uuid.UUID, day: date,
            svc: _Service, ticket_id: uuid.UUID, finished: datetime) -> None:
    """One SKM answer, mostly 3-4 (services here are free: 'biaya' mostly 4), a few 2."""
    answers = {key: (4 if key == "biaya" and rng.random() < 0.9 else rng.choices((2, 3, 4), weights=(8, 52, 40))[0])
               for key in KEYS[CURRENT]}
    rows[R.name].append({
        "id": new_id(), "site_id": site_id, "service_id": svc.id, "ticket_id": ticket_id,
        "submitted_at": finished + timedelta(minutes=rng.uniform(1, 10)), "local_date": day,
        "regulation": CURRENT.value, "answers": answers,
        "age": rng.randint(17, 68) if rng.random() < 0.95 else None,
        "sex": rng.choice(("L", "P")) if rng.random() < 0.97 else None,
        "education": rng.choices(EDUCATION, weights=(8, 14, 40, 12, 22, 3, 1))[0] if rng.random() < 0.93 else None,
        "occupation": rng.choices(OCCUPATION, weights=(12, 2, 2, 25, 30, 12, 17))[0] if rng.random() < 0.93 else None,
        "suggestion": rng.choice(SUGGESTIONS) if rng.random() < 0.18 else "",
        "channel": rng.choice(("kiosk", "qr", "link"))})


# (working days ago, the complaint, the steps taken: (step, hours after filing, extra fields))
COMPLAINTS: tuple[tuple[int, dict[str, Any], tuple[tuple[Step, float, dict[str, Any]], ...]], ...] = (
    (1, {"title": "Nomor antrean terlewat saat saya ke toilet",
         "body": "Nomor saya dipanggil saat saya ke toilet dan langsung dilewati. Mohon ada panggilan ulang.",
         "reporter_name": "Rahmat (demo)", "service": "DKC-01"}, ()),
    (3, {"kind": Kind.aspiration, "title": "Usul loket khusus lansia di Dukcapil",
         "body": "Orang tua saya harus menunggu lama. Mohon disediakan loket khusus lansia dan disabilitas.",
         "reporter_name": "Siti Aminah (demo)", "service": "DKC-02"},
     ((Step.verify, 20, {"severity": Severity.normal}),)),
    # Urgent (2 working days) from the day before yesterday: due at the end of today, so "due soon".
    (2, {"title": "Printer KTP-el rusak, harus kembali besok",
         "body": "Saya diminta datang lagi karena printer KTP-el rusak. Kapan printer diperbaiki?",
         "reporter_name": "Budi Santoso (demo)", "service": "DKC-01"},
     ((Step.verify, 3, {"severity": Severity.urgent}), (Step.assign, 4, {"agency": "DUKCAPIL"}))),
    # High (5 working days) from 11 working days ago, followed up but not answered: overdue.
    (11, {"title": "Berkas izin usaha belum ada kabar",
          "body": "Berkas PBG saya sudah lengkap sejak dua minggu lalu tetapi belum ada kabar dari petugas.",
          "reporter_name": "Hendra (demo)", "service": "DPM-02"},
     ((Step.verify, 5, {"severity": Severity.high}), (Step.assign, 6, {"agency": "DPMPTSP"}),
      (Step.follow_up, 30, {"note": "Berkas sedang diperiksa tim teknis."}))),
    (7, {"privacy": Privacy.anonymous, "title": "Petugas meminta uang tambahan",
         "body": "Ada oknum di luar loket yang menawarkan jasa mempercepat pengurusan dengan bayaran.",
         "service": "SAM-01"},
     ((Step.verify, 2, {"severity": Severity.urgent}), (Step.assign, 3, {"agency": "SAMSAT"}),
      (Step.answer, 26, {"note": "Terima kasih. Petugas keamanan sudah menertibkan calo di area parkir; pelayanan "
                                 "di loket tanpa biaya tambahan."}))),
    (12, {"title": "AC ruang tunggu mati",
          "body": "AC di ruang tunggu lantai 1 mati sejak pagi sehingga sangat panas.",
          "reporter_name": "Dewi Lestari (demo)"},
     ((Step.verify, 1, {"severity": Severity.normal}), (Step.assign, 2, {"agency": "DPMPTSP"}),
      (Step.answer, 24, {"note": "AC sudah diperbaiki oleh teknisi pada hari berikutnya."}),
      (Step.close, 72, {"note": "Pelapor tidak menanggapi; pengaduan ditutup."}))),
    (9, {"kind": Kind.information, "title": "Jadwal pelayanan bergerak di kecamatan",
         "body": "Kapan pelayanan bergerak akan datang ke Kecamatan Merapi Barat?",
         "reporter_name": "Yusuf (demo)"},
     ((Step.not_authority, 4, {"note": "Jadwal ditetapkan oleh Dinas Dukcapil; silakan menghubungi kantor "
                                       "Dukcapil."}),)),
    (6, {"title": "Tes tes tes",
         "body": "tes pengaduan tes pengaduan", "reporter_name": "Anon (demo)"},
     ((Step.reject, 2, {"note": "Isi pengaduan tidak dapat ditindaklanjuti."}),)),
)


def _complaints(db: Database, site_code: str, zone: ZoneInfo, days: list[date],
                closed: set[date]) -> None:
    """Filed and moved through the complaint service (the SYSTEM actor takes the manager's and
    the agency's steps), then dated back to when they happened, deadlines recomputed from then."""
    moved: list[tuple[uuid.UUID, datetime, list[float]]] = []
    for ago, fields, steps in COMPLAINTS:
        created = complaint_service.file_complaint(db, site_code, ComplaintIn.model_validate(fields), "web")
        with db.read() as s:
            complaint_id = s.scalars(select(Complaint.id)
                                     .where(Complaint.tracking_code == created.tracking_code)).one()
        for step, _, extra in steps:
            complaint_service.take_step(db, SYSTEM, site_code, complaint_id, StepIn(step=step, **extra))
        day = days[-ago] if ago <= len(days) else days[0]
        received = datetime.combine(day, time(9, 15), zone).astimezone(UTC) + timedelta(minutes=7 * ago)
        moved.append((complaint_id, received, [hours for _, hours, _ in steps]))
    now = utcnow()
    with db.write() as s:
        for complaint_id, received, offsets in moved:
            c = s.get(Complaint, complaint_id)
            assert c is not None
            events = s.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
                               .order_by(ComplaintEvent.at, ComplaintEvent.id)).all()
            times = [received] + [min(received + timedelta(hours=h), now) for h in offsets]
            for event, at in zip(events, times, strict=True):
                event.at = at
                if event.step == Step.verify.value:
                    c.due_at = due_at(at, DEFAULT_DAYS[Severity(c.severity)], str(zone), closed)
                elif event.step == Step.answer.value:
                    c.answered_at = at
                elif event.step == Step.close.value:
                    c.closed_at = at
            c.received_at = received
            c.verify_due_at = due_at(received, VERIFY_DAYS, str(zone), closed)
