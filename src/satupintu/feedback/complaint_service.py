"""Complaint use cases: file, follow by tracking code, move through the SP4N-LAPOR! flow
with working-day deadlines, escalate what is overdue, export for SP4N-LAPOR!."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import domain_events, exports, handovers
from ..catalogue import queries as catalogue
from ..catalogue.queries import SiteFacts
from ..db import Database
from ..errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from ..events import LocalBus
from ..privacy import mask_contact, mask_personal_data
from ..scope import Actor, SiteRef, can_manage_agency, can_manage_site, can_read_site
from ..text import text_problem
from ..timeutil import to_local, utcnow
from ..workdays import due_at
from . import complaints as rules
from .complaint_schemas import (
    AgencyOption,
    AttachmentOut,
    ComplaintDesk,
    ComplaintIn,
    ComplaintView,
    Created,
    EventView,
    ReporterStepIn,
    StepIn,
)
from .complaints import Privacy, Severity, State, Step
from .models import Complaint, ComplaintAttachment, ComplaintEvent, ComplaintSettings

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ANONYMOUS = "Anonim"
REPORTER = "pelapor"  # the actor label of the reporter's own steps


def _closed_dates(s: Session, site_id: uuid.UUID) -> list[date]:
    return catalogue.closed_dates(s, [site_id])


def _days_for(s: Session, site_id: uuid.UUID, severity: Severity) -> int:
    custom = s.get(ComplaintSettings, (site_id, severity.value))
    return custom.days if custom else rules.DEFAULT_DAYS[severity]


def _ref(site: SiteFacts) -> SiteRef:
    return site.ref


def _site_of(s: Session, c: Complaint) -> SiteFacts:
    site = catalogue.site(s, c.site_id)
    assert site is not None, "a complaint's site is never deleted"
    return site


def _checked_attachment(filename: str, data: bytes, field: str = "file") -> tuple[str, str, bytes]:
    """(extension, content type, data) of a whole PNG, JPEG or PDF of at most 5 MB, checked by parsing it.
    The uploaded name only names the file in an error; it is never stored."""
    problem = text_problem(filename or "")
    if problem:
        raise ValidationFailed([FieldError(field, f"Nama berkas lampiran {problem}.", "control_character")])
    label = (filename or "lampiran")[:100]
    if len(data) > rules.MAX_ATTACHMENT_BYTES:
        raise ValidationFailed([FieldError(field, f"Lampiran '{label}' terlalu besar (maksimal 5 MB).")])
    content_type = rules.attachment_type(data)
    if content_type is None:
        raise ValidationFailed([FieldError(field, f"Lampiran '{label}' harus berupa gambar PNG/JPEG atau PDF "
                                                  "yang utuh.")])
    return rules.EXTENSIONS[content_type], content_type, data


def _store_attachment(s: Session, complaint_id: uuid.UUID, checked: tuple[str, str, bytes],
                      number: int) -> ComplaintAttachment:
    _, content_type, data = checked
    a = ComplaintAttachment(complaint_id=complaint_id, filename=rules.attachment_name(number, content_type),
                            content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            data=data)
    s.add(a)
    return a


def file_complaint(db: Database, site_code: str, data: ComplaintIn, channel: str,
                   actor: Actor | None = None, attachments: list[tuple[str, bytes]] | None = None) -> Created:
    """From the kiosk, the public form, the API, or an officer entering it for a visitor.
    Attachments given here are checked first and stored with the complaint, all or nothing."""
    files = attachments or []
    if len(files) > rules.MAX_ATTACHMENTS:
        raise ValidationFailed([FieldError("attachments", f"Paling banyak {rules.MAX_ATTACHMENTS} lampiran per "
                                                          "pengaduan.")])
    checked = [_checked_attachment(name, content, "attachments") for name, content in files]
    if data.privacy is not Privacy.anonymous and not data.reporter_name.strip():
        raise ValidationFailed([FieldError("reporter_name", "Isi nama pelapor, atau pilih kerahasiaan 'anonim'.",
                                           "required")])
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if channel == "officer" and (actor is None or not can_read_site(actor, _ref(site))):
            raise Forbidden()
        service_id = None
        if data.service:
            svc = catalogue.service_by_code(s, site.home_id, data.service.upper())
            if svc is None:
                raise NotFound(f"Layanan '{data.service}'", "service")
            service_id = svc.id
        now = utcnow()
        code = "ADU-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        c = Complaint(id=uuid.uuid4(), site_id=site.id, tracking_code=code, channel=channel, kind=data.kind.value,
                      privacy=data.privacy.value, severity=Severity.normal.value, title=data.title, body=data.body,
                      reporter_name=data.reporter_name, reporter_contact=data.reporter_contact,
                      service_id=service_id, state=State.received.value, received_at=now,
                      verify_due_at=due_at(now, rules.VERIFY_DAYS, site.timezone, _closed_dates(s, site.id)),
                      answer="", reason="")
        s.add(c)
        s.flush()
        s.add(ComplaintEvent(complaint_id=c.id, at=now, actor_label=actor.label if actor else REPORTER,
                             step="file", from_state="", to_state=c.state, note="", public=True))
        for number, item in enumerate(checked, 1):
            _store_attachment(s, c.id, item, number)
        domain_events.record(s, "complaint.received", site_id=site.id, entity=f"complaint:{c.id}",
                             agency_id=c.agency_id,
                             data={"site": site.code, "complaint_id": str(c.id), "status": c.state,
                                   "at": now.isoformat()})
        return Created(tracking_code=code, message="Pengaduan diterima. Simpan kode pelacakan ini untuk "
                                                   "mengikuti tindak lanjutnya.")


def _view(s: Session, c: Complaint, site: SiteFacts, show_identity: bool, show_tracking: bool,
          internal: bool, audience: str = "staff") -> ComplaintView:
    """The complaint as one audience may see it. `audience`: "staff" (the text as written),
    "reporter" (by tracking code: their own words in full, what others wrote masked) or
    "public" (every free text masked, see privacy.py)."""
    agency = catalogue.agency(s, c.agency_id) if c.agency_id else None
    events = s.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)
                       .order_by(ComplaintEvent.at, ComplaintEvent.id)).all()
    now = utcnow()
    state = State(c.state)
    due = c.due_at if state not in (State.received,) else c.verify_due_at
    t = rules.timing(state, due, now)
    anonymous = c.privacy == Privacy.anonymous.value
    own, others = _text_for(audience)
    files = []
    if internal:
        files = [AttachmentOut(id=a.id, filename=rules.download_name(a.filename, a.content_type),
                               content_type=a.content_type, size=a.size)
                 for a in s.execute(select(ComplaintAttachment.id, ComplaintAttachment.filename,
                                           ComplaintAttachment.content_type, ComplaintAttachment.size)
                                    .where(ComplaintAttachment.complaint_id == c.id)
                                    .order_by(ComplaintAttachment.uploaded_at, ComplaintAttachment.filename))]
    open_ = state in rules.OPEN
    return ComplaintView(
        id=c.id if internal else None, tracking_code=c.tracking_code if show_tracking else None, site=site.code,
        kind=rules.Kind(c.kind), privacy=Privacy(c.privacy), severity=Severity(c.severity), title=own(c.title),
        body=own(c.body),
        reporter_name=c.reporter_name if show_identity else (ANONYMOUS if anonymous else None),
        reporter_contact=mask_contact(c.reporter_contact) if show_identity else None,
        agency=agency.name if agency else None, state=state, state_label=rules.STATE_LABELS[state][0],
        received_at=c.received_at, verify_due_at=c.verify_due_at, due_at=c.due_at, answer=others(c.answer),
        reason=others(c.reason), overdue=t.overdue, due_soon=t.due_soon, escalated=c.escalated_at is not None,
        handed_over=internal and handovers.is_handed_over(s, "complaints", c.id),
        deadline_at=due if open_ else None,
        deadline_kind=("verify" if state is State.received else "follow_up") if open_ and due else None,
        attachments=files,
        events=[EventView(at=e.at, step=e.step, state=State(e.to_state),
                          note=(own if e.actor_label == REPORTER else others)(e.note),
                          by=e.actor_label if internal else ("Pelapor" if e.actor_label == REPORTER else "Petugas"))
                for e in events if internal or e.public],
    )


def _as_written(text: str) -> str:
    return text


def _text_for(audience: str) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """How the reporter's own words and everyone else's are shown to this audience."""
    if audience == "staff":
        return _as_written, _as_written
    if audience == "reporter":
        return _as_written, mask_personal_data
    return mask_personal_data, mask_personal_data


def _identity_visible(actor: Actor | None, site: SiteFacts, c: Complaint) -> bool:
    """Who may see who filed it: the site's managers; for an anonymous report, nobody else."""
    if actor is None:
        return False
    if can_manage_site(actor, _ref(site)):
        return True
    return c.privacy == Privacy.normal.value and can_read_site(actor, _ref(site))


def track(db: Database, code: str) -> ComplaintView:
    """The reporter's page: the complaint and its public steps, by tracking code, no login."""
    with db.read() as s:
        c = s.scalar(select(Complaint).where(Complaint.tracking_code == code.strip().upper()))
        if c is None:
            raise NotFound("Pengaduan dengan kode tersebut", "code")
        return _view(s, c, _site_of(s, c), show_identity=False, show_tracking=True, internal=False,
                     audience="reporter")


def public_list(db: Database, site_code: str, limit: int = 50) -> list[ComplaintView]:
    """Complaints the public may read: only once verified (SP4N-LAPOR! practice), never
    'rahasia', never who filed them, no tracking codes, personal data in the text masked."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        rows = s.scalars(select(Complaint).where(Complaint.site_id == site.id,
                                                 Complaint.privacy != Privacy.secret.value,
                                                 Complaint.state.in_([st.value for st in rules.PUBLISHED]))
                         .order_by(Complaint.received_at.desc()).limit(limit)).all()
        return [_view(s, c, site, show_identity=False, show_tracking=False, internal=False, audience="public")
                for c in rows]


def staff_list(db: Database, actor: Actor, site_code: str, only: str | None = None) -> list[ComplaintView]:
    """For staff: all of the site's complaints (an agency's own when the actor is agency staff);
    `only` = 'overdue' | 'due_soon' | 'open'."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        q = select(Complaint).where(Complaint.site_id == site.id)
        if not can_manage_site(actor, _ref(site)):
            q = q.where(Complaint.agency_id == actor.agency_id)
        rows = s.scalars(q.order_by(Complaint.received_at)).all()
        views = [_view(s, c, site, _identity_visible(actor, site, c), True, True) for c in rows]
    if only == "overdue":
        return [v for v in views if v.overdue]
    if only == "due_soon":
        return [v for v in views if v.due_soon]
    if only == "open":
        return [v for v in views if v.state in rules.OPEN]
    return views


def desk(db: Database, actor: Actor, site_code: str, only: str | None = None) -> ComplaintDesk:
    """The staff complaint desk page: the complaints as `staff_list` gives them (with their
    attachments and the deadline that applies now), the agencies to assign to, and whether this
    actor may export the site's complaints for SP4N-LAPOR! (the site's managers)."""
    only = only if only in ("overdue", "due_soon", "open") else None
    complaints = staff_list(db, actor, site_code, only)
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        by_name = sorted(catalogue.site_agencies(s, site.home_id), key=lambda a: a.name)
        agencies = [AgencyOption(code=a.code, name=a.name) for a in by_name]
        return ComplaintDesk(site=site.code, site_name=site.name, timezone=site.timezone, only=only,
                             complaints=complaints, agencies=agencies,
                             can_export=can_manage_site(actor, _ref(site)))


def take_step(db: Database, actor: Actor, site_code: str, complaint_id: uuid.UUID, data: StepIn) -> ComplaintView:
    if data.step in rules.NEEDS_REASON and not data.note.strip():
        raise ValidationFailed([FieldError("note", "Langkah ini memerlukan alasan atau jawaban tertulis.",
                                           "required")])
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        c = s.get(Complaint, complaint_id, with_for_update=True)
        if c is None or c.site_id != site.id:
            raise NotFound("Pengaduan", "complaint")
        handovers.check_editable(s, "complaints", c.id, "step")  # at a unit: the centre works it now
        state = State(c.state)
        try:
            to, party = rules.next_state(state, data.step)
        except rules.IllegalStep:
            label = rules.STATE_LABELS[state][0].lower()
            raise Conflict("illegal_transition", f"Pengaduan berstatus '{label}' tidak dapat diproses dengan "
                                                 f"langkah '{data.step.value}'.", "step") from None
        if party == "reporter":
            raise Forbidden("Langkah ini hanya dapat diambil oleh pelapor.")
        if party == "manager" and not can_manage_site(actor, _ref(site)):
            raise Forbidden("Langkah ini dilakukan oleh pengelola MPP.")
        if party == "agency":
            manages = c.agency_id is not None and can_manage_agency(actor, _ref(site), c.agency_id)
            works_there = (c.agency_id is not None and actor.agency_id == c.agency_id
                           and can_read_site(actor, _ref(site)))
            if not (manages or works_there):
                raise Forbidden("Langkah ini dilakukan oleh instansi yang ditugasi.")
        now = utcnow()
        if data.step is Step.verify:
            severity = data.severity or Severity.normal
            c.severity = severity.value
            c.due_at = due_at(now, _days_for(s, site.id, severity), site.timezone, _closed_dates(s, site.id))
        elif data.step is Step.assign:
            if not data.agency:
                raise ValidationFailed([FieldError("agency", "Pilih instansi yang menindaklanjuti.", "required")])
            agency = catalogue.agency_by_code(s, site.home_id, data.agency.upper())
            if agency is None:
                raise NotFound(f"Instansi '{data.agency}'", "agency")
            c.agency_id = agency.id
        elif data.step in (Step.reject, Step.not_authority):
            c.reason = data.note
        elif data.step is Step.answer:
            c.answer, c.answered_at = data.note, now
        elif data.step is Step.close:
            c.closed_at = now
        s.add(ComplaintEvent(complaint_id=c.id, at=now, actor_label=actor.label, step=data.step.value,
                             from_state=c.state, to_state=to.value, note=data.note, public=True))
        c.state = to.value
        if data.step is Step.answer:
            domain_events.record(s, "complaint.answered", site_id=site.id, entity=f"complaint:{c.id}",
                                 agency_id=c.agency_id,
                                 data={"site": site.code, "complaint_id": str(c.id), "status": c.state,
                                       "at": now.isoformat()})
        s.flush()
        return _view(s, c, site, _identity_visible(actor, site, c), True, True)


def reporter_step(db: Database, code: str, data: ReporterStepIn) -> ComplaintView:
    """The reporter, holding the tracking code, responds to an answer or reopens within the window."""
    with db.write() as s:
        c = s.scalar(select(Complaint).where(Complaint.tracking_code == code.strip().upper()).with_for_update())
        if c is None:
            raise NotFound("Pengaduan dengan kode tersebut", "code")
        handovers.check_editable(s, "complaints", c.id, "step")
        now = utcnow()
        state = State(c.state)
        to = state
        if data.step == "reopen":
            try:
                to, _ = rules.next_state(state, Step.reopen)
            except rules.IllegalStep:
                raise Conflict("illegal_transition", "Pengaduan hanya dapat dibuka kembali setelah dijawab.",
                               "step") from None
            if not rules.can_reopen(c.closed_at or c.answered_at, now):
                raise Conflict("reopen_window", "Batas waktu membuka kembali pengaduan (10 hari) sudah lewat.",
                               "step")
        s.add(ComplaintEvent(complaint_id=c.id, at=now, actor_label=REPORTER, step=data.step,
                             from_state=c.state, to_state=to.value, note=data.note, public=True))
        c.state = to.value
        s.flush()
        return _view(s, c, _site_of(s, c), False, True, False, audience="reporter")


def escalate_overdue(db: Database, bus: LocalBus | None = None) -> int:
    """Mark overdue open complaints as escalated to their site manager (once each)."""
    now = utcnow()
    events = []
    with db.write() as s:
        rows = s.scalars(select(Complaint).where(Complaint.state.in_([st.value for st in rules.OPEN]),
                                                 Complaint.escalated_at.is_(None))).all()
        count = 0
        for c in rows:
            due = c.verify_due_at if c.state == State.received.value else c.due_at
            if due is not None and now >= due:
                c.escalated_at = now
                s.add(ComplaintEvent(complaint_id=c.id, at=now, actor_label="sistem", step="escalate",
                                     from_state=c.state, to_state=c.state,
                                     note="Melewati batas waktu; diteruskan ke pengelola MPP.", public=False))
                events.append((f"site:{c.site_id}", {"type": "complaint.escalated", "complaint_id": str(c.id),
                                                     "at": now.isoformat()}))
                count += 1
    if bus is not None:
        for channel, event in events:
            bus.publish(channel, event)
    return count


LAPOR_COLUMNS = ("Kode Pelacakan", "Tanggal Diterima", "Judul Laporan", "Isi Laporan", "Kategori", "Kerahasiaan",
                 "Nama Pelapor", "Kontak Pelapor", "Instansi Tujuan", "Status", "Tanggapan")


def export_lapor(db: Database, actor: Actor, site_code: str) -> bytes:
    """A CSV an operator can transcribe into SP4N-LAPOR!, in its own field names."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, _ref(site)):
            raise Forbidden()
        rows = s.scalars(select(Complaint).where(Complaint.site_id == site.id).order_by(Complaint.received_at)).all()
        w = exports.CsvWriter()  # public text: formulas neutralised
        w.writerow(LAPOR_COLUMNS)
        for c in rows:
            agency = catalogue.agency(s, c.agency_id) if c.agency_id else None
            anonymous = c.privacy == Privacy.anonymous.value
            w.writerow([c.tracking_code, to_local(c.received_at, site.timezone).date().isoformat(), c.title, c.body,
                        {"pengaduan": "Pengaduan", "aspirasi": "Aspirasi",
                         "permintaan_informasi": "Permintaan Informasi"}[c.kind],
                        {"normal": "Biasa", "anonim": "Anonim", "rahasia": "Rahasia"}[c.privacy],
                        ANONYMOUS if anonymous else c.reporter_name, "" if anonymous else c.reporter_contact,
                        agency.name if agency else "", rules.STATE_LABELS[State(c.state)][0], c.answer])
        return w.to_bytes()


def set_deadline_days(db: Database, actor: Actor, site_code: str, days: dict[Severity, int]) -> dict[str, int]:
    """A site's follow-up deadlines in working days, per severity."""
    for severity, n in days.items():
        if not 1 <= n <= 365:
            raise ValidationFailed([FieldError(f"days.{severity.value}", "Batas waktu harus 1 sampai 365 hari kerja.")])
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, _ref(site)):
            raise Forbidden()
        for severity, n in days.items():
            row = s.get(ComplaintSettings, (site.id, severity.value))
            if row is None:
                s.add(ComplaintSettings(site_id=site.id, severity=severity.value, days=n))
            else:
                row.days = n
        s.flush()
        return {sev.value: _days_for(s, site.id, sev) for sev in Severity}


def attach(db: Database, code: str, filename: str, data: bytes) -> AttachmentOut:
    """The reporter adds an image or PDF (5 MB at most, 5 per complaint), checked by content."""
    checked = _checked_attachment(filename, data)
    with db.write() as s:
        c = s.scalar(select(Complaint).where(Complaint.tracking_code == code.strip().upper()).with_for_update())
        if c is None:
            raise NotFound("Pengaduan dengan kode tersebut", "code")
        handovers.check_editable(s, "complaints", c.id, "file")
        count = s.scalar(select(func.count()).select_from(ComplaintAttachment)
                         .where(ComplaintAttachment.complaint_id == c.id)) or 0
        if count >= rules.MAX_ATTACHMENTS:
            raise Conflict("too_many_attachments", f"Paling banyak {rules.MAX_ATTACHMENTS} lampiran per pengaduan.",
                           "file")
        a = _store_attachment(s, c.id, checked, count + 1)
        s.flush()
        return AttachmentOut(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)


def attachment(db: Database, actor: Actor, site_code: str, complaint_id: uuid.UUID,
               attachment_id: uuid.UUID) -> tuple[str, str, bytes]:
    """Staff who may see the complaint download its attachment: (filename, content type, bytes)."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        c = s.get(Complaint, complaint_id)
        if c is None or c.site_id != site.id:
            raise NotFound("Pengaduan", "complaint")
        if not (can_manage_site(actor, _ref(site)) or
                (c.agency_id is not None and actor.agency_id == c.agency_id and can_read_site(actor, _ref(site)))):
            raise Forbidden()
        a = s.get(ComplaintAttachment, attachment_id)
        if a is None or a.complaint_id != c.id:
            raise NotFound("Lampiran", "attachment")
        return rules.download_name(a.filename, a.content_type), a.content_type, a.data
