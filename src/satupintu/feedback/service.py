"""Survey use cases: offer the survey for a served ticket, take one answer, report the index."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.scope import Actor, SiteRef, can_manage_agency, can_manage_site, can_read_site
from ..catalogue.models import Agency, Service, Site
from ..catalogue.service import site_row
from ..db import Database
from ..errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from ..queueing.models import Ticket
from ..queueing.policy import Status, local_day
from ..timeutil import utcnow
from . import skm
from .models import SkmPublication, SurveyResponse, SurveyTally
from .schemas import PublishedOut, SkmReport, SurveyForm, SurveyIn, TallyIn, UnsurOut, UnsurQuestion

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


def _ticket_for_survey(s: Session, ticket_id: uuid.UUID) -> tuple[Ticket, bool, bool, str]:
    """The ticket, whether it was already rated, and whether (and why not) it may be rated now."""
    t = s.get(Ticket, ticket_id)
    if t is None:
        raise NotFound("Tiket", "ticket")
    answered = s.scalar(select(SurveyResponse.id).where(SurveyResponse.ticket_id == t.id)) is not None
    ok, reason = _eligibility(t, answered)
    return t, answered, ok, reason


def survey_form(db: Database, ticket_id: uuid.UUID) -> SurveyForm:
    with db.read() as s:
        t, answered, ok, reason = _ticket_for_survey(s, ticket_id)
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
        t, answered, ok, reason = _ticket_for_survey(s, ticket_id)
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


def enter_tally(db: Database, actor: Actor, site_code: str, data: TallyIn) -> int:
    """Enter surveys collected on paper; returns the respondents added."""
    regulation = skm.Regulation(data.regulation)
    if data.ends_on < data.starts_on:
        raise ValidationFailed([FieldError("ends_on", "Tanggal akhir harus sama atau setelah tanggal awal.")])
    counts = {key: {int(v): n for v, n in per.items()} for key, per in data.tally.items()}
    try:
        skm.ikm_from_tally(counts, data.respondents, regulation)
    except skm.SurveyError as exc:
        raise ValidationFailed([FieldError(f"tally.{exc.field}", exc.message)]) from exc
    with db.write() as s:
        site = site_row(s, site_code)
        svc = s.scalar(select(Service).where(Service.code == data.service.upper(),
                                             Service.site_id == (site.parent_site_id or site.id)))
        if svc is None:
            raise NotFound(f"Layanan '{data.service}'", "service")
        if not can_manage_agency(actor, SiteRef(site.id, site.parent_site_id), svc.agency_id):
            raise Forbidden()
        s.add(SurveyTally(site_id=site.id, service_id=svc.id, starts_on=data.starts_on, ends_on=data.ends_on,
                          regulation=regulation.value, respondents=data.respondents,
                          tally={k: {str(v): n for v, n in per.items()} for k, per in counts.items()},
                          entered_by=actor.label))
    return data.respondents


def report(db: Database, actor: Actor, site_code: str, starts_on: date, ends_on: date,
           service_code: str | None = None, agency_code: str | None = None,
           regulation: skm.Regulation = CURRENT) -> SkmReport:
    """The index for a site, an agency or a service over a period, with its sample check.
    Online responses and paper tallies of the same regulation are counted together."""
    if ends_on < starts_on:
        raise ValidationFailed([FieldError("ends_on", "Tanggal akhir harus sama atau setelah tanggal awal.")])
    with db.read() as s:
        site = site_row(s, site_code)
        if not can_read_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        responses = select(SurveyResponse).where(SurveyResponse.site_id == site.id,
                                                 SurveyResponse.local_date >= starts_on,
                                                 SurveyResponse.local_date <= ends_on,
                                                 SurveyResponse.regulation == regulation.value)
        tallies = select(SurveyTally).where(SurveyTally.site_id == site.id, SurveyTally.starts_on >= starts_on,
                                            SurveyTally.ends_on <= ends_on,
                                            SurveyTally.regulation == regulation.value)
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
            tallies = tallies.where(SurveyTally.service_id == svc.id)
            served = served.where(Ticket.service_id == svc.id)
            scope = svc.name
        elif agency_code:
            agency = s.scalar(select(Agency).where(Agency.code == agency_code.upper(),
                                                   Agency.site_id == (site.parent_site_id or site.id)))
            if agency is None:
                raise NotFound(f"Instansi '{agency_code}'", "agency")
            ids = select(Service.id).where(Service.agency_id == agency.id)
            responses = responses.where(SurveyResponse.service_id.in_(ids))
            tallies = tallies.where(SurveyTally.service_id.in_(ids))
            served = served.where(Ticket.service_id.in_(ids))
            scope = agency.name
        rows = s.scalars(responses.order_by(SurveyResponse.submitted_at)).all()
        paper = s.scalars(tallies).all()
        population = int(s.scalar(served) or 0) + sum(t.respondents for t in paper)
        counts: dict[str, dict[int, int]] = {k: {} for k in skm.KEYS[regulation]}
        for r in rows:
            for key, value in r.answers.items():
                counts[key][value] = counts[key].get(value, 0) + 1
        for t in paper:
            for key, per in t.tally.items():
                for value, n in per.items():
                    counts[key][int(value)] = counts[key].get(int(value), 0) + n
        result = skm.ikm_from_tally(counts, len(rows) + sum(t.respondents for t in paper), regulation)
        labels = {u.key: u.label for u in skm.UNSUR_2017}
        needed = skm.required_sample(population)
        lowest = result.lowest
        return SkmReport(
            site=site.code, scope=scope, starts_on=starts_on, ends_on=ends_on, regulation=regulation.value,
            respondents=result.respondents, population=population, required_sample=needed,
            sample_sufficient=result.respondents >= needed and result.respondents > 0,
            ikm=result.ikm, grade=result.grade.letter, grade_label=result.grade.label,
            lowest_unsur=lowest.key if lowest else None,
            unsur=[UnsurOut(key=u.key, label=labels.get(u.key, u.key.replace("_", " ").capitalize()),
                            respondents=u.respondents,
                            nrr=(Decimal(u.nrr.numerator) / Decimal(u.nrr.denominator)).quantize(Decimal("0.001")),
                            converted=u.converted, grade=u.grade.letter, grade_label=u.grade.label)
                   for u in result.unsur],
            suggestions=[r.suggestion for r in rows if r.suggestion.strip()],
        )


def publish(db: Database, actor: Actor, site_code: str, title: str, starts_on: date, ends_on: date) -> SkmReport:
    """Freeze the site's index for a period and show it on the public page."""
    result = report(db, actor, site_code, starts_on, ends_on)
    with db.write() as s:
        site = site_row(s, site_code)
        if not can_manage_site(actor, SiteRef(site.id, site.parent_site_id)):
            raise Forbidden()
        s.add(SkmPublication(site_id=site.id, title=title, starts_on=starts_on, ends_on=ends_on,
                             report=result.model_dump(mode="json"), published_by=actor.label))
    return result


def published(db: Database, site_code: str) -> list[PublishedOut]:
    with db.read() as s:
        site = site_row(s, site_code)
        rows = s.scalars(select(SkmPublication).where(SkmPublication.site_id == site.id)
                         .order_by(SkmPublication.ends_on.desc())).all()
        return [PublishedOut(title=p.title, published_at=p.published_at, report=SkmReport.model_validate(p.report))
                for p in rows]
