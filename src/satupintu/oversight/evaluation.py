"""The trial-period evaluation report ("Laporan Evaluasi Uji Coba"): what a DPMPTSP sends to the
regent after a soft opening, a trial week or a mobile service event.

It gathers, for a site (or event) and a date range: visitors per day and per agency (public
enthusiasm), waits and service times against the threshold and the Standar Pelayanan, the SKM
index with its lowest unsur and the suggestions, complaints by kind and how they were handled,
the staffing gaps the roster check finds, and the recommendations computed from the data.
Facilities come from the site's checklist (`/kelola/{site}/sarana`): the measure, and every
facility missing or partly there with its note and due date.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..catalogue import queries as catalogue
from ..db import Database
from ..errors import DomainError
from ..feedback import letterhead as kop
from ..feedback import queries as feedback
from ..feedback import service as skm_service
from ..feedback.complaints import STATE_LABELS, State
from ..scope import Actor
from ..staffing import service as staffing
from ..timeutil import utcnow
from . import facility_service, service
from .periods import day_bounds, local_day
from .recommendations import Recommendation, agency_loads, recommend
from .rollup import rollup

KIND_LABELS = {"pengaduan": "Pengaduan", "aspirasi": "Aspirasi", "permintaan_informasi": "Permintaan informasi"}


@dataclass(frozen=True)
class ComplaintLine:
    label: str
    received: int
    finished: int  # answered or closed
    open: int
    overdue: int


@dataclass(frozen=True)
class StaffingGap:
    day: date
    start: str
    end: str
    message: str


@dataclass(frozen=True)
class Evaluation:
    board: service.Dashboard
    head: kop.Letterhead
    skm: skm_service.SkmReport | None
    complaints_by_kind: list[ComplaintLine]
    complaints_by_state: list[tuple[str, int]]
    staffing_gaps: list[StaffingGap]
    staffing_checked_days: int  # days with a roster, checked
    staffing_unrostered_days: int  # open days without any roster
    recommendations: list[Recommendation]
    facilities: facility_service.Checklist
    agency_names: dict[Hashable, str]
    is_event: bool
    generated_at: datetime

    def suggestions(self, limit: int = 15) -> list[tuple[str, int]]:
        """The respondents' suggestions, the same text once with how often it was given, most often first."""
        if self.skm is None:
            return []
        counted = Counter(text.strip() for text in self.skm.suggestions if text.strip())
        return counted.most_common(limit)

    @property
    def facility_findings(self) -> list[facility_service.Line]:
        """Facilities recorded missing or partly there, the overdue ones first."""
        short = [line for line in self.facilities.lines if line.status is not None
                 and line.status.value in ("belum_ada", "sebagian")]
        return sorted(short, key=lambda line: (not line.overdue, line.due_on is None, line.due_on or date.max))

    @property
    def open_days(self) -> int:
        return len(self.board.per_day)

    @property
    def visitors_per_open_day(self) -> float | None:
        return self.board.figures.visitors / self.open_days if self.open_days else None


def _complaints(db: Database, site_ids: tuple[uuid.UUID, ...], start: datetime, end: datetime,
                as_of: datetime) -> tuple[list[ComplaintLine], list[tuple[str, int]]]:
    with db.read() as s:
        rows = feedback.complaints_between(s, site_ids, start, end)
    finished = {State.answered.value, State.closed.value}
    shut = finished | {State.rejected.value, State.not_authority.value}
    by_kind: dict[str, list[feedback.ComplaintRecord]] = {}
    for c in rows:
        by_kind.setdefault(c.kind, []).append(c)
    lines = []
    for kind, items in sorted(by_kind.items()):
        overdue = sum(1 for c in items if c.state not in shut and (
            (c.triaged_at is None and as_of >= c.verify_due_at) or (c.due_at is not None and as_of >= c.due_at)))
        lines.append(ComplaintLine(KIND_LABELS.get(kind, kind), len(items),
                                   sum(1 for c in items if c.state in finished),
                                   sum(1 for c in items if c.state not in shut), overdue))
    states = Counter(c.state for c in rows)
    return lines, [(STATE_LABELS[State(k)][0], n) for k, n in sorted(states.items(), key=lambda kv: -kv[1])]


def _staffing(db: Database, actor: Actor, site_code: str, start: date,
              end: date) -> tuple[list[StaffingGap], int, int]:
    """Uncovered counter time the roster check finds, a week at a time over the range, on the days
    that have a roster; and how many open days had none (nothing to compare with)."""
    gaps: list[StaffingGap] = []
    checked = unrostered = 0
    day = start
    while day <= end:
        n = min(7, (end - day).days + 1)
        try:
            result = staffing.check(db, actor, site_code, day, n)
        except DomainError:  # a site without a roster set-up: nothing to check
            return [], 0, 0
        rostered = {a.date for a in result.assignments}
        opened = {o.date for o in result.openings}
        checked += len(rostered)
        unrostered += len(opened - rostered)
        gaps += [StaffingGap(f.date, f.start, f.end, f.message) for f in result.findings
                 if f.kind == "uncovered" and f.date in rostered]
        day += timedelta(days=n)
    return gaps, checked, unrostered


def evaluation(db: Database, actor: Actor, site_code: str, start: date | None = None,
               end: date | None = None) -> Evaluation:
    """The report for local days start..end; for a mobile event without dates given, its own dates."""
    with db.read() as s:
        site = catalogue.require_site(s, site_code)
        address = catalogue.site_address(s, site.id)
        parent = catalogue.site(s, site.parent_site_id) if site.parent_site_id else None
        if not address and parent is not None:
            address = catalogue.site_address(s, parent.id)
    today = local_day(utcnow(), site.timezone)
    first = start or site.starts_on or today - timedelta(days=13)
    last = end or (min(site.ends_on, today) if site.ends_on else today)
    board = service.dashboard(db, actor, site_code, first, last)
    moment = utcnow()
    head = kop.letterhead(site.name, address, today, *([parent.name] if parent else []))
    try:
        skm = skm_service.report(db, actor, site_code, first, last)
    except DomainError:
        skm = None
    lo, _ = day_bounds(first, site.timezone)
    _, hi = day_bounds(last, site.timezone)
    by_kind, by_state = _complaints(db, (site.id,), lo, hi, moment)
    gaps, checked, unrostered = _staffing(db, actor, site_code, first, last)
    with db.read() as s:
        scope = service.Scope(site, (site.id,))
        loaded = service.load_facts(s, scope, first, last, moment)
        names: dict[Hashable, str] = {a.id: a.name for a in catalogue.site_agencies(s, site.home_id)}
        closed = catalogue.closed_dates(s, (site.id,))
    rollups = rollup(loaded.facts, site.timezone, as_of=moment)
    loads = agency_loads(rollups, names, first, last, loaded.settings, closed)
    advice = recommend([load for load in loads if load.summary.tickets], loaded.settings, site=board.figures)
    checklist = facility_service.checklist(db, actor, site_code, moment)
    return Evaluation(board, head, skm, by_kind, by_state, gaps, checked, unrostered, advice, checklist,
                      dict(names), site.is_event, moment)
