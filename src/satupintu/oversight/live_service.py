"""The site manager's live dashboard (`/kelola/{site}/dasbor`): today so far, read in one
transaction. Today's visitors, tickets by channel, served and median wait are the history
dashboard's measures over today's facts; the month's IKM is the same measure over the month's
survey answers; what is waiting and which counters are open come from the queue's named reads of
the present moment, folded by the pure rules of `live.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..catalogue import queries as catalogue
from ..db import Database
from ..feedback import queries as feedback
from ..queueing import queries as queue
from ..scope import Actor
from ..timeutil import utcnow
from . import live as rules
from .facts import Facts, SurveyFact, SurveyTallyFact
from .measures import DEFAULT_WAIT_THRESHOLD_MINUTES, exact_summary
from .periods import local_day
from .service import _in_scope, _scope, load_facts


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    waiting: int
    oldest_minutes: int | None


@dataclass(frozen=True)
class Longest:
    number: str
    agency: str
    service: str
    minutes: int


@dataclass(frozen=True)
class Alert:
    kind: str  # "long_wait" or "no_officer"
    agency: str
    counter: int | None
    minutes: int | None


@dataclass(frozen=True)
class LiveDashboard:
    site: catalogue.SiteFacts
    day: date
    as_of: datetime
    agency: catalogue.AgencyFacts | None  # an agency's own staff see their agency only
    visitors: int
    tickets: int
    by_channel: dict[str, int]  # kiosk, booking, referral, reception, mobile (all keys, zeros too)
    served: int
    wait_median_s: float | None
    waiting: int
    per_agency: list[AgencyRow]
    longest: Longest | None
    counters_open: int
    counters_closed: int
    counters_idle: int
    alerts: list[Alert]
    threshold_minutes: int
    ikm: Decimal | None  # the month so far
    ikm_grade: str | None
    ikm_respondents: int


CHANNELS = ("kiosk", "booking", "referral", "reception", "mobile")


def live(db: Database, actor: Actor, site_code: str, *, as_of: datetime | None = None,
         threshold_minutes: int = DEFAULT_WAIT_THRESHOLD_MINUTES) -> LiveDashboard:
    """Today so far at a site (an agency's staff: their agency), as of now."""
    now = as_of or utcnow()
    with db.read() as s:
        scope = _scope(s, actor, site_code, None, None, False)
        site = scope.site
        tz = site.timezone
        today = local_day(now, tz)
        month = today.replace(day=1)
        loaded = load_facts(s, scope, today, today, now)
        services = {v.id: v for v in catalogue.services_of_site(s, site.home_id)}
        agencies = [a for a in catalogue.site_agencies(s, site.home_id)
                    if scope.agency_id is None or a.id == scope.agency_id]
        names = {a.id: a for a in catalogue.site_agencies(s, site.home_id)}
        counter_facts = {c.id: c for c in catalogue.site_counters(s, site.id)}
        waiting = [rules.Waiting(w.number, services[w.service_id].agency_id, services[w.service_id].name,
                                 w.issued_at)
                   for w in queue.waiting_now(s, site.id, today)
                   if w.service_id in services and _in_scope(services[w.service_id].agency_id, None, scope)]
        now_state = {c.counter_id: c for c in queue.counters_now(s, site.id)}
        counters = []
        for c in counter_facts.values():  # a counter in use: one never opened is closed
            if c.status != "open" or not _in_scope(c.agency_id, None, scope):
                continue
            st = now_state.get(c.id)
            counters.append(rules.Counter(c.number, c.agency_id, bool(st and st.is_open), bool(st and st.serving),
                                          bool(st and st.has_officer)))
        surveys = [SurveyFact(r.ticket_id, r.site_id, services[r.service_id].agency_id, r.service_id,
                              r.submitted_at, r.answers, r.regulation)
                   for r in feedback.surveys_between(s, scope.site_ids, month, today)
                   if r.service_id in services and _in_scope(services[r.service_id].agency_id, None, scope)]
        paper = [SurveyTallyFact(r.site_id, services[r.service_id].agency_id, r.service_id, r.starts_on, r.ends_on,
                                 r.respondents, r.tally, r.regulation)
                 for r in feedback.tallies_between(s, scope.site_ids, month, today)
                 if r.service_id in services and _in_scope(services[r.service_id].agency_id, None, scope)]
    figures = exact_summary(loaded.facts, tz, today, today, loaded.settings, as_of=now)
    skm = exact_summary(Facts(surveys=surveys), tz, month, today, loaded.settings, as_of=now, paper=paper).skm
    rows = rules.per_agency(waiting, [a.id for a in agencies], now)
    longest = rules.longest(waiting, now)
    counts = rules.tally(counters)

    def code(agency_id: object) -> str:
        a = names.get(agency_id)  # type: ignore[call-overload]
        return a.code if a else "?"

    return LiveDashboard(
        site=site, day=today, as_of=now, agency=names.get(scope.agency_id) if scope.agency_id else None,
        visitors=figures.visitors, tickets=figures.tickets,
        by_channel={ch: int(figures.by_channel.get(ch, 0)) for ch in CHANNELS}, served=figures.served,
        wait_median_s=figures.wait.median_s, waiting=len(waiting),
        per_agency=[AgencyRow(code(r.agency), names[r.agency].name if r.agency in names else "?",  # type: ignore[index]
                              r.waiting, r.oldest_minutes) for r in rows],
        longest=Longest(longest.number, code(longest.agency), longest.service, longest.minutes) if longest else None,
        counters_open=counts.open, counters_closed=counts.closed, counters_idle=counts.idle,
        alerts=[Alert(a.kind, code(a.agency), a.counter, a.minutes)
                for a in rules.alerts(counters, rows, threshold_minutes)],
        threshold_minutes=threshold_minutes, ikm=skm.ikm, ikm_grade=skm.grade, ikm_respondents=skm.respondents)
