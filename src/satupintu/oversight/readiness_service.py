"""The readiness self-assessment of a site, stored and scored: the measured indicators are filled
in from the site's data over the last `PERIOD_DAYS` days (standards, waits, SKM, complaints,
applications, the facilities checklist, counters open against the roster's plan); the manual ones
carry the manager's score, evidence and note. The rules are `readiness.py`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from .. import audit
from ..catalogue import queries as catalogue
from ..db import Database
from ..errors import Errors, Forbidden
from ..scope import Actor, can_manage_site, can_read_site
from ..staffing import service as staffing
from ..timeutil import utcnow
from . import facility_service, instrument_service, service
from .facts import PlanFact
from .measures import exact_summary, plan_cells, plan_coverage
from .models import ReadinessScore
from .periods import local_day
from .readiness import (
    Assessment,
    Gap,
    Instrument,
    Kind,
    ManualScore,
    assess,
    check_manual_scores,
    gaps,
    measured_values,
    standards_complete_share,
)
from .rollup import rollup

PERIOD_DAYS = 90


@dataclass(frozen=True)
class Stored:
    score: int
    evidence: frozenset[str]
    note: str
    instrument_version: int | None = None  # the instrument version the score was given under


@dataclass(frozen=True)
class SelfAssessment:
    site_code: str
    site_name: str
    instrument: Instrument
    instrument_version: int
    start: date
    end: date
    measured: dict[str, float | None]
    stored: dict[str, Stored]
    assessment: Assessment
    gaps: list[Gap]
    can_edit: bool


@dataclass(frozen=True)
class ScoreIn:
    indicator: str
    score: str  # as typed: '' (not yet scored) or 0..5
    evidence: frozenset[str]
    note: str = ""


def _measured(db: Database, actor: Actor, site: catalogue.SiteFacts, start: date, end: date,
              now: datetime) -> dict[str, float | None]:
    with db.read() as s:
        scope = service.Scope(site, (site.id,))
        loaded = service.load_facts(s, scope, start, end, now)
        standards = catalogue.standard_rows(s, site.home_id)
        agencies = {a.code: a.id for a in catalogue.site_agencies(s, site.home_id)}
        closed = catalogue.closed_dates(s, (site.id,))
    summary = exact_summary(loaded.facts, site.timezone, start, end, loaded.settings, as_of=now, paper=loaded.paper)
    if loaded.facts.tickets:  # a site younger than the period: judge the plan from its first day on
        start = max(start, min(local_day(t.issued_at, site.timezone) for t in loaded.facts.tickets))
    plan = staffing.get_plan(db, actor, site.code)
    plans = [PlanFact(site.id, agencies[r.agency], r.weekday, r.hour, r.counters) for r in plan.rows
             if r.agency in agencies]
    coverage = plan_coverage(plan_cells(rollup(loaded.facts, site.timezone, as_of=now), plans, start, end, closed))
    facilities = facility_service.checklist(db, actor, site.code, now).measure
    return measured_values(summary, standards_complete=standards_complete_share(standards),
                           counters_staffed=coverage, facilities=facilities)


def self_assessment(db: Database, actor: Actor, site_code: str, now: datetime | None = None) -> SelfAssessment:
    moment = now or utcnow()
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        if not can_read_site(actor, site.ref):
            raise Forbidden()
        stored = {r.indicator: Stored(r.score, frozenset(r.evidence or ()), r.note, r.instrument_version)
                  for r in s.scalars(select(ReadinessScore).where(ReadinessScore.site_id == site.id))}
        version, instrument = instrument_service.stored_current(s)
    end = local_day(moment, site.timezone)
    start = end - timedelta(days=PERIOD_DAYS - 1)
    measured = _measured(db, actor, site, start, end, moment)
    manual = [ManualScore(k, v.score, v.evidence & _evidence_keys(instrument, k), v.note) for k, v in stored.items()
              if _is_manual(instrument, k)]
    evidence = {k: v.evidence & _evidence_keys(instrument, k) for k, v in stored.items()
                if not _is_manual(instrument, k) and instrument.indicator(k) is not None}
    result = assess(instrument, measured, manual, evidence)
    return SelfAssessment(site.code, site.name, instrument, version, start, end, measured, stored, result, gaps(result),
                          can_manage_site(actor, site.ref))


def _is_manual(instrument: Instrument, key: str) -> bool:
    found = instrument.indicator(key)
    return found is not None and found[1].kind is Kind.manual


def _evidence_keys(instrument: Instrument, key: str) -> frozenset[str]:
    found = instrument.indicator(key)
    return frozenset(e.key for e in found[1].evidence) if found else frozenset()


def save_scores(db: Database, actor: Actor, site_code: str, entries: list[ScoreIn]) -> None:
    """The manager's scores and evidence, all at once or (any field wrong) none, each wrong field
    named as the page names it (`score-<indicator>`, `evidence-<indicator>`, `note-<indicator>`).
    A manual indicator left unscored keeps no score; a measured one keeps only its evidence.
    Each score records the instrument version it was given under."""
    with db.read() as s:
        version, instrument = instrument_service.stored_current(s)
    errors = Errors()
    rows: list[tuple[str, int, frozenset[str], str]] = []
    for e in entries:
        found = instrument.indicator(e.indicator)
        if found is None:
            errors.add("_", f"Indikator '{e.indicator}' tidak ada dalam instrumen.")
            continue
        manual = found[1].kind is Kind.manual
        score = 0
        if manual and e.score.strip():
            try:
                score = int(e.score)
            except ValueError:
                errors.add(f"score-{e.indicator}", "Skor harus angka 0 sampai 5.")
                continue
        elif manual:
            if e.evidence or e.note.strip():
                errors.add(f"score-{e.indicator}", "Beri skor untuk indikator yang diberi bukti atau catatan.")
            continue
        if len(e.note) > 1000:
            errors.add(f"note-{e.indicator}", "Catatan paling banyak 1000 karakter.")
        rows.append((e.indicator, score, e.evidence, e.note.strip()))
    manual_scores = [ManualScore(k, sc, ev, n) for k, sc, ev, n in rows if _is_manual(instrument, k)]
    evidence: dict[str, frozenset[str]] = {k: ev for k, _, ev, _ in rows if not _is_manual(instrument, k)}
    for err in check_manual_scores(instrument, manual_scores, evidence):
        errors.add(_page_field(err.field, manual_scores), err.message)
    errors.raise_if_any("Penilaian mandiri belum bisa disimpan; periksa isian yang ditandai.")
    with db.write() as s:
        site = catalogue.require_site(s, site_code)
        if not can_manage_site(actor, site.ref):
            raise Forbidden()
        existing = {r.indicator: r for r in s.scalars(select(ReadinessScore)
                                                      .where(ReadinessScore.site_id == site.id))}
        keep = {k for k, *_ in rows}
        for key, row in existing.items():
            if key not in keep and any(e.indicator == key for e in entries):
                s.delete(row)  # a score cleared on the form
        for key, score, ev, note in rows:
            current = existing.get(key)
            before = None if current is None else {"indicator": key, "score": current.score,
                                                   "evidence": sorted(current.evidence)}
            row = current or ReadinessScore(site_id=site.id, indicator=key)
            if current is None:
                s.add(row)
            row.score, row.evidence, row.note = score, sorted(ev), note
            row.updated_at, row.updated_by, row.instrument_version = utcnow(), actor.label, version
            audit.record(s, actor, "readiness.score", "readiness", None, site.id, before,
                         {"indicator": key, "score": score, "evidence": sorted(ev)})


def _page_field(field: str, manual: list[ManualScore]) -> str:
    """check_manual_scores names `scores[n].<part>` (n among the manual scores) or `evidence.<key>`;
    the page names its fields by indicator: `<part>-<key>`."""
    if field.startswith("evidence."):
        return f"evidence-{field.split('.', 1)[1]}"
    if field.startswith("scores[") and "]." in field:
        index, part = field[len("scores["):].split("].", 1)
        if index.isdigit() and int(index) < len(manual):
            return f"{part}-{manual[int(index)].indicator}"
    return "_"


__all__ = ["PERIOD_DAYS", "ScoreIn", "SelfAssessment", "save_scores", "self_assessment"]
