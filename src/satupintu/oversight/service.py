"""Oversight's service: reads the recorded facts of a site through the other capabilities' named
queries, folds them into the fact types of `facts.py`, and hands them to the pure measures.

A site's figures for local days `start`..`end` cover the site itself (a mall or a mobile event);
a mall's figures do not include its events unless asked (`with_events`), since an event is
reported on its own as a trial.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ..applications import queries as applications
from ..catalogue import queries as catalogue
from ..db import Database
from ..errors import FieldError, Forbidden, NotFound, ValidationFailed
from ..feedback import queries as feedback
from ..queueing import queries as queue
from ..scope import Actor, can_read_site
from ..timeutil import utcnow
from . import facility_service, rollup_store
from .facts import (
    ApplicationFact,
    BookingFact,
    ComplaintFact,
    CounterLogEntry,
    Facts,
    SurveyFact,
    SurveyTallyFact,
    TicketEventRecord,
    TicketFact,
    counter_spans,
    ticket_fact,
)
from .measures import (
    Change,
    Heatmap,
    MeasureSettings,
    Summary,
    compare,
    exact_summary,
    heatmap,
    summarize,
    summarize_counted,
    summarize_glance,
    tallies_within,
)
from .periods import day_bounds, days, local_day, previous_range
from .regions import Place, place_of
from .rollup import (
    TICKETS,
    Glance,
    Headline,
    Rollup,
    RollupKey,
    fold,
    headline,
    merge_glances,
    merge_headlines,
    merge_totals,
    rollup,
    standards_basis,
)

MAX_RANGE_DAYS = 400  # a year and a little: longer ranges go through the monthly figures
# the national view keeps one glance per site of a range this long, wholly kept (`range_rollups`):
# a quarter, a year; shorter ranges read their few month rows and days
RANGE_MIN_DAYS = 60


@dataclass(frozen=True)
class Scope:
    """What the figures are about: a site and its timezone, optionally one agency or one service."""

    site: catalogue.SiteFacts
    site_ids: tuple[uuid.UUID, ...]
    agency_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Loaded:
    scope: Scope
    facts: Facts
    paper: tuple[SurveyTallyFact, ...]
    settings: MeasureSettings
    as_of: datetime


def check_range(start: date, end: date) -> None:
    errors = []
    if end < start:
        errors.append(FieldError("end", "Tanggal akhir harus sama atau setelah tanggal awal."))
    elif (end - start).days >= MAX_RANGE_DAYS:
        errors.append(FieldError("end", f"Rentang paling panjang {MAX_RANGE_DAYS} hari."))
    if errors:
        raise ValidationFailed(errors)


def _scope(s: Session, actor: Actor, site_code: str, agency_code: str | None, service_code: str | None,
           with_events: bool) -> Scope:
    site = catalogue.require_site(s, site_code)
    if not can_read_site(actor, site.ref):
        raise Forbidden()
    site_ids = [site.id]
    if with_events and not site.is_event:
        site_ids += [e.id for e in catalogue.events_of(s, site.id)]
    agency_id = service_id = None
    if service_code:
        svc = catalogue.service_by_code(s, site.home_id, service_code.upper())
        if svc is None:
            raise NotFound(f"Layanan '{service_code}'", "service")
        service_id, agency_id = svc.id, svc.agency_id
    elif agency_code:
        agency = catalogue.agency_by_code(s, site.home_id, agency_code.upper())
        if agency is None:
            raise NotFound(f"Instansi '{agency_code}'", "agency")
        agency_id = agency.id
    if actor.agency_id is not None:  # an agency's own staff see their agency's figures only
        if agency_id is not None and agency_id != actor.agency_id:
            raise Forbidden()
        agency_id = actor.agency_id
    return Scope(site, tuple(site_ids), agency_id, service_id)


def _tickets(history: list[queue.TicketHistory], agency_of: dict[uuid.UUID, uuid.UUID]) -> list[TicketFact]:
    facts = []
    for t in history:
        if not t.events:
            continue  # a ticket is written with its "issued" event in one transaction; none: not ours to count
        facts.append(ticket_fact(
            ticket_id=t.id, visit_id=t.visit_id, site_id=t.site_id, agency_id=agency_of[t.service_id],
            service_id=t.service_id, channel=t.channel, priority=t.priority,
            events=[TicketEventRecord(e.at, e.kind, e.status, e.counter_id, e.actor_id) for e in t.events],
            referred_from_agency_id=(agency_of.get(t.referred_from_service_id)
                                     if t.referred_from_service_id is not None else None),
            booking_id=t.booking_id))
    return facts


def _in_scope(agency_id: Hashable | None, service_id: Hashable | None, scope: Scope) -> bool:
    if scope.service_id is not None:
        return service_id == scope.service_id
    if scope.agency_id is not None:
        return agency_id == scope.agency_id
    return True


@dataclass(frozen=True)
class _Context:
    """What a scope's facts are folded with: agencies of services and counters, the standards."""

    agency_of: dict[uuid.UUID, uuid.UUID]
    counter_agency: dict[uuid.UUID, uuid.UUID]
    settings: MeasureSettings


def _standard_minutes(services: Collection[catalogue.ServiceFacts]) -> dict[Hashable, int]:
    """The services' Standar Pelayanan times that the figures count against: whole minutes, 1 to 24 h."""
    return {svc.id: svc.time_value for svc in services
            if svc.time_unit == "minutes" and svc.time_value and 1 <= svc.time_value <= 24 * 60}


def _standards(s: Session, sites: Collection[catalogue.SiteFacts]) -> tuple[dict[str, int], dict[uuid.UUID, str]]:
    """The standards of these sites' services as kept glances take them (service id as text),
    and per site the fingerprint of its own (`rollup.standards_basis`)."""
    return _standards_of(catalogue.services_of_sites(s, {site.home_id for site in sites}), sites)


def _standards_of(services: Collection[catalogue.ServiceFacts],
                  sites: Collection[catalogue.SiteFacts]) -> tuple[dict[str, int], dict[uuid.UUID, str]]:
    minutes = _standard_minutes(services)
    per_home: dict[uuid.UUID, dict[str, int]] = {}
    for svc in services:
        if svc.id in minutes:
            per_home.setdefault(svc.site_id, {})[str(svc.id)] = minutes[svc.id]
    return ({str(k): v for k, v in minutes.items()},
            {site.id: standards_basis(per_home.get(site.home_id, {})) for site in sites})


def _context(s: Session, scope: Scope) -> _Context:
    services = catalogue.services_of_site(s, scope.site.home_id)
    standard = _standard_minutes(services)
    counter_agency = {c.id: c.agency_id for site_id in scope.site_ids for c in catalogue.site_counters(s, site_id)}
    return _Context({svc.id: svc.agency_id for svc in services}, counter_agency,
                    MeasureSettings(standard_minutes=standard))


def _queue_facts(s: Session, scope: Scope, ctx: _Context, start: date, end: date, as_of: datetime) -> Facts:
    """Tickets, counter spans and survey answers of local days start..end: what a settled day's
    stored rollup holds (none of it changes once the day is closed and over)."""
    tz, ids, agency_of = scope.site.timezone, scope.site_ids, ctx.agency_of
    lo, _ = day_bounds(start, tz)
    _, hi = day_bounds(end, tz)
    tickets = [t for t in _tickets(queue.ticket_history(s, ids, lo, hi, (start, end)), agency_of)
               if _in_scope(t.agency_id, t.service_id, scope)]
    log = [CounterLogEntry(r.counter_id, r.site_id, ctx.counter_agency[r.counter_id], r.at, r.action, r.officer_id)
           for r in queue.counter_log_between(s, ids, lo - timedelta(days=1), hi)
           if r.counter_id in ctx.counter_agency]
    spans = [sp for sp in counter_spans(log, tz, as_of)
             if scope.service_id is None and _in_scope(sp.agency_id, None, scope)]
    surveys = [SurveyFact(r.ticket_id, r.site_id, agency_of[r.service_id], r.service_id, r.submitted_at, r.answers,
                          r.regulation)
               for r in feedback.surveys_between(s, ids, start, end)
               if _in_scope(agency_of.get(r.service_id), r.service_id, scope)]
    return Facts(tickets=tickets, spans=spans, surveys=surveys)


def _judged_facts(s: Session, scope: Scope, ctx: _Context, start: date,
                  end: date) -> tuple[Facts, tuple[SurveyTallyFact, ...]]:
    """Bookings, complaints and applications (judged as of a moment, so never stored) and the
    paper survey tallies of local days start..end: small tables, read live."""
    tz, ids, agency_of = scope.site.timezone, scope.site_ids, ctx.agency_of
    lo, _ = day_bounds(start, tz)
    _, hi = day_bounds(end, tz)
    bookings = [BookingFact(b.id, b.site_id, agency_of[b.service_id], b.service_id, b.on_date, b.slot_start, b.status,
                            b.created_at, b.checked_in_at, b.grace_minutes)
                for b in queue.bookings_between(s, ids, start, end)
                if _in_scope(agency_of.get(b.service_id), b.service_id, scope)]
    paper = tuple(SurveyTallyFact(r.site_id, agency_of[r.service_id], r.service_id, r.starts_on, r.ends_on,
                                  r.respondents, r.tally, r.regulation)
                  for r in feedback.tallies_between(s, ids, start, end)
                  if _in_scope(agency_of.get(r.service_id), r.service_id, scope))
    complaints = [ComplaintFact(c.id, c.site_id, c.state, c.received_at, c.verify_due_at, c.agency_id, c.service_id,
                                c.triaged_at, c.due_at, c.answered_at)
                  for c in feedback.complaints_between(s, ids, lo, hi)
                  if _in_scope(c.agency_id, c.service_id, scope)]
    apps = [ApplicationFact(a.id, a.site_id, a.agency_id, a.service_id, a.received_at, a.due_at, a.finished_at)
            for a in applications.applications_between(s, ids, lo, hi)
            if _in_scope(a.agency_id, a.service_id, scope)]
    return Facts(bookings=bookings, complaints=complaints, applications=apps), paper


def load_facts(s: Session, scope: Scope, start: date, end: date, as_of: datetime) -> Loaded:
    """Every fact of the scope's sites whose local day lies in start..end, as the measures want them."""
    ctx = _context(s, scope)
    q = _queue_facts(s, scope, ctx, start, end, as_of)
    judged, paper = _judged_facts(s, scope, ctx, start, end)
    facts = Facts(tickets=q.tickets, spans=q.spans, bookings=judged.bookings, surveys=q.surveys,
                  complaints=judged.complaints, applications=judged.applications)
    return Loaded(scope, facts, paper, ctx.settings, as_of)


# --- Stored rollups of settled days ----------------------------------------------------------------
#
# A site's local day is settled once it is over (before the site's today) and either its queue
# day was closed or it issued no ticket: its tickets, counter time and survey answers no longer
# change, so its rollup is computed once and kept (`daily_rollups`). Figures read the kept days
# and compute only the other days (today, a past day the closer has not reached) from the raw
# facts. A kept day is rebuilt when its queue day's close differs from the one it was built after
# (closed again) or, on a site's own views, when its ticket count changed (a mobile unit syncing
# late); `satupintu oversight rollup` rebuilds on demand.

BUILD_CHUNK_DAYS = 31  # a run of missing days is read from the raw facts a month at a time


def _runs(day_list: Collection[date], limit: int = BUILD_CHUNK_DAYS) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days, each at most `limit` long."""
    out: list[tuple[date, date]] = []
    for d in sorted(day_list):
        if out and (d - out[-1][1]).days == 1 and (d - out[-1][0]).days < limit:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


@dataclass(frozen=True)
class _Plan:
    """Which (site, day) pairs of a range are kept and fresh, to be built, or to be computed live."""

    fresh: set[rollup_store.SiteDay]
    build: dict[rollup_store.SiteDay, datetime | None]  # -> the queue day's close
    live: dict[uuid.UUID, list[date]]
    stamps: dict[rollup_store.SiteDay, rollup_store.Stamp]


def _plan(s: Session, sites: Collection[catalogue.SiteFacts], start: date, end: date, moment: datetime,
          count_tickets: bool = True) -> _Plan:
    ids = [site.id for site in sites]
    closes = queue.day_closes(s, ids, start, end)
    counts = queue.tickets_per_day(s, ids, start, end) if count_tickets else None
    kept = rollup_store.stamps(s, ids, start, end)
    fresh: set[rollup_store.SiteDay] = set()
    build: dict[rollup_store.SiteDay, datetime | None] = {}
    live: dict[uuid.UUID, list[date]] = {}
    for site in sites:
        today = local_day(moment, site.timezone)
        for day in days(start, end):
            key = (site.id, day)
            closed_at = closes.get(key)
            stamp = kept.get(key)
            if day >= today:
                settled = False
            elif closed_at is not None:
                settled = True
            elif counts is not None:
                settled = counts.get(key, 0) == 0
            else:  # the national view does not count tickets: a kept empty day stays empty,
                # a day never kept is counted once below (kept when it issued no ticket)
                settled = stamp is None or stamp.closed_at is None
            if not settled:
                live.setdefault(site.id, []).append(day)
                continue
            if stamp is not None and stamp.closed_at == closed_at and (counts is None or
                                                                       stamp.tickets == counts.get(key, 0)):
                fresh.add(key)
            else:
                build[key] = closed_at
    if counts is None and any(k not in kept for k in build):
        # days never kept: count their tickets once, so an unclosed day with tickets stays live
        # (and an unclosed day without tickets is kept, as a site's own reading keeps it)
        missing = [k for k in build if k not in kept]
        first, last = min(d for _, d in missing), max(d for _, d in missing)
        counted = queue.tickets_per_day(s, {site_id for site_id, _ in missing}, first, last)
        for key in missing:
            if build[key] is None and counted.get(key, 0):
                del build[key]
                live.setdefault(key[0], []).append(key[1])
    return _Plan(fresh, build, live, kept)


def _day_rollups(s: Session, site: catalogue.SiteFacts, run: tuple[date, date], keep_days: Collection[date],
                 moment: datetime) -> dict[date, list[Rollup]]:
    """The tickets, counter time and survey rollups of a site's days in a run, from the raw facts."""
    scope = Scope(site, (site.id,))
    facts = _queue_facts(s, scope, _context(s, scope), run[0], run[1], moment)
    out: dict[date, list[Rollup]] = {d: [] for d in keep_days}
    for r in rollup(facts, site.timezone, as_of=moment):
        if r.key.day in out:
            out[r.key.day].append(r)
    return out


def _build(db: Database, sites: Mapping[uuid.UUID, catalogue.SiteFacts], build: Mapping[rollup_store.SiteDay,
           datetime | None], moment: datetime) -> list[rollup_store.Built]:
    """Roll up and keep the settled days to build; returns them as kept."""
    by_site: dict[uuid.UUID, list[date]] = {}
    for site_id, day in build:
        by_site.setdefault(site_id, []).append(day)
    built: list[rollup_store.Built] = []
    if not by_site:
        return built
    with db.read() as s:
        standard, bases = _standards(s, [sites[site_id] for site_id in by_site])
    for site_id, day_list in by_site.items():
        wanted = set(day_list)
        for run in _runs(day_list):
            part: list[rollup_store.Built] = []
            with db.read() as s:
                per_day = _day_rollups(s, sites[site_id], run, {d for d in days(*run) if d in wanted}, moment)
                # the queue's own count (a ticket written without events is not counted in the
                # figures, but must not make the day look changed on every reading)
                counts = queue.tickets_per_day(s, [site_id], run[0], run[1])
            for day, rs in per_day.items():
                part.append(rollup_store.Built(site_id, day, build[(site_id, day)], counts.get((site_id, day), 0), rs))
            rollup_store.keep(db, part, standard, bases)
            built += part
    return built


def _site_facts(s: Session, scope: Scope) -> dict[uuid.UUID, catalogue.SiteFacts]:
    out = {scope.site.id: scope.site}
    for site_id in scope.site_ids:
        if site_id not in out:
            found = catalogue.site(s, site_id)
            if found is not None:
                out[site_id] = found
    return out


def _keep_scope(r: Rollup, scope: Scope) -> bool:
    return _in_scope(r.key.agency_id, r.key.service_id, scope)


def _whole_site(scope: Scope) -> bool:
    """A site's own figures, no agency or service chosen and no events added: read from the kept
    headlines (one row per day or whole month), as the national view does."""
    return scope.agency_id is None and scope.service_id is None and scope.site_ids == (scope.site.id,)


def scope_rollups(db: Database, scope: Scope, start: date, end: date,
                  moment: datetime) -> tuple[list[Rollup], tuple[SurveyTallyFact, ...], MeasureSettings]:
    """The daily rollups of a scope over local days start..end: settled days from the store (kept
    first when missing or changed), the other days and everything judged as of `moment`
    (bookings, complaints, applications) from the raw facts; and the paper tallies and settings."""
    with db.read() as s:
        sites = _site_facts(s, scope)
        plan = _plan(s, list(sites.values()), start, end, moment)
    built = _build(db, sites, plan.build, moment)
    out: list[Rollup] = [r for b in built for r in fold(b.rollups) if _keep_scope(r, scope)]
    with db.read() as s:
        if plan.fresh:
            out += [r for r in rollup_store.read_rollups(s, scope.site_ids, start, end, plan.fresh)
                    if _keep_scope(r, scope)]
        ctx = _context(s, scope)
        for site_id, live_days in plan.live.items():
            wanted = set(live_days)
            for run in _runs(live_days, limit=MAX_RANGE_DAYS):
                site_scope = Scope(sites[site_id], (site_id,), scope.agency_id, scope.service_id)
                facts = _queue_facts(s, site_scope, ctx, run[0], run[1], moment)
                out += [r for r in fold(rollup(facts, scope.site.timezone, as_of=moment)) if r.key.day in wanted]
        judged, paper = _judged_facts(s, scope, ctx, start, end)
    out += [r for r in fold(rollup(judged, scope.site.timezone, as_of=moment)) if start <= r.key.day <= end]
    return out, paper, ctx.settings


def rebuild(db: Database, site_code: str | None = None, since: date | None = None,
            as_of: datetime | None = None) -> int:
    """Roll up and keep every settled day of one site (or every site) from `since` (default: the
    site's first ticket) to yesterday, replacing what was kept: the CLI's backfill. Returns how
    many days were kept."""
    moment = as_of or utcnow()
    with db.read() as s:
        if site_code is not None:
            sites = [catalogue.require_site(s, site_code)]
        else:
            sites = [site for site in (catalogue.site(s, i) for i in catalogue.site_codes(s)) if site is not None]
        firsts = {site.id: queue.first_ticket_day(s, site.id) for site in sites}
    kept = 0
    for site in sites:
        first = since or firsts[site.id]
        last = local_day(moment, site.timezone) - timedelta(days=1)
        if first is None or first > last:
            continue
        with db.read() as s:
            plan = _plan(s, [site], first, last, moment)
        build = dict(plan.build)
        build.update({k: plan.stamps[k].closed_at for k in plan.fresh})
        kept += len(_build(db, {site.id: site}, build, moment))
    return kept


@dataclass(frozen=True)
class Horizon:
    """Up to which local day (exclusive) a site's raw queue records are no longer read by its
    figures: every day before `day` is settled and its rollup kept (or about to be)."""

    site_id: uuid.UUID
    code: str
    timezone: str
    day: date
    to_keep: int  # settled days whose rollup is not kept yet (kept before anything is removed)


def settled_horizons(db: Database, keep_days: int, *, keep: bool = True,
                     as_of: datetime | None = None) -> list[Horizon]:
    """Per site, the first local day whose raw records the figures may still read, at most today
    less `keep_days`: the first day before it that is not settled yet (an unclosed day with
    tickets) stops it. With `keep`, the settled days before it whose rollups are missing or stale
    are rolled up and kept first, so the figures of every day before the horizon come from the
    kept rollups alone (the retention command's guard; never a day an open report needs)."""
    moment = as_of or utcnow()
    with db.read() as s:
        sites = [site for site in (catalogue.site(s, i) for i in catalogue.site_codes(s)) if site is not None]
        firsts = {site.id: queue.first_ticket_day(s, site.id) for site in sites}
    out = []
    for site in sites:
        cutoff = local_day(moment, site.timezone) - timedelta(days=keep_days)
        first = firsts[site.id]
        if first is None or first >= cutoff:
            out.append(Horizon(site.id, site.code, site.timezone, cutoff, 0))
            continue
        with db.read() as s:
            plan = _plan(s, [site], first, cutoff - timedelta(days=1), moment)
        live = plan.live.get(site.id, [])
        horizon = min([cutoff, *live])
        build = {k: v for k, v in plan.build.items() if k[1] < horizon}
        if keep and build:
            _build(db, {site.id: site}, build, moment)
        out.append(Horizon(site.id, site.code, site.timezone, horizon, len(build)))
    return out


def summary(db: Database, actor: Actor, site_code: str, start: date, end: date, *, agency: str | None = None,
            service: str | None = None, with_events: bool = False, as_of: datetime | None = None,
            exact: bool = False) -> Summary:
    """The figures of a site (an agency, a service) over local days start..end, from the daily
    rollups (settled days kept, the others computed; percentiles to the minute), or computed
    exactly from the recorded facts when `exact`."""
    db = db.reports()  # the read replica, when one is set
    check_range(start, end)
    moment = as_of or utcnow()
    with db.read() as s:
        scope = _scope(s, actor, site_code, agency, service, with_events)
        if exact:
            loaded = load_facts(s, scope, start, end, moment)
    if exact:
        return exact_summary(loaded.facts, scope.site.timezone, start, end, loaded.settings, as_of=moment,
                             paper=loaded.paper)
    if _whole_site(scope):
        return national_figures(db, [scope.site], start, end, moment, count_tickets=True)[scope.site.id]
    rollups, paper, settings = scope_rollups(db, scope, start, end, moment)
    return summarize(rollups, settings, tallies_within(paper, start, end))


# --- The history dashboard -----------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a day or an agency, and its figures."""

    key: str  # ISO day, or agency code
    label: str
    figures: Summary


@dataclass(frozen=True)
class Dashboard:
    site: catalogue.SiteFacts
    start: date
    end: date
    previous: tuple[date, date]
    agency: catalogue.AgencyFacts | None
    service: catalogue.ServiceFacts | None
    agencies: list[catalogue.AgencyFacts]  # for the filter
    services: list[catalogue.ServiceFacts]  # for the filter (of the chosen agency, if any)
    figures: Summary
    changes: list[Change]
    per_day: list[Row]
    per_agency: list[Row]
    heatmap: Heatmap
    threshold_minutes: int


HEADLINES = ("visitors", "served", "no_show", "wait_median_s", "wait_p90_s", "over_threshold_share",
             "service_mean_s", "within_standard_share", "utilisation", "ikm", "skm_response_rate",
             "complaints_answered_on_time_share", "applications_on_time_share", "bookings_made")


def _subset(facts: Facts, keep_ticket: Callable[[TicketFact], bool],
            keep_agency: Callable[[Hashable], bool] = lambda _: True) -> Facts:
    tickets = [t for t in facts.tickets if keep_ticket(t)]
    return Facts(tickets=tickets, spans=[sp for sp in facts.spans if keep_agency(sp.agency_id)],
                 bookings=[b for b in facts.bookings if keep_agency(b.agency_id)],
                 surveys=[sv for sv in facts.surveys if keep_agency(sv.agency_id)],
                 complaints=[c for c in facts.complaints if keep_agency(c.agency_id)],
                 applications=[a for a in facts.applications if keep_agency(a.agency_id)])


def _issued_on(tz: str, day: date) -> Callable[[TicketFact], bool]:
    return lambda t: local_day(t.issued_at, tz) == day


def _is(agency_id: uuid.UUID) -> Callable[[Hashable], bool]:
    return lambda other: other == agency_id


def _of_agency(agency_id: uuid.UUID) -> Callable[[TicketFact], bool]:
    return lambda t: t.agency_id == agency_id


Piece = tuple[date, Hashable | None, rollup_store.AgencyGlance]  # a day's figures of one agency


def _pieces_of(rollups: Collection[Rollup], standard: Mapping[str, int]) -> list[Piece]:
    per: dict[tuple[date, Hashable | None], list[Rollup]] = {}
    for r in rollups:
        per.setdefault((r.key.day, r.key.agency_id), []).append(r)
    return [(day, agency, rollup_store.agency_glance_of(headline(rs), standard))
            for (day, agency), rs in per.items()]


def _agency_pieces(db: Database, scope: Scope, start: date, end: date,
                   moment: datetime) -> tuple[list[Piece], tuple[SurveyTallyFact, ...], MeasureSettings]:
    """A site's (or one agency's) figures per local day and agency over start..end: kept days
    read per agency without decoding each service, the other days and everything judged as of
    `moment` from the raw facts (as `scope_rollups`)."""
    with db.read() as s:
        sites = _site_facts(s, scope)
        plan = _plan(s, list(sites.values()), start, end, moment)
        ctx = _context(s, scope)
    standard = {str(k): v for k, v in ctx.settings.standard_minutes.items()}
    built = _build(db, sites, plan.build, moment)
    pieces: list[Piece] = []
    for b in built:
        pieces += _pieces_of(fold(b.rollups), standard)
    with db.read() as s:
        if plan.fresh:
            pieces += rollup_store.agency_glances(s, scope.site.id, start, end, {d for _, d in plan.fresh},
                                                  standard)
        for site_id, live_days in plan.live.items():
            wanted = set(live_days)
            for run in _runs(live_days, limit=MAX_RANGE_DAYS):
                site_scope = Scope(sites[site_id], (site_id,), scope.agency_id, scope.service_id)
                facts = _queue_facts(s, site_scope, ctx, run[0], run[1], moment)
                pieces += _pieces_of([r for r in rollup(facts, scope.site.timezone, as_of=moment)
                                      if r.key.day in wanted], standard)
        judged, paper = _judged_facts(s, scope, ctx, start, end)
    pieces += _pieces_of([r for r in rollup(judged, scope.site.timezone, as_of=moment)
                          if start <= r.key.day <= end], standard)
    if scope.agency_id is not None:
        pieces = [p for p in pieces if p[1] == scope.agency_id]
    return pieces, paper, ctx.settings


def _figures(pieces: Collection[Piece], settings: MeasureSettings,
             paper: Collection[SurveyTallyFact] = ()) -> Summary:
    glances = [g for _, _, g in pieces]
    totals = glances[0].totals if len(glances) == 1 else merge_totals(g.totals for g in glances)
    return summarize_counted(totals, sum(g.with_standard for g in glances), sum(g.within_standard for g in glances),
                             settings, list(paper))


def dashboard(db: Database, actor: Actor, site_code: str, start: date, end: date, *, agency: str | None = None,
              service: str | None = None, as_of: datetime | None = None) -> Dashboard:
    """The figures of a period beside the previous period of equal length, per day and per agency,
    and the arrivals by weekday and hour, from the daily rollups (`scope_rollups`)."""
    db = db.reports()  # the read replica, when one is set
    check_range(start, end)
    moment = as_of or utcnow()
    prev = previous_range(start, end)
    with db.read() as s:
        scope = _scope(s, actor, site_code, agency, service, False)
        agencies = catalogue.site_agencies(s, scope.site.home_id)
        services = [v for v in catalogue.services_of_site(s, scope.site.home_id)
                    if scope.agency_id is None or v.agency_id == scope.agency_id]
        closed = catalogue.closed_dates(s, scope.site_ids)
    if scope.service_id is not None:  # one service: its own rollups
        now_part, paper, settings = scope_rollups(db, scope, start, end, moment)
        earlier, earlier_paper, _ = scope_rollups(db, scope, prev[0], prev[1], moment)
        pieces = _pieces_of(now_part, {str(k): v for k, v in settings.standard_minutes.items()})
        before = summarize(earlier, settings, tallies_within(earlier_paper, *prev))
    else:
        pieces, paper, settings = _agency_pieces(db, scope, start, end, moment)
        if _whole_site(scope):
            before = national_figures(db, [scope.site], prev[0], prev[1], moment, count_tickets=True)[scope.site.id]
        else:
            old_pieces, earlier_paper, _ = _agency_pieces(db, scope, prev[0], prev[1], moment)
            before = (_figures(old_pieces, settings, tallies_within(earlier_paper, *prev)) if old_pieces
                      else summarize([], settings, tallies_within(earlier_paper, *prev)))
    current = _figures(pieces, settings, tallies_within(paper, start, end)) if pieces else \
        summarize([], settings, tallies_within(paper, start, end))
    by_day: dict[date, list[Piece]] = {}
    by_agency: dict[Hashable | None, list[Piece]] = {}
    for piece in pieces:
        by_day.setdefault(piece[0], []).append(piece)
        by_agency.setdefault(piece[1], []).append(piece)
    per_day = [Row(day.isoformat(), f"{day:%d/%m}", _figures(by_day[day], settings))
               for day in days(start, end) if any(g.totals.count(TICKETS) for _, _, g in by_day.get(day, ()))]
    per_agency = []
    for a in agencies:
        if scope.agency_id is not None and a.id != scope.agency_id:
            continue
        mine = tallies_within([p for p in paper if p.agency_id == a.id], start, end)
        figures = _figures(by_agency[a.id], settings, mine) if a.id in by_agency else summarize([], settings, mine)
        if figures.tickets or figures.complaints.received or figures.skm.respondents:
            per_agency.append(Row(a.code, a.name, figures))
    arrivals = [Rollup(RollupKey(day, scope.site.id), g.totals) for day, _, g in pieces]
    chosen_agency = next((a for a in agencies if a.id == scope.agency_id), None)
    chosen_service = next((v for v in services if v.id == scope.service_id), None)
    return Dashboard(scope.site, start, end, prev, chosen_agency, chosen_service, agencies, services, current,
                     compare(current, before, HEADLINES), per_day, per_agency,
                     heatmap(arrivals, start, end, closed), settings.wait_threshold_minutes)


# --- The national view ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NationalRow:
    code: str
    name: str
    is_event: bool
    parent_code: str | None
    place: Place
    figures: Summary
    facilities_share: float | None  # the facilities checklist's measure (available + half of partial)


def national(db: Database, actor: Actor, start: date, end: date, *, province: str | None = None,
             regency: str | None = None, as_of: datetime | None = None) -> list[NationalRow]:
    """Every site and mobile event side by side over local days start..end (the overseer's view),
    filtered by province or regency code."""
    db = db.reports()  # the read replica, when one is set
    if not actor.is_overseer:
        raise Forbidden()
    check_range(start, end)
    moment = as_of or utcnow()
    with db.read() as s:
        listed = catalogue.sites_with_addresses(s)
    by_id = {site.id: site for site, _ in listed}
    places = {site.id: place_of(site.name, address, by_id[site.parent_site_id].name
                                if site.parent_site_id in by_id else "") for site, address in listed}
    chosen = [site for site, _ in listed
              if (not province or places[site.id].province_code == province)
              and (not regency or places[site.id].regency_code == regency)]
    chosen.sort(key=lambda x: (places[x.id].province, places[x.id].regency, x.is_event, x.name))
    figures = national_figures(db, chosen, start, end, moment)
    shares = facility_service.available_shares(db, {site.id: site.timezone for site in chosen}, moment)
    return [NationalRow(site.code, site.name, site.is_event,
                        by_id[site.parent_site_id].code if site.parent_site_id in by_id else None,
                        places[site.id], figures[site.id], shares[site.id]) for site in chosen]


def _months_within(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months lying wholly inside start..end, as (first day, last day)."""
    out: list[tuple[date, date]] = []
    m = start.replace(day=1) if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    while True:
        last = (m + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if last > end:
            return out
        out.append((m, last))
        m = last + timedelta(days=1)


def national_figures(db: Database, sites: list[catalogue.SiteFacts], start: date, end: date,
                     moment: datetime, count_tickets: bool = False) -> dict[uuid.UUID, Summary]:
    """Each site's own figures (its events apart) over local days start..end, reading one kept
    row per site and whole month (`monthly_rollups`, merged from the kept days and merged again
    when one of them was rebuilt or its queue day closed again), kept days for the rest of the
    range, the raw facts for days not settled, and bookings, complaints, applications and paper
    tallies of all sites at once. A site whose every whole month is kept and unchanged is read
    day by day only around those months. Over a range of `RANGE_MIN_DAYS` or more whose every day
    is kept, a site is read from one kept range glance (`range_rollups`, merged from its months
    and days on the reading before and merged again when its stamp or standards change).
    `count_tickets`: also rebuild kept days whose ticket count changed (a site's own views do;
    the national view trusts the kept days and the day closes)."""
    ids = [site.id for site in sites]
    months = _months_within(start, end)
    with db.read() as s:
        services = catalogue.services_of_sites(s, {site.home_id for site in sites})
        settings = MeasureSettings(standard_minutes=_standard_minutes(services))
        standard, bases = _standards_of(services, sites)
        # a long range wholly kept: its glance per site, kept whole (see `range_rollups`)
        range_marks = (_range_marks(s, ids, start, end)
                       if not count_tickets and (end - start).days + 1 >= RANGE_MIN_DAYS else {})
        kept_ranges = rollup_store.read_ranges(s, list(range_marks), start, end, bases)
    parts: dict[uuid.UUID, list[Glance]] = {site.id: [] for site in sites}
    ranged = {sid for sid, (stamp, _) in kept_ranges.items() if stamp == range_marks[sid]}
    for sid in ranged:
        parts[sid].append(kept_ranges[sid][1])
    unkept: set[uuid.UUID] = set()
    _national_kept(db, [site for site in sites if site.id not in ranged], start, end, months, moment,
                   count_tickets, (standard, bases), parts, unkept)
    # ranges read from their days and months, every one kept: merged and kept for the next reading
    new_ranges = {}
    for sid, stamp in range_marks.items():
        if sid not in ranged and sid not in unkept:
            merged = replace(merge_glances(parts[sid]), basis=bases[sid])
            parts[sid] = [merged]
            new_ranges[sid] = (stamp, merged)
    rollup_store.keep_ranges(db, start, end, new_ranges)
    agency_of = {svc.id: svc.agency_id for svc in services}
    with db.read() as s:
        judged, paper = _judged_all(s, sites, agency_of, start, end)
    for site in sites:
        rs = [r for r in rollup(judged.get(site.id, Facts()), site.timezone, as_of=moment) if start <= r.key.day <= end]
        if rs:
            parts[site.id].append(Glance.of(headline(rs), standard, bases[site.id]))
    return {site.id: summarize_glance(merge_glances(parts[site.id]), settings,
                                      tallies_within(paper.get(site.id, []), start, end)) for site in sites}


def _national_kept(db: Database, sites: list[catalogue.SiteFacts], start: date, end: date,
                   months: list[tuple[date, date]], moment: datetime, count_tickets: bool,
                   standards: tuple[Mapping[str, int], Mapping[uuid.UUID, str]],
                   parts: dict[uuid.UUID, list[Glance]], unkept: set[uuid.UUID]) -> None:
    """Adds to `parts` the sites' glances of local days start..end from their kept month rows
    and days, and from the raw facts of days not settled (those sites are put in `unkept`)."""
    if not sites:
        return
    ids = [site.id for site in sites]
    standard, bases = standards
    with db.read() as s:
        marks = _month_marks(s, ids, months)
        retaken: dict[rollup_store.SiteDay, rollup_store.Retaken] = {}
        stored = rollup_store.read_months(s, ids, [m for m, _ in months], standard, bases, retaken)
    whole = [site for site in sites if months and not count_tickets and all(
        (got := stored.get((site.id, first))) is not None and got[0] == marks.get((site.id, first))
        for first, _ in months)]
    for site in whole:
        parts[site.id] += [stored[(site.id, first)][1] for first, _ in months]
    # months kept against other standards, retaken from their headline: kept for the next reading
    rollup_store.keep_glances(db, {}, {k: r for k, r in retaken.items() if stored[k][0] == marks.get(k)})
    rest = [site for site in sites if site not in whole]
    if whole:
        for a, b in ((start, months[0][0] - timedelta(days=1)), (months[-1][1] + timedelta(days=1), end)):
            if a <= b:
                _national_days(db, whole, a, b, [], moment, count_tickets, standards, parts, unkept)
    if rest:
        _national_days(db, rest, start, end, months, moment, count_tickets, standards, parts, unkept)


def _month_marks(s: Session, ids: Collection[uuid.UUID], months: Collection[tuple[date, date]]
                 ) -> dict[rollup_store.SiteDay, str]:
    """Per site and whole month whose every day is kept: a mark of its kept days and its queue
    day closes (how many, the latest build and close), which changes when a day is rebuilt or
    closed again."""
    return {(site_id, first): mark for first, last in months
            for site_id, mark in _range_marks(s, ids, first, last).items()}


def _range_marks(s: Session, ids: Collection[uuid.UUID], first: date, last: date) -> dict[uuid.UUID, str]:
    """Per site whose every day of first..last is kept: a mark of its kept days and its queue
    day closes there (how many, the latest build and close), which changes when a day is rebuilt
    or closed again (a rebuilt day is built later than any kept one, a day closed again later
    than any close)."""
    out = {}
    closes = queue.day_close_marks(s, ids, first, last)
    for site_id, (n, built) in rollup_store.day_marks(s, ids, first, last).items():
        if n == (last - first).days + 1:
            c = closes.get(site_id, (0, None))
            out[site_id] = hashlib.sha256(f"{n}|{built}|{c[0]}|{c[1]}".encode()).hexdigest()
    return out


def _national_days(db: Database, sites: list[catalogue.SiteFacts], start: date, end: date,
                   months: list[tuple[date, date]], moment: datetime, count_tickets: bool,
                   standards: tuple[Mapping[str, int], Mapping[uuid.UUID, str]],
                   parts: dict[uuid.UUID, list[Glance]], unkept: set[uuid.UUID]) -> None:
    """Adds to `parts` the sites' glances of local days start..end: whole `months` from their
    kept month rows (merged and kept again when changed), the other kept days one by one, the
    days not settled from the raw facts (those sites, and the ones with days kept now, are put
    in `unkept`)."""
    ids = [site.id for site in sites]
    site_map = {site.id: site for site in sites}
    standard, bases = standards
    with db.read() as s:
        plan = _plan(s, sites, start, end, moment, count_tickets=count_tickets)
    unkept.update(plan.live)
    unkept.update(site_id for site_id, _ in plan.build)
    _build(db, site_map, plan.build, moment)
    kept_keys = plan.fresh | set(plan.build)
    new_months: dict[rollup_store.SiteDay, tuple[str, Headline]] = {}
    with db.read() as s:
        marks = _month_marks(s, ids, months)
        retaken_months: dict[rollup_store.SiteDay, rollup_store.Retaken] = {}
        retaken_days: dict[rollup_store.SiteDay, rollup_store.Retaken] = {}
        stored = rollup_store.read_months(s, ids, [m for m, _ in months], standard, bases, retaken_months)
        covered: set[rollup_store.SiteDay] = set()
        to_merge: dict[rollup_store.SiteDay, tuple[str, list[date]]] = {}
        for site in sites:
            for first, last in months:
                month_days = list(days(first, last))
                keys = [(site.id, d) for d in month_days]
                stamp = marks.get((site.id, first))
                if stamp is None or not all(k in kept_keys for k in keys):
                    continue
                got = stored.get((site.id, first))
                if got is not None and got[0] == stamp:
                    parts[site.id].append(got[1])
                else:
                    to_merge[(site.id, first)] = (stamp, month_days)
                covered.update(keys)
        merging = {(sid, d) for (sid, _), (_, ds) in to_merge.items() for d in ds}
        heads = rollup_store.read_headlines(s, ids, start, end, merging) if merging else {}
        for (sid, first), (stamp, ds) in to_merge.items():
            merged = merge_headlines(rollup_store.decode_headline(heads[(sid, d)]) for d in ds if (sid, d) in heads)
            new_months[(sid, first)] = (stamp, merged)
            parts[sid].append(Glance.of(merged, standard, bases[sid]))
        loose = kept_keys - covered
        if loose:
            for (sid, _), g in rollup_store.read_glances(s, ids, start, end, loose, standard, bases,
                                                          retaken_days).items():
                parts[sid].append(g)
        for sid, live_days in plan.live.items():
            site = site_map[sid]
            scope = Scope(site, (sid,))
            ctx = _context(s, scope)
            wanted_days = set(live_days)
            for run in _runs(live_days, limit=MAX_RANGE_DAYS):
                facts = _queue_facts(s, scope, ctx, run[0], run[1], moment)
                h = headline(r for r in rollup(facts, site.timezone, as_of=moment) if r.key.day in wanted_days)
                parts[sid].append(Glance.of(h, standard, bases[sid]))
    rollup_store.keep_months(db, new_months, standard, bases)
    rollup_store.keep_glances(db, retaken_days, {k: r for k, r in retaken_months.items()
                                                 if k not in new_months and stored[k][0] == marks.get(k)})


def _judged_all(s: Session, sites: list[catalogue.SiteFacts], agency_of: Mapping[uuid.UUID, uuid.UUID], start: date,
                end: date) -> tuple[dict[uuid.UUID, Facts], dict[uuid.UUID, list[SurveyTallyFact]]]:
    """Bookings, complaints, applications and paper tallies of many sites, one query each."""
    ids = [site.id for site in sites]
    if not ids:
        return {}, {}
    lo = min(day_bounds(start, site.timezone)[0] for site in sites)
    hi = max(day_bounds(end, site.timezone)[1] for site in sites)
    bookings: dict[uuid.UUID, list[BookingFact]] = {}
    for b in queue.bookings_between(s, ids, start, end):
        bookings.setdefault(b.site_id, []).append(BookingFact(
            b.id, b.site_id, agency_of.get(b.service_id), b.service_id, b.on_date, b.slot_start, b.status,
            b.created_at, b.checked_in_at, b.grace_minutes))
    complaints: dict[uuid.UUID, list[ComplaintFact]] = {}
    for c in feedback.complaints_between(s, ids, lo, hi):
        complaints.setdefault(c.site_id, []).append(ComplaintFact(
            c.id, c.site_id, c.state, c.received_at, c.verify_due_at, c.agency_id, c.service_id, c.triaged_at,
            c.due_at, c.answered_at))
    apps: dict[uuid.UUID, list[ApplicationFact]] = {}
    for a in applications.applications_between(s, ids, lo, hi):
        apps.setdefault(a.site_id, []).append(ApplicationFact(a.id, a.site_id, a.agency_id, a.service_id,
                                                              a.received_at, a.due_at, a.finished_at))
    paper: dict[uuid.UUID, list[SurveyTallyFact]] = {}
    for r in feedback.tallies_between(s, ids, start, end):
        paper.setdefault(r.site_id, []).append(SurveyTallyFact(
            r.site_id, agency_of.get(r.service_id), r.service_id, r.starts_on, r.ends_on, r.respondents, r.tally,
            r.regulation))
    facts = {sid: Facts(bookings=bookings.get(sid, []), complaints=complaints.get(sid, []),
                        applications=apps.get(sid, []))
             for sid in set(bookings) | set(complaints) | set(apps)}
    return facts, paper
