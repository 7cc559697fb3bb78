"""Survey use cases: offer the survey for a served ticket, take one answer, report the index."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.scope import Actor, SiteRef, can_read_site
from ..catalogue.models import Agency, Service, Site
from ..catalogue.service import site_row
from ..db import Database
from ..errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from ..queueing.models import Ticket
from ..queueing.policy import Status, local_day
from ..timeutil import utcnow
from . import skm
from .models import SurveyResponse
from .schemas import SkmReport, SurveyForm, SurveyIn, UnsurOut, UnsurQuestion

CURRENT = skm.Regulation.permenpanrb_14_2017
SURVEY_WINDOW = timedelta(days=7)  # a served visitor may answer for a week


def _questions() -> list[UnsurQuestion]:
    return [UnsurQuestion(key=u.key, label=u.label, answers=list(u.answers)) for u in skm.UNSUR_2017]


def _eligibility(t: Ticket, answered: bool) -> tuple[bool, str]:
    if t.status is not Status.done:
        return False, "Survei dapat diisi setelah layanan selesai."
    if answered:
        return False, "Survei untuk layanan ini sudah diisi. Terima kasih."
    if t.finished_at and utcnow() - t.finished_at > SURVEY_WINDOW:
        return False, "Batas waktu pengisian survei (7 hari setelah layanan) sudah lewat."
    return True, ""


def survey_form(db: Database, ticket_id: uuid.UUID) -> SurveyForm:
    with db.read() as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            raise NotFound("Tiket", "ticket")
        answered = s.scalar(select(SurveyResponse.id).where(SurveyResponse.ticket_id == t.id)) is not None
        ok, reason = _eligibility(t, answered)
        svc = s.get(Service, t.service_id)
        return SurveyForm(ticket_number=t.number, service_name=svc.name, can_answer=ok, reason=reason,
                          questions=_questions())


def submit_survey(db: Database, ticket_id: uuid.UUID, data: SurveyIn) -> None:
    """One response per served ticket; every one of the nine unsur must be answered 1-4."""
    try:
        skm.check_answers(data.answers, CURRENT)
    except skm.SurveyError as exc:
        raise ValidationFailed([FieldError(f"answers.{exc.field}", exc.message)]) from exc
    missing = [k for k in skm.KEYS[CURRENT] if k not in data.answers]
    if missing:
        raise ValidationFailed([FieldError(f"answers.{k}", "Unsur ini belum dijawab.", "required") for k in missing])
    with db.write() as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            raise NotFound("Tiket", "ticket")
        answered = s.scalar(select(SurveyResponse.id).where(SurveyResponse.ticket_id == t.id)) is not None
        ok, reason = _eligibility(t, answered)
        if not ok:
            raise Conflict("already_answered" if answered else "not_eligible", reason, "ticket")
        site = s.get(Site, t.site_id)
        now = utcnow()
        s.add(SurveyResponse(site_id=t.site_id, service_id=t.service_id, ticket_id=t.id, submitted_at=now,
                             local_date=local_day(now, site.timezone), regulation=CURRENT.value,
                             answers=dict(data.answers), age=data.age, sex=data.sex, education=data.education,
                             occupation=data.occupation, suggestion=data.suggestion, channel=data.channel))
        try:
            s.flush()
        except IntegrityError as exc:  # a second submit raced the first
            raise Conflict("already_answered", "Survei untuk layanan ini sudah diisi. Terima kasih.",
                           "ticket") from exc


def _utc_bounds(starts_on: date, ends_on: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(starts_on, time(0), zone).astimezone(timezone.utc)
    end = datetime.combine(ends_on + timedelta(days=1), time(0), zone).astimezone(timezone.utc)
    return start, end


def report(db: Database, actor: Actor, site_code: str, starts_on: date, ends_on: date,
           service_code: str | None = None, agency_code: str | None = None) -> SkmReport:
    """The index for a site, an agency or a service over a period, with its sample check."""
    if ends_on < starts_on:
        raise ValidationFailed([FieldError("ends_on", "Tanggal akhir harus sama atau setelah tanggal awal.")])
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_read_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        responses = select(SurveyResponse).where(SurveyResponse.site_id == site.id,
                                                 SurveyResponse.local_date >= starts_on,
                                                 SurveyResponse.local_date <= ends_on,
                                                 SurveyResponse.regulation == CURRENT.value)
        start, end = _utc_bounds(starts_on, ends_on, site.timezone)
        served = select(func.count()).select_from(Ticket).where(
            Ticket.site_id == site.id, Ticket.status == Status.done, Ticket.finished_at >= start,
            Ticket.finished_at < end)
        scope = site.name
        if service_code:
            svc = s.scalar(select(Service).where(Service.code == service_code.upper(),
                                                 Service.site_id == (site.parent_site_id or site.id)))
            if svc is None:
                raise NotFound(f"Layanan '{service_code}'", "service")
            responses = responses.where(SurveyResponse.service_id == svc.id)
            served = served.where(Ticket.service_id == svc.id)
            scope = svc.name
        elif agency_code:
            agency = s.scalar(select(Agency).where(Agency.code == agency_code.upper(),
                                                   Agency.site_id == (site.parent_site_id or site.id)))
            if agency is None:
                raise NotFound(f"Instansi '{agency_code}'", "agency")
            ids = select(Service.id).where(Service.agency_id == agency.id)
            responses = responses.where(SurveyResponse.service_id.in_(ids))
            served = served.where(Ticket.service_id.in_(ids))
            scope = agency.name
        rows = s.scalars(responses.order_by(SurveyResponse.submitted_at)).all()
        population = int(s.scalar(served) or 0)
        result = skm.ikm([r.answers for r in rows], CURRENT)
        labels = {u.key: u.label for u in skm.UNSUR_2017}
        needed = skm.required_sample(population)
        lowest = result.lowest
        return SkmReport(
            site=site.code, scope=scope, starts_on=starts_on, ends_on=ends_on, regulation=CURRENT.value,
            respondents=result.respondents, population=population, required_sample=needed,
            sample_sufficient=result.respondents >= needed and result.respondents > 0,
            ikm=result.ikm, grade=result.grade.letter, grade_label=result.grade.label,
            lowest_unsur=lowest.key if lowest else None,
            unsur=[UnsurOut(key=u.key, label=labels[u.key], respondents=u.respondents,
                            nrr=(Decimal(u.nrr.numerator) / Decimal(u.nrr.denominator)).quantize(Decimal("0.001")),
                            converted=u.converted, grade=u.grade.letter, grade_label=u.grade.label)
                   for u in result.unsur],
            suggestions=[r.suggestion for r in rows if r.suggestion.strip()],
        )
