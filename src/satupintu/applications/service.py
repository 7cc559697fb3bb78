"""Application (permohonan) use cases: open from a served ticket or at the desk, move through
the service's workflow, keep the deadline in working days or hours (paused while waiting on
the applicant), list what is overdue, report on-time rates, and show the public status."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit, domain_events, handovers
from ..catalogue import queries as catalogue
from ..catalogue.hours import Hours
from ..catalogue.queries import ServiceFacts, SiteFacts
from ..config import get_settings
from ..db import Database
from ..errors import Conflict, DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from ..nik import mask_nik, parse_nik
from ..phone import normalise_phone
from ..privacy import mask_personal_data
from ..queueing import queries as queue
from ..queueing.policy import Status as TicketStatus
from ..scope import Actor, SiteRef, can_manage_agency, can_manage_site, can_operate_counter, can_read_site
from ..timeutil import utcnow
from . import deadline as deadlines
from . import external_refs, tracking
from . import workflow as wf
from .models import Application, ApplicationDocument, ApplicationEvent, ApplicationExternalRef, ServiceWorkflow
from .schemas import (
    ActionView,
    ApplicationIn,
    ApplicationView,
    DocumentView,
    ExternalRefView,
    OnTimeRow,
    OpenedView,
    ReceiptView,
    StepView,
)

log = structlog.get_logger("satupintu.applications")

OPEN_ACTION = "terima"
OPEN_LABEL = {"id": "Permohonan diterima", "en": "Application received"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


# ---------------------------------------------------------------- helpers

def _ref(site: SiteFacts) -> SiteRef:
    return site.ref


def identity_hash(nik: str) -> str:
    """A keyed hash, so staff can find an applicant's applications by NIK without storing it."""
    settings = get_settings()
    key = (settings.identity_key or settings.secret_key).encode()
    return hmac.new(key, f"nik:{nik}".encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    return phone[:4] + "*" * max(0, len(phone) - 7) + phone[-3:] if phone else ""


def _service_of(s: Session, app: Application) -> ServiceFacts:
    svc = catalogue.service(s, app.service_id)
    assert svc is not None, "an application's service is never deleted"
    return svc


def workflow_for(s: Session, service_id: uuid.UUID) -> wf.Workflow:
    row = s.get(ServiceWorkflow, service_id)
    return wf.parse_workflow(row.definition) if row else wf.DEFAULT_WORKFLOW


def state_label(db: Database, app_id: uuid.UUID, state: str, lang: str = "id") -> str:
    """What staff read for `state` in the workflow of this application's service (the raw name
    when the application or the state is unknown here)."""
    with db.read() as s:
        app = s.get(Application, app_id)
        flow = workflow_for(s, app.service_id) if app is not None else wf.DEFAULT_WORKFLOW
    found = flow.states.get(state)
    return found.label(lang) if found else state


def _role(actor: Actor) -> str | None:
    return actor.role.value if actor.role else None


def _service(s: Session, site: SiteFacts, code: str) -> ServiceFacts:
    svc = catalogue.service_by_code(s, site.home_id, code.strip().upper())
    if svc is None:
        raise NotFound(f"Layanan '{code}'", "service")
    return svc


def _closed_dates(s: Session, site: SiteFacts) -> list[date]:
    return catalogue.closed_dates(s, [site.id] + ([site.parent_site_id] if site.parent_site_id else []))


def _hours(s: Session, site: SiteFacts) -> Hours:
    return catalogue.opening_hours(s, site.id, site.parent_site_id)


def _events(s: Session, app_id: uuid.UUID) -> list[ApplicationEvent]:
    return list(s.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == app_id)
                          .order_by(ApplicationEvent.at, ApplicationEvent.id)))


def pauses(flow: wf.Workflow, events: list[ApplicationEvent]) -> list[tuple[datetime, datetime | None]]:
    """Intervals spent in states where the clock stands still (waiting on the applicant)."""
    out: list[tuple[datetime, datetime | None]] = []
    started: datetime | None = None
    for e in events:
        paused = e.to_state in flow.states and wf.clock_paused_in(flow, e.to_state)
        if paused and started is None:
            started = e.at
        elif not paused and started is not None:
            out.append((started, e.at))
            started = None
    if started is not None:
        out.append((started, None))
    return out


def _standard(app: Application) -> deadlines.TimeStandard | None:
    return deadlines.from_catalogue(app.standard_value, app.standard_unit)


def _recompute_due(s: Session, site: SiteFacts, app: Application, flow: wf.Workflow,
                   events: list[ApplicationEvent]) -> None:
    try:
        app.due_at = deadlines.deadline(app.received_at, _standard(app), site.timezone, _closed_dates(s, site),
                                        pauses(flow, events), _hours(s, site))
    except DomainError:  # an hours standard at a site without opening hours: no deadline can be kept
        app.due_at = None


def _label(labels: dict[str, str] | Any, lang: str) -> str:
    return labels.get(lang) or labels.get("id", "") if isinstance(labels, dict) else str(labels)


def _due_day(app: Application, standard: deadlines.TimeStandard | None, tz: str) -> date | None:
    """A working-day deadline is the end of its last working day: citizens read that day."""
    if app.due_at is None or standard is None or standard.unit != deadlines.WORKING_DAYS:
        return None
    return (app.due_at - timedelta(seconds=1)).astimezone(ZoneInfo(tz)).date()


def _view(s: Session, app: Application, site: SiteFacts, flow: wf.Workflow, staff: Actor | None,
          lang: str = "id") -> ApplicationView:
    svc = _service_of(s, app)
    agency = catalogue.agency(s, app.agency_id)
    events = _events(s, app.id)
    now = utcnow()
    standard = _standard(app)
    due_soon = deadlines.DUE_SOON if standard is None or standard.unit == deadlines.WORKING_DAYS \
        else timedelta(hours=1)
    state_obj = flow.states.get(app.state)
    history = []
    for e in events:
        action = flow.actions.get(e.action)
        state = flow.states.get(e.to_state)
        history.append(StepView(
            at=e.at, action=e.action,
            action_label=_label(OPEN_LABEL, lang) if e.action == OPEN_ACTION else (action.label(lang) if action
                                                                                   else e.action),
            state=e.to_state, state_label=state.label(lang) if state else e.to_state,
            note=e.note if staff is not None else (mask_personal_data(e.note) if e.note_public else ""),
            by=e.actor_label if staff is not None else None))
    status = deadlines.status(now, app.due_at, app.finished_at, due_soon)
    view = ApplicationView(
        id=app.id if staff is not None else None, tracking_number=app.tracking_number, site=site.code,
        service_code=svc.code, service_name=svc.name, agency=agency.name if agency else "", state=app.state,
        state_label=state_obj.label(lang) if state_obj else app.state, received_at=app.received_at,
        due_at=app.due_at, due_day=_due_day(app, standard, site.timezone), paused=app.paused_since is not None,
        finished_at=app.finished_at,
        deadline_status=status.value if status else None, standard=standard.label(lang) if standard else None,
        history=history)
    if staff is not None:
        docs = s.scalars(select(ApplicationDocument).where(ApplicationDocument.application_id == app.id)
                         .order_by(ApplicationDocument.position)).all()
        ticket = queue.ticket(s, app.ticket_id) if app.ticket_id else None
        ticket_number = ticket.number if ticket else None
        view.applicant_name = app.applicant_name
        view.nik_masked = app.nik_masked
        view.phone_masked = mask_phone(app.phone)
        view.ticket_number = ticket_number
        view.documents = [DocumentView(position=d.position, requirement=d.requirement, received=d.received)
                          for d in docs]
        view.handed_over = handovers.is_handed_over(s, "applications", app.id)
        view.actions = [] if view.handed_over else [
            ActionView(name=a.name, label=a.label(lang), note_required=a.note_required)
            for a in wf.allowed_actions(flow, app.state, _role(staff))]
        refs = select(ApplicationExternalRef).where(ApplicationExternalRef.application_id == app.id)
        if staff.key is not None:  # a client system sees its own reference only
            refs = refs.where(ApplicationExternalRef.client_id == staff.key.client_id)
        view.external_refs = [ExternalRefView(client=r.client_name, external_ref=r.external_ref)
                              for r in s.scalars(refs.order_by(ApplicationExternalRef.created_at))]
    return view


def _notify(s: Session, site: SiteFacts, app: Application, subject: str, text: str) -> None:
    """Queue a message to the applicant in this transaction (sent after commit, with retries)."""
    if not app.notify:
        return
    from ..notify import service as notify

    for channel, recipient in (("sms", app.phone), ("email", app.email)):
        if recipient:
            notify.enqueue(s, kind="application", channel=channel, recipient=recipient, subject=subject,
                           body=text, reference=app.tracking_number, site_id=site.id)


def _status_message(app: Application, flow: wf.Workflow, svc: ServiceFacts, note: str = "") -> tuple[str, str]:
    from ..notify.templates import Kind, render

    state = flow.states.get(app.state)
    params = {"number": app.tracking_number, "status": state.label("id") if state else app.state,
              "service": svc.name, "link": f"{get_settings().public_url.rstrip('/')}/permohonan/{app.tracking_number}"}
    if note:
        params["note"] = note
    message = render(Kind.application_status_changed, "id", **params)
    return message.subject, message.body


def _client_ref(actor: Actor, text: str) -> tuple[uuid.UUID, str]:
    """The calling client system and its reference number as stored; 422 on `external_ref` when
    the caller is not a client system or the number is not one."""
    ck = actor.key
    if ck is None or ck.client_id is None:
        raise ValidationFailed([FieldError("external_ref", "Nomor referensi hanya dapat dilampirkan oleh sistem "
                                                           "klien yang memakai kunci API.", "client_only")])
    ref = external_refs.normal_ref(text)
    if ref is None:
        raise ValidationFailed([FieldError("external_ref", external_refs.PROBLEM)])
    return ck.client_id, ref


def _attach_ref(s: Session, actor: Actor, site: SiteFacts, app: Application, text: str | None) -> None:
    """Attach the calling client's own reference number to an application (once; sending the same
    number again is a no-op). 409 when the application already carries another number of this
    client, or this client used the number for another application."""
    if text is None:
        return
    client_id, ref = _client_ref(actor, text)
    mine = s.scalar(select(ApplicationExternalRef).where(ApplicationExternalRef.application_id == app.id,
                                                         ApplicationExternalRef.client_id == client_id))
    if mine is not None:
        if mine.external_ref == ref:
            return
        raise Conflict("external_ref_mismatch", f"Permohonan ini sudah memakai nomor referensi {mine.external_ref} "
                                                "dari sistem Anda.", "external_ref")
    if s.scalar(select(ApplicationExternalRef.id).where(ApplicationExternalRef.client_id == client_id,
                                                        ApplicationExternalRef.external_ref == ref)):
        raise Conflict("external_ref_taken", f"Nomor referensi {ref} sudah dipakai sistem Anda untuk permohonan "
                                             "lain.", "external_ref")
    assert actor.key is not None
    s.add(ApplicationExternalRef(application_id=app.id, client_id=client_id, client_name=actor.key.client,
                                 external_ref=ref))
    try:
        s.flush()
    except IntegrityError as exc:  # a concurrent call of the same client took the number first
        raise Conflict("external_ref_taken", f"Nomor referensi {ref} sudah dipakai sistem Anda untuk permohonan "
                                             "lain.", "external_ref") from exc
    audit.record(s, actor, "application.external_ref", "application", app.id, site.id, None,
                 {"client": actor.key.client, "external_ref": ref, "tracking_number": app.tracking_number})


# ---------------------------------------------------------------- use cases

def open_application(db: Database, actor: Actor, site_code: str, data: ApplicationIn,
                     lang: str = "id") -> OpenedView:
    """An officer records an application: from the visitor's served ticket, or at the desk."""
    errors: list[FieldError] = []
    nik = ""
    try:
        info = parse_nik(data.nik)
        nik = "".join(ch for ch in data.nik if ch.isdigit())
        del info
    except DomainError as exc:
        errors.append(FieldError("nik", exc.message, exc.code))
    phone = ""
    if data.phone.strip():
        phone = normalise_phone(data.phone) or ""
        if not phone:
            errors.append(FieldError("phone", "Nomor HP harus diawali 08 atau +62 dan berisi 9-14 angka."))
    email = data.email.strip()
    if email and not EMAIL.fullmatch(email):
        errors.append(FieldError("email", "Alamat surel tidak valid."))
    if data.notify and not (phone or email):
        errors.append(FieldError("notify", "Isi nomor HP atau surel agar pemberitahuan dapat dikirim.", "required"))
    if not data.applicant_name.strip():
        errors.append(FieldError("applicant_name", "Nama pemohon wajib diisi.", "required"))
    if errors:
        raise ValidationFailed(errors)
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        svc = _service(s, site, data.service)
        if not can_operate_counter(actor, _ref(site), svc.agency_id):
            raise Forbidden("Anda tidak dapat menerima permohonan untuk layanan instansi lain.")
        if data.ticket_id is not None:
            t = queue.ticket(s, data.ticket_id)
            if t is None or t.site_id != site.id:
                raise NotFound("Tiket", "ticket_id")
            if t.status not in (TicketStatus.serving, TicketStatus.done):
                raise Conflict("ticket_not_served", f"Nomor {t.number} belum dilayani; permohonan dibuka dari "
                                                    "tiket yang sedang atau sudah dilayani.", "ticket_id")
            if s.scalar(select(Application.id).where(Application.ticket_id == t.id,
                                                     Application.service_id == svc.id)):
                raise Conflict("already_opened", f"Permohonan dari nomor {t.number} untuk layanan ini sudah ada.",
                               "ticket_id")
        requirements = list(svc.requirements or [])
        bad = [p for p in data.documents_received if not 0 <= p < len(requirements)]
        if bad:
            raise ValidationFailed([FieldError("documents_received",
                                               f"Persyaratan nomor {bad[0] + 1} tidak ada pada layanan ini.")])
        flow = workflow_for(s, svc.id)
        number = tracking.new_tracking_number()
        while s.scalar(select(Application.id).where(Application.tracking_number == number)):
            number = tracking.new_tracking_number()
        now = utcnow()
        unit = svc.time_unit
        app = Application(id=uuid.uuid4(), site_id=site.id, agency_id=svc.agency_id, service_id=svc.id,
                          ticket_id=data.ticket_id, tracking_number=number,
                          applicant_name=data.applicant_name.strip(), nik_hash=identity_hash(nik),
                          nik_masked=mask_nik(nik), phone=phone, email=email, notify=data.notify,
                          state=flow.initial_state, origin_state="", standard_value=svc.time_value,
                          standard_unit=unit, received_at=now)
        s.add(app)
        s.flush()
        for i, requirement in enumerate(requirements):
            s.add(ApplicationDocument(application_id=app.id, position=i, requirement=requirement,
                                      received=i in data.documents_received))
        event = ApplicationEvent(application_id=app.id, at=now, actor_label=actor.label, actor_id=actor.user_id,
                                 action=OPEN_ACTION, from_state="", to_state=app.state, note=data.note,
                                 note_public=False)
        s.add(event)
        s.flush()
        _attach_ref(s, actor, site, app, data.external_ref)
        _recompute_due(s, site, app, flow, [event])
        _notify(s, site, app, *_status_message(app, flow, svc))
        domain_events.record(s, "application.status_changed", site_id=site.id, entity=f"application:{app.id}",
                             agency_id=svc.agency_id,
                             data={"site": site.code, "application_id": str(app.id), "service": svc.code,
                                   "from_status": "", "status": app.state, "at": now.isoformat()})
        s.flush()
        view = _view(s, app, site, flow, actor, lang)
    log.info("application.opened", site=site_code, service=svc.code, tracking=number)
    return OpenedView(tracking_number=number, application=view,
                      message="Permohonan diterima. Berikan nomor pelacakan ini kepada pemohon.")


def _load(s: Session, actor: Actor, site_code: str, app_id: uuid.UUID,
          for_update: bool = False) -> tuple[SiteFacts, Application]:
    site = catalogue.require_site(s, site_code)
    app = s.get(Application, app_id, with_for_update=for_update)
    if app is None or app.site_id != site.id:
        raise NotFound("Permohonan", "application")
    if not (can_manage_site(actor, _ref(site)) or can_operate_counter(actor, _ref(site), app.agency_id)
            or (actor.is_overseer and can_read_site(actor, _ref(site)))):
        raise Forbidden()
    return site, app


def get_application(db: Database, actor: Actor, site_code: str, app_id: uuid.UUID,
                    lang: str = "id") -> ApplicationView:
    with db.read() as s:
        site, app = _load(s, actor, site_code, app_id)
        return _view(s, app, site, workflow_for(s, app.service_id), actor, lang)


def receipt(db: Database, actor: Actor, site_code: str, app_id: uuid.UUID, lang: str = "id") -> ReceiptView:
    """The tanda terima of an application, for the staff who may open it: the documents ticked as
    received (and those still missing), the service, the promised completion date in working days
    (or hours), the site; the NIK and phone number masked, never in full."""
    with db.read() as s:
        site, app = _load(s, actor, site_code, app_id)
        view = _view(s, app, site, workflow_for(s, app.service_id), actor, lang)
        received_by = next((e.actor_label for e in _events(s, app.id) if e.action == OPEN_ACTION), "")
        address = catalogue.site_address(s, site.id)
        if not address and site.parent_site_id:
            address = catalogue.site_address(s, site.parent_site_id)
    docs = view.documents or []
    return ReceiptView(
        tracking_number=view.tracking_number, site=site.code, site_name=site.name, site_address=address,
        timezone=site.timezone, agency=view.agency, service_name=view.service_name,
        applicant_name=view.applicant_name or "", nik_masked=view.nik_masked or "",
        phone_masked=view.phone_masked or "", received_at=view.received_at,
        received_by=received_by, standard=view.standard, due_at=view.due_at,
        due_day=view.due_day, paused=view.paused,
        documents_received=[d.requirement for d in docs if d.received],
        documents_missing=[d.requirement for d in docs if not d.received])


def take_action(db: Database, actor: Actor, site_code: str, app_id: uuid.UUID, action: str, note: str = "",
                lang: str = "id", status: str = "", external_ref: str | None = None) -> ApplicationView:
    """Move an application one step; every step is kept with its actor, time and note. A client
    system may name the `status` to move to instead of the action (its own case moved on), and
    attach its own reference number on the way; it acts under the same workflow rules and roles
    as the agency's officers."""
    if bool(action.strip()) == bool(status.strip()):
        raise ValidationFailed([FieldError("action", "Sebutkan tindakan (action) atau status tujuan (status), "
                                                     "salah satu saja.", "required")])
    with db.write() as s:
        site, app = _load(s, actor, site_code, app_id, for_update=True)
        handovers.check_editable(s, "applications", app.id, "action")  # at a unit: the centre works it now
        flow = workflow_for(s, app.service_id)
        before = app.state
        if status.strip():
            action = wf.action_towards(flow, before, status.strip(), _role(actor))
        after = wf.apply(flow, before, action, _role(actor), note, app.origin_state or None)
        now = utcnow()
        act = flow.actions[action]
        event = ApplicationEvent(application_id=app.id, at=now, actor_label=actor.label, actor_id=actor.user_id,
                                 action=action, from_state=before, to_state=after, note=note.strip(),
                                 note_public=act.note_required)
        s.add(event)
        app.state = after
        if wf.clock_paused_in(flow, after):
            app.paused_since = app.paused_since or now
            if not wf.clock_paused_in(flow, before):
                app.origin_state = before
        else:
            app.paused_since = None
            app.origin_state = ""
        if wf.is_finished(flow, after) and app.finished_at is None:
            app.finished_at = now
        if wf.is_terminal(flow, after):
            app.closed_at = now
        s.flush()
        _attach_ref(s, actor, site, app, external_ref)
        _recompute_due(s, site, app, flow, _events(s, app.id))
        svc = _service_of(s, app)
        _notify(s, site, app, *_status_message(app, flow, svc, note.strip() if act.note_required else ""))
        if app.closed_at is not None:
            # The last state (collected, refused): no message can follow, so the contact goes; the
            # message just queued carries its own copy until it is sent.
            app.phone, app.email = "", ""
        domain_events.record(s, "application.status_changed", site_id=site.id, entity=f"application:{app.id}",
                             agency_id=svc.agency_id,
                             data={"site": site.code, "application_id": str(app.id), "service": svc.code,
                                   "from_status": before, "status": after, "at": now.isoformat()})
        s.flush()
        return _view(s, app, site, flow, actor, lang)


def set_documents(db: Database, actor: Actor, site_code: str, app_id: uuid.UUID, received: list[int],
                  lang: str = "id") -> ApplicationView:
    """Tick the requirements the applicant has handed in (for example after a repair)."""
    with db.write() as s:
        site, app = _load(s, actor, site_code, app_id, for_update=True)
        handovers.check_editable(s, "applications", app.id, "received")
        docs = s.scalars(select(ApplicationDocument).where(ApplicationDocument.application_id == app.id)).all()
        positions = {d.position for d in docs}
        bad = [p for p in received if p not in positions]
        if bad:
            raise ValidationFailed([FieldError("received", f"Persyaratan nomor {bad[0] + 1} tidak ada pada "
                                                           "permohonan ini.")])
        for d in docs:
            d.received = d.position in received
        s.flush()
        return _view(s, app, site, workflow_for(s, app.service_id), actor, lang)


def track(db: Database, number: str, lang: str = "id") -> ApplicationView:
    """The public status page: state, history and due date by tracking number; no personal data."""
    normal = tracking.normalize_tracking_number(number)
    if normal is None or not tracking.is_valid_tracking_number(normal):
        raise DomainError("invalid_tracking_number", "Nomor pelacakan tidak valid; periksa kembali setiap "
                                                     "hurufnya (contoh: PRM-7K3Q-9XWD).", "number")
    with db.read() as s:
        app = s.scalar(select(Application).where(Application.tracking_number == normal))
        if app is None:
            raise NotFound("Permohonan dengan nomor tersebut", "number")
        site = catalogue.site(s, app.site_id)
        assert site is not None, "an application's site is never deleted"
        return _view(s, app, site, workflow_for(s, app.service_id), None, lang)


def staff_list(db: Database, actor: Actor, site_code: str, only: str | None = None, agency: str | None = None,
               lang: str = "id", external_ref: str | None = None) -> list[ApplicationView]:
    """A site's applications for its staff (an agency's own for agency staff). `only`:
    'open', 'overdue' or 'due_soon'; overdue first, then by due date. `external_ref`: a client
    system finds its application by its own reference number."""
    if only not in (None, "", "open", "overdue", "due_soon"):
        raise ValidationFailed([FieldError("only", "Saring dengan open, overdue, atau due_soon.")])
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        q = select(Application).where(Application.site_id == site.id)
        if not can_manage_site(actor, _ref(site)) and not actor.is_overseer:
            q = q.where(Application.agency_id == actor.agency_id)
        if agency:
            agency_id = catalogue.first_agency_id_with_code(s, agency.upper())
            if agency_id is None:
                raise NotFound(f"Instansi '{agency}'", "agency")
            q = q.where(Application.agency_id == agency_id)
        if only:
            q = q.where(Application.closed_at.is_(None), Application.finished_at.is_(None))
        if external_ref is not None:
            client_id, ref = _client_ref(actor, external_ref)
            q = q.where(Application.id.in_(select(ApplicationExternalRef.application_id).where(
                ApplicationExternalRef.client_id == client_id, ApplicationExternalRef.external_ref == ref)))
        rows = s.scalars(q.order_by(Application.received_at)).all()
        flows: dict[uuid.UUID, wf.Workflow] = {}
        views = []
        for app in rows:
            flow = flows.get(app.service_id) or flows.setdefault(app.service_id, workflow_for(s, app.service_id))
            views.append(_view(s, app, site, flow, actor, lang))
    if only in ("overdue", "due_soon"):
        views = [v for v in views if v.deadline_status == only]
    rank = {"overdue": 0, "due_soon": 1, "on_time": 2, None: 3}
    return sorted(views, key=lambda v: (v.finished_at is not None, rank[v.deadline_status],
                                        v.due_at or datetime.max.replace(tzinfo=v.received_at.tzinfo)))


def on_time_report(db: Database, actor: Actor, site_code: str, start: date | None = None,
                   end: date | None = None) -> list[OnTimeRow]:
    """Per service: applications finished, finished on time, and what is still open or overdue."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, _ref(site)):
            raise Forbidden()
        apps = s.scalars(select(Application).where(Application.site_id == site.id)).all()
        services = catalogue.services(s, {a.service_id for a in apps})
        agencies = catalogue.agency_names(s, {a.agency_id for a in apps})
        rows = [(a.received_at, a.due_at, a.finished_at, a.closed_at, services[a.service_id].code,
                 services[a.service_id].name, agencies[a.agency_id])
                for a in apps if a.service_id in services and a.agency_id in agencies]
    now = utcnow()
    by_service: dict[str, dict[str, Any]] = {}
    for received_at, due, finished_at, closed_at, code, name, agency_name in rows:
        local = received_at.date()
        if (start and local < start) or (end and local > end):
            continue
        row = by_service.setdefault(code, {"name": name, "agency": agency_name, "pairs": [], "open": 0,
                                           "overdue": 0})
        row["pairs"].append((due, finished_at))
        if finished_at is None and closed_at is None:
            row["open"] += 1
            if due is not None and now > due:
                row["overdue"] += 1
    out = []
    for code in sorted(by_service):
        row = by_service[code]
        finished = [(d, f) for d, f in row["pairs"] if d is not None and f is not None]
        out.append(OnTimeRow(service_code=code, service_name=row["name"], agency=row["agency"],
                             finished=len(finished), on_time=sum(1 for d, f in finished if f <= d),
                             on_time_rate=deadlines.on_time_rate(row["pairs"]), open=row["open"],
                             overdue_open=row["overdue"]))
    return out


def get_workflow(db: Database, site_code: str, service_code: str) -> dict[str, Any]:
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        svc = _service(s, site, service_code)
        return workflow_for(s, svc.id).to_dict()


def set_workflow(db: Database, actor: Actor, site_code: str, service_code: str,
                 definition: dict[str, Any] | None) -> dict[str, Any]:
    """An agency admin gives a service its own workflow (None: back to the default). Open
    applications must still find their state in the new workflow."""
    flow = wf.parse_workflow(definition, "definition") if definition is not None else wf.DEFAULT_WORKFLOW
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        svc = _service(s, site, service_code)
        if not can_manage_agency(actor, _ref(site), svc.agency_id):
            raise Forbidden()
        states = set(s.scalars(select(Application.state).where(Application.service_id == svc.id,
                                                               Application.closed_at.is_(None))))
        missing = sorted(states - set(flow.states))
        if missing:
            raise ValidationFailed([FieldError("definition.states", "Masih ada permohonan berjalan berstatus "
                                                                    f"\"{missing[0]}\"; status itu harus tetap ada.")])
        row = s.get(ServiceWorkflow, svc.id)
        before = row.definition if row else None
        audit.record(s, actor, "service.workflow", "service", svc.id, site.id, {"workflow": before},
                     {"workflow": flow.to_dict() if definition is not None else None})
        if definition is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(ServiceWorkflow(service_id=svc.id, definition=flow.to_dict()))
        else:
            row.definition = flow.to_dict()
        return flow.to_dict()
