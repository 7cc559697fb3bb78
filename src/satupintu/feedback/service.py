"""Survey use cases: offer the survey for a served ticket, take one answer, report the index."""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import domain_events
from ..catalogue import queries as catalogue
from ..config import get_settings
from ..db import Database
from ..errors import Conflict, DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from ..privacy import mask_personal_data
from ..queueing import queries as queue
from ..queueing.policy import Status, local_day
from ..scope import Actor, can_manage_agency, can_manage_site, can_read_site
from ..timeutil import utcnow
from . import letterhead, periods, report_export, skm, survey_codes
from .models import SkmPublication, SurveyResponse, SurveyTally
from .profile import Answer, profile
from .schemas import (
    ProfileGroup,
    PublishedOut,
    RespondentProfile,
    ServiceOption,
    SkmDesk,
    SkmReport,
    SurveyForm,
    SurveyIn,
    TallyIn,
    UnsurOut,
    UnsurQuestion,
)

CURRENT = skm.Regulation.permenpanrb_14_2017
SURVEY_WINDOW = timedelta(days=7)  # a served visitor may answer for a week


def _questions() -> list[UnsurQuestion]:
    return [UnsurQuestion(key=u.key, label=u.label, answers=list(u.answers)) for u in skm.UNSUR_2017]


def _eligibility(t: queue.TicketFacts, answered: bool) -> tuple[bool, str]:
    if t.status is not Status.done:
        return False, "Survei dapat diisi setelah layanan selesai."
    if answered:
        return False, "Survei untuk layanan ini sudah diisi. Terima kasih."
    if t.finished_at and utcnow() - t.finished_at > SURVEY_WINDOW:
        return False, "Batas waktu pengisian survei (7 hari setelah layanan) sudah lewat."
    return True, ""


class SurveyCodeInvalid(DomainError):
    """The survey was opened without the code printed on the ticket (or with another's)."""

    status = 403

    def __init__(self) -> None:
        super().__init__("survey_code_invalid", "Kode survei tidak cocok. Pindai QR pada tiket Anda atau ketik "
                                                "kode survei yang tercetak di tiket.", "code")


def _key() -> bytes:
    return get_settings().secret_key.encode()


def survey_code(visit_id: uuid.UUID) -> str:
    """The code printed on the visit's ticket and carried by its QR (see survey_codes.py)."""
    return survey_codes.survey_code(_key(), visit_id)


def holds_survey_code(visit_id: uuid.UUID, raw: str | None) -> bool:
    """Whether what was typed or scanned is the visit's survey code."""
    return survey_codes.matches(_key(), visit_id, raw)


display_survey_code = survey_codes.display
normalise_survey_code = survey_codes.normalise


def _ticket_for_survey(s: Session, ticket_id: uuid.UUID,
                       code: str | None) -> tuple[queue.TicketFacts, bool, bool, str]:
    """The ticket, whether it was already rated, and whether (and why not) it may be rated now.
    Only with the visit's survey code: the ticket's id alone is public (live events carry it)."""
    t = queue.ticket(s, ticket_id)
    if t is None:
        raise NotFound("Tiket", "ticket")
    if not holds_survey_code(t.visit_id, code):
        raise SurveyCodeInvalid()
    answered = s.scalar(select(SurveyResponse.id).where(SurveyResponse.ticket_id == t.id)) is not None
    ok, reason = _eligibility(t, answered)
    return t, answered, ok, reason


def survey_form(db: Database, ticket_id: uuid.UUID, code: str | None) -> SurveyForm:
    with db.read() as s:
        t, answered, ok, reason = _ticket_for_survey(s, ticket_id, code)
        svc = catalogue.service(s, t.service_id)
        assert svc is not None, "a ticket's service is never deleted"
        return SurveyForm(ticket_number=t.number, service_name=svc.name, can_answer=ok, reason=reason,
                          questions=_questions())


def submit_survey(db: Database, ticket_id: uuid.UUID, code: str | None, data: SurveyIn) -> None:
    """One response per served ticket, only with the code the visitor holds; every one of the
    nine unsur must be answered 1-4."""
    try:
        skm.check_answers(data.answers, CURRENT)
    except skm.SurveyError as exc:
        raise ValidationFailed([FieldError(f"answers.{exc.field}", exc.message)]) from exc
    missing = [k for k in skm.KEYS[CURRENT] if k not in data.answers]
    if missing:
        raise ValidationFailed([FieldError(f"answers.{k}", "Unsur ini belum dijawab.", "required") for k in missing])
    with db.write() as s:
        t, answered, ok, reason = _ticket_for_survey(s, ticket_id, code)
        if not ok:
            raise Conflict("already_answered" if answered else "not_eligible", reason, "ticket")
        site = catalogue.site(s, t.site_id)
        assert site is not None, "a ticket's site is never deleted"
        now = utcnow()
        response = SurveyResponse(site_id=t.site_id, service_id=t.service_id, ticket_id=t.id, submitted_at=now,
                                  local_date=local_day(now, site.timezone), regulation=CURRENT.value,
                                  answers=dict(data.answers), age=data.age, sex=data.sex, education=data.education,
                                  occupation=data.occupation, suggestion=data.suggestion, channel=data.channel)
        s.add(response)
        try:
            s.flush()
        except IntegrityError as exc:  # a second submit raced the first
            raise Conflict("already_answered", "Survei untuk layanan ini sudah diisi. Terima kasih.",
                           "ticket") from exc
        svc = catalogue.service(s, t.service_id)
        domain_events.record(s, "survey.submitted", site_id=t.site_id, entity=f"survey:{response.id}",
                             agency_id=svc.agency_id if svc else None,
                             data={"site": site.code, "response_id": str(response.id),
                                   "service": svc.code if svc else None, "at": now.isoformat()})


def ticket_for_survey_code(db: Database, site_code: str, raw: str) -> tuple[uuid.UUID, str]:
    """The kiosk's 'rate our service': the code printed on the ticket (typed, or the ticket's QR
    read by a scanner) leads to the survey of the visit's latest service finished at this site
    within the survey window, one not yet rated first. Returns (ticket id, code)."""
    code = survey_codes.normalise(raw)
    if code is None:
        raise ValidationFailed([FieldError("code", "Ketik kode survei 8 huruf/angka yang tercetak pada tiket, "
                                                   "misalnya ABCD-EFGH.")])
    key = _key()
    since = utcnow() - SURVEY_WINDOW
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        rows = queue.finished_tickets_since(s, site.id, since)
        answered = set(s.scalars(select(SurveyResponse.ticket_id)
                                 .where(SurveyResponse.ticket_id.in_([ticket_id for ticket_id, _ in rows]))))
    seen: dict[uuid.UUID, bool] = {}
    mine: list[tuple[bool, uuid.UUID]] = []
    for ticket_id, visit_id in rows:
        if visit_id not in seen:
            seen[visit_id] = hmac.compare_digest(survey_codes.survey_code(key, visit_id), code)
        if seen[visit_id]:
            mine.append((ticket_id in answered, ticket_id))
    if not mine:
        raise NotFound("Layanan yang selesai dalam 7 hari terakhir dengan kode survei tersebut", "code")
    unanswered = [ticket_id for answered, ticket_id in mine if not answered]
    return (unanswered[0] if unanswered else mine[0][1]), code


def printable_survey_code(db: Database, ticket_id: uuid.UUID, issuer_label: str,
                          site_id: uuid.UUID | None = None) -> str | None:
    """The code to print on a ticket, for the kiosk (of the ticket's site) or staff member who
    issued it, the same test as withdrawing an unprinted ticket; None for anyone else."""
    with db.read() as s:
        t = queue.ticket(s, ticket_id)
        if t is None or (site_id is not None and t.site_id != site_id):
            return None
        issued_by = queue.ticket_issuer(s, t.id)
        return survey_code(t.visit_id) if issued_by == issuer_label else None


def _utc_bounds(starts_on: date, ends_on: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(starts_on, time(0), zone).astimezone(UTC)
    end = datetime.combine(ends_on + timedelta(days=1), time(0), zone).astimezone(UTC)
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
        site = catalogue.require_site(s, site_code)
        svc = catalogue.service_by_code(s, site.home_id, data.service.upper())
        if svc is None:
            raise NotFound(f"Layanan '{data.service}'", "service")
        if not can_manage_agency(actor, site.ref, svc.agency_id):
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
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        responses = select(SurveyResponse).where(SurveyResponse.site_id == site.id,
                                                 SurveyResponse.local_date >= starts_on,
                                                 SurveyResponse.local_date <= ends_on,
                                                 SurveyResponse.regulation == regulation.value)
        tallies = select(SurveyTally).where(SurveyTally.site_id == site.id, SurveyTally.starts_on >= starts_on,
                                            SurveyTally.ends_on <= ends_on,
                                            SurveyTally.regulation == regulation.value)
        start, end = _utc_bounds(starts_on, ends_on, site.timezone)
        served_services: list[uuid.UUID] | None = None  # every service of the site
        scope = site.name
        if service_code:
            svc = catalogue.service_by_code(s, site.home_id, service_code.upper())
            if svc is None:
                raise NotFound(f"Layanan '{service_code}'", "service")
            responses = responses.where(SurveyResponse.service_id == svc.id)
            tallies = tallies.where(SurveyTally.service_id == svc.id)
            served_services = [svc.id]
            scope = svc.name
        elif agency_code:
            agency = catalogue.agency_by_code(s, site.home_id, agency_code.upper())
            if agency is None:
                raise NotFound(f"Instansi '{agency_code}'", "agency")
            ids = catalogue.service_ids_of_agency(s, agency.id)
            responses = responses.where(SurveyResponse.service_id.in_(ids))
            tallies = tallies.where(SurveyTally.service_id.in_(ids))
            served_services = ids
            scope = agency.name
        rows = s.scalars(responses.order_by(SurveyResponse.submitted_at)).all()
        paper = s.scalars(tallies).all()
        population = (queue.served_ticket_count(s, site.id, start, end, served_services)
                      + sum(t.respondents for t in paper))
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
        groups = profile(Answer(r.age, r.sex, r.education, r.occupation) for r in rows)
        who = RespondentProfile(online=len(rows), paper=sum(t.respondents for t in paper),
                                **{name: [ProfileGroup(key=g.key, label=g.label, label_en=g.label_en, count=g.count)
                                          for g in found] for name, found in groups.items()})
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
            profile=who,
        )


def publish(db: Database, actor: Actor, site_code: str, title: str, starts_on: date, ends_on: date) -> SkmReport:
    """Freeze the site's index for a period and show it on the public page."""
    result = report(db, actor, site_code, starts_on, ends_on)
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        s.add(SkmPublication(site_id=site.id, title=title, starts_on=starts_on, ends_on=ends_on,
                             report=result.model_dump(mode="json"), published_by=actor.label))
    return result


def published(db: Database, site_code: str) -> list[PublishedOut]:
    """The indexes a site published, for anyone: the visitors' suggestions with personal data masked."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        rows = s.scalars(select(SkmPublication).where(SkmPublication.site_id == site.id)
                         .order_by(SkmPublication.ends_on.desc())).all()
        out = []
        for p in rows:
            report = SkmReport.model_validate(p.report)
            report.suggestions = [mask_personal_data(text) for text in report.suggestions]
            out.append(PublishedOut(title=p.title, published_at=p.published_at, report=report))
        return out


def _period_choice(kind: str | None, year: int | None, number: int | None,
                   today: date) -> tuple[str, int, int, dict[str, str]]:
    """The period a desk asked for, or (with the reason beside its field) the current month."""
    errors: dict[str, str] = {}
    kind = kind or "bulan"
    if kind not in periods.KINDS:
        errors["periode"] = "Pilih bulan, triwulan, semester, atau tahun."
        kind = "bulan"
    if year is None:
        year = today.year
    elif not 2000 <= year <= today.year + 1:
        errors["tahun"] = f"Tahun harus antara 2000 dan {today.year + 1}."
        year = today.year
    if number is None or errors:
        number = periods.period_of(today, kind) if year == today.year else 1
    elif not 1 <= number <= periods.KINDS[kind]:
        errors["nomor"] = f"Untuk {kind}, pilih nomor 1 sampai {periods.KINDS[kind]}."
        number = periods.period_of(today, kind) if year == today.year else 1
    return kind, year, number, errors


def skm_desk(db: Database, actor: Actor, site_code: str, kind: str | None = None, year: int | None = None,
             number: int | None = None, lang: str = "id") -> SkmDesk:
    """The site manager's SKM page for a period (this month when none is asked): the index with
    its unsur values and respondent profile, the services the actor may enter paper tallies for,
    and whether (and when already) the period's index was published."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        today = local_day(utcnow(), site.timezone)
        kind, year, number, errors = _period_choice(kind, year, number, today)
        starts_on, ends_on = periods.period_bounds(kind, year, number)
        services = [ServiceOption(code=svc.code, name=svc.name) for svc in catalogue.services_of_site(s, site.home_id)
                    if can_manage_agency(actor, site.ref, svc.agency_id)]
        before = list(s.scalars(select(SkmPublication.published_at)
                                .where(SkmPublication.site_id == site.id, SkmPublication.starts_on == starts_on,
                                       SkmPublication.ends_on == ends_on)
                                .order_by(SkmPublication.published_at)))
        can_publish = can_manage_site(actor, site.ref)
        site_name, timezone = site.name, site.timezone
    result = report(db, actor, site_code, starts_on, ends_on)
    return SkmDesk(site=site_code, site_name=site_name, timezone=timezone, kind=kind, year=year, number=number,
                   period_label=periods.period_label(kind, year, number, lang), starts_on=starts_on,
                   ends_on=ends_on, report=result, tally_services=services, can_publish=can_publish,
                   default_title=f"IKM {site_name} {periods.period_label(kind, year, number)}",
                   published_before=before, errors=errors)


def report_document(db: Database, actor: Actor, site_code: str, fmt: str, starts_on: date, ends_on: date,
                    service_code: str | None = None, agency_code: str | None = None) -> bytes:
    """The report as the DPMPTSP sends it: XLSX, or a PDF on the regency's letterhead with a
    signature block (place and date, the head of the DPMPTSP, name and NIP left for a wet signature)."""
    if fmt not in ("xlsx", "pdf"):
        raise NotFound("Format laporan", "fmt")
    result = report(db, actor, site_code, starts_on, ends_on, service_code, agency_code)
    if fmt == "xlsx":
        return report_export.to_xlsx(result)
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        address = catalogue.site_address(s, site.id)
        parent = catalogue.site(s, site.parent_site_id) if site.parent_site_id else None
        if not address and parent is not None:
            address = catalogue.site_address(s, parent.id)
        head = letterhead.letterhead(site.name, address, local_day(utcnow(), site.timezone),
                                     *([parent.name] if parent else []))
    return report_export.to_pdf(result, head)
