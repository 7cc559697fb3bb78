"""The figures of oversight pages: from rollups, or exactly from raw facts. Pure, no I/O.

Two ways to the same `Summary`:

- `summarize(rollups, settings)`: from merged rollups (fast: a year of a busy mall, ~300k tickets,
  is ~50k daily rollups and summarises in about 0.3 s on one core). Percentiles are to the minute
  (see `distribution`).
- `exact_summary(facts, tz, start, end, settings, as_of=...)`: straight from the facts of a range
  of local days, with exact percentiles; what a test recomputes to check a page.

Every other figure is identical on both ways (tests check this). Definitions:

- visitors: visits (a visit's first ticket); referred_in: tickets that came by referral; a
  referred visitor is never a new visitor. Site visitors = the sum over agencies.
- tickets by channel, by priority class; outcomes: served, referred on, no-show, withdrawn,
  closed unserved, open (each ticket has one, `facts.Outcome`).
- wait: issued to first call, over tickets that were called; share over the site's threshold:
  called tickets that waited longer than `wait_threshold_minutes`, over called tickets.
- service time: start to finish (served or referred on); against the Standar Pelayanan: tickets
  of services whose standard is in minutes, served within it.
- utilisation: counter busy time over open time.
- SKM: the index of PermenPANRB 14/2017 from the responses (`feedback.skm`) and any paper
  tallies, its respondents against the Krejcie-Morgan sample for the tickets served (status done,
  plus paper respondents, as the feedback report counts), and the response rate.
- complaints: received; verified on time over (triaged + overdue for triage); answered on time
  over (answered with a deadline + open past the deadline), so leaving a complaint unanswered
  never raises the rate; bookings: made, checked in, cancelled, no-show, pending.
- applications: finished on time over finished with a deadline.
- shares are None when their denominator is 0.

Grouping (`report`) is by any of site, agency, service, counter, officer and by hour, day, ISO
week, month or the whole range, in the site's local time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ..errors import Errors
from ..feedback import skm
from ..queueing.policy import Channel, Priority
from .distribution import BUCKET_US, MAX_BUCKET, Distribution, exact_count_over, micros, percentile, seconds
from .facts import SKM_REGULATION, BookingOutcome, Facts, Id, Outcome, PlanFact, SurveyTallyFact, TicketFact
from .periods import Grain, Period, day_bounds, days, local_day, period_of, require_aware, to_local
from .rollup import (
    APPS_FINISHED,
    APPS_FINISHED_DUE,
    APPS_ON_TIME,
    APPS_OPEN_OVERDUE,
    APPS_RECEIVED,
    BOOKINGS_MADE,
    COMPLAINTS_ANSWER_OVERDUE,
    COMPLAINTS_ANSWERED,
    COMPLAINTS_ANSWERED_DUE,
    COMPLAINTS_ANSWERED_ON_TIME,
    COMPLAINTS_RECEIVED,
    COMPLAINTS_TRIAGED,
    COMPLAINTS_VERIFIED_ON_TIME,
    COMPLAINTS_VERIFY_OVERDUE,
    HOURS,
    INVERTED,
    PRIORITY_TICKETS,
    REFERRED_IN,
    RESPONDENTS,
    TICKETS,
    VISITORS,
    Glance,
    Rollup,
    Totals,
    booking_count,
    busy_intervals,
    channel_count,
    merge,
    outcome_count,
    overlap_us,
    priority_count,
)

DEFAULT_WAIT_THRESHOLD_MINUTES = 30


@dataclass(frozen=True)
class MeasureSettings:
    """What the figures are judged against: the site's waiting threshold and the services' standards."""

    wait_threshold_minutes: int = DEFAULT_WAIT_THRESHOLD_MINUTES
    standard_minutes: Mapping[Id, int] = field(default_factory=dict)  # service -> Standar Pelayanan, minutes

    def __post_init__(self) -> None:
        errors = Errors()
        if not 1 <= self.wait_threshold_minutes <= MAX_BUCKET:
            errors.add("wait_threshold_minutes", f"Batas waktu tunggu harus antara 1 dan {MAX_BUCKET} menit.")
        for service, minutes in self.standard_minutes.items():
            if not 1 <= minutes <= MAX_BUCKET:
                errors.add("standard_minutes",
                           f"Standar waktu layanan {service} harus antara 1 dan {MAX_BUCKET} menit.")
        errors.raise_if_any()


@dataclass(frozen=True)
class Durations:
    count: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class SkmFigures:
    respondents: int
    population: int  # visitors served (status done)
    required_sample: int  # Krejcie-Morgan for the population
    sample_sufficient: bool
    response_rate: float | None
    ikm: Decimal | None  # 25-100, two decimals; None without respondents
    grade: str | None


@dataclass(frozen=True)
class ComplaintFigures:
    received: int
    triaged: int
    verified_on_time: int
    verify_overdue: int
    answered: int
    answered_with_due: int
    answered_on_time: int
    answer_overdue: int
    verified_on_time_share: float | None
    answered_on_time_share: float | None

    @property
    def overdue(self) -> int:
        return self.verify_overdue + self.answer_overdue


@dataclass(frozen=True)
class ApplicationFigures:
    received: int
    open_overdue: int
    finished: int
    finished_with_due: int
    on_time: int
    on_time_share: float | None


@dataclass(frozen=True)
class Summary:
    visitors: int
    tickets: int
    referred_in: int
    priority_tickets: int
    by_channel: Mapping[str, int]
    by_priority: Mapping[str, int]
    outcomes: Mapping[str, int]
    wait: Durations
    waited_over_threshold: int
    over_threshold_share: float | None
    service: Durations
    with_standard: int  # tickets with a service time, of services with a minute standard
    within_standard: int
    within_standard_share: float | None
    open_s: float
    busy_s: float
    utilisation: float | None
    bookings: Mapping[str, int]  # made, checked_in, cancelled, no_show, pending
    skm: SkmFigures
    complaints: ComplaintFigures
    applications: ApplicationFigures
    referrals_from: Mapping[Id, int]  # sending agency -> tickets referred in
    inverted: int  # facts with times out of order, clamped to 0
    exact_percentiles: bool

    @property
    def served(self) -> int:
        return self.outcomes[Outcome.served.value]

    def figure(self, key: str) -> float | None:
        """A headline figure by key (`FIGURES`), for comparisons and recommendations."""
        return FIGURES[key][1](self)


FIGURES: dict[str, tuple[str, Callable[[Summary], float | None]]] = {
    "visitors": ("Pengunjung", lambda s: s.visitors),
    "tickets": ("Tiket", lambda s: s.tickets),
    "served": ("Dilayani", lambda s: s.served),
    "no_show": ("Tidak hadir", lambda s: s.outcomes[Outcome.no_show.value]),
    "closed_unserved": ("Ditutup tanpa dilayani", lambda s: s.outcomes[Outcome.closed_unserved.value]),
    "wait_mean_s": ("Rata-rata waktu tunggu (detik)", lambda s: s.wait.mean_s),
    "wait_median_s": ("Median waktu tunggu (detik)", lambda s: s.wait.median_s),
    "wait_p90_s": ("Persentil ke-90 waktu tunggu (detik)", lambda s: s.wait.p90_s),
    "over_threshold_share": ("Porsi menunggu melebihi batas", lambda s: s.over_threshold_share),
    "service_mean_s": ("Rata-rata lama layanan (detik)", lambda s: s.service.mean_s),
    "within_standard_share": ("Porsi layanan sesuai standar waktu", lambda s: s.within_standard_share),
    "utilisation": ("Utilisasi loket", lambda s: s.utilisation),
    "ikm": ("Indeks Kepuasan Masyarakat", lambda s: None if s.skm.ikm is None else float(s.skm.ikm)),
    "skm_response_rate": ("Tingkat respons SKM", lambda s: s.skm.response_rate),
    "complaints_received": ("Pengaduan diterima", lambda s: s.complaints.received),
    "complaints_answered_on_time_share": ("Porsi pengaduan dijawab tepat waktu",
                                          lambda s: s.complaints.answered_on_time_share),
    "complaints_overdue": ("Pengaduan terlambat", lambda s: s.complaints.overdue),
    "applications_on_time_share": ("Porsi permohonan selesai tepat waktu", lambda s: s.applications.on_time_share),
    "bookings_made": ("Booking dibuat", lambda s: s.bookings["made"]),
}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _durations(d: Distribution) -> Durations:
    return Durations(d.count, d.mean_seconds(), d.percentile_seconds(50), d.percentile_seconds(90))


def _exact_durations(values: Sequence[int]) -> Durations:
    mean = seconds(sum(values)) / len(values) if values else None
    med, p90 = percentile(values, 50), percentile(values, 90)
    return Durations(len(values), mean, None if med is None else seconds(med), None if p90 is None else seconds(p90))


def _skm(respondents: int, tally: Mapping[str, Mapping[int, int]], population: int,
         paper: Sequence[SurveyTallyFact]) -> SkmFigures:
    """Paper tallies add their answers and respondents, and their respondents to the population,
    as the feedback report does (paper respondents were visitors the queue did not record)."""
    if paper:
        merged: dict[str, Counter[int]] = {u: Counter(per) for u, per in tally.items()}
        for t in paper:
            for unsur, per_value in t.tally.items():
                merged.setdefault(unsur, Counter()).update({int(v): n for v, n in per_value.items()})
        tally = merged
        respondents += sum(t.respondents for t in paper)
        population += sum(t.respondents for t in paper)
    needed = skm.required_sample(population)
    result = skm.ikm_from_tally(tally, respondents) if respondents else None
    return SkmFigures(respondents, population, needed, respondents > 0 and respondents >= needed,
                      _share(respondents, population), None if result is None else result.ikm,
                      None if result is None else result.grade.letter)


def _from_counts(n: Callable[[str], int], wait: Durations, waited_over: int, service: Durations,
                 with_standard: int, within_standard: int, open_us: int, busy_us: int,
                 skm_tally: Mapping[str, Mapping[int, int]], referrals: Mapping[Id, int], exact: bool,
                 paper: Sequence[SurveyTallyFact]) -> Summary:
    complaints = ComplaintFigures(
        received=n(COMPLAINTS_RECEIVED), triaged=n(COMPLAINTS_TRIAGED), verified_on_time=n(COMPLAINTS_VERIFIED_ON_TIME),
        verify_overdue=n(COMPLAINTS_VERIFY_OVERDUE), answered=n(COMPLAINTS_ANSWERED),
        answered_with_due=n(COMPLAINTS_ANSWERED_DUE), answered_on_time=n(COMPLAINTS_ANSWERED_ON_TIME),
        answer_overdue=n(COMPLAINTS_ANSWER_OVERDUE),
        verified_on_time_share=_share(n(COMPLAINTS_VERIFIED_ON_TIME),
                                      n(COMPLAINTS_TRIAGED) + n(COMPLAINTS_VERIFY_OVERDUE)),
        answered_on_time_share=_share(n(COMPLAINTS_ANSWERED_ON_TIME),
                                      n(COMPLAINTS_ANSWERED_DUE) + n(COMPLAINTS_ANSWER_OVERDUE)))
    applications = ApplicationFigures(
        received=n(APPS_RECEIVED), open_overdue=n(APPS_OPEN_OVERDUE), finished=n(APPS_FINISHED),
        finished_with_due=n(APPS_FINISHED_DUE), on_time=n(APPS_ON_TIME),
        on_time_share=_share(n(APPS_ON_TIME), n(APPS_FINISHED_DUE)))
    bookings = {"made": n(BOOKINGS_MADE)} | {o.value: n(booking_count(o.value)) for o in BookingOutcome}
    return Summary(
        visitors=n(VISITORS), tickets=n(TICKETS), referred_in=n(REFERRED_IN), priority_tickets=n(PRIORITY_TICKETS),
        by_channel={c.value: n(channel_count(c.value)) for c in Channel},
        by_priority={p.value: n(priority_count(p.value)) for p in Priority},
        outcomes={o.value: n(outcome_count(o.value)) for o in Outcome},
        wait=wait, waited_over_threshold=waited_over, over_threshold_share=_share(waited_over, wait.count),
        service=service, with_standard=with_standard, within_standard=within_standard,
        within_standard_share=_share(within_standard, with_standard),
        open_s=seconds(open_us), busy_s=seconds(busy_us), utilisation=_share(busy_us, open_us),
        bookings=bookings, skm=_skm(n(RESPONDENTS), skm_tally, n(outcome_count(Outcome.served.value)), paper),
        complaints=complaints, applications=applications, referrals_from=dict(referrals),
        inverted=n(INVERTED), exact_percentiles=exact)


def summarize(rollups: Iterable[Rollup], settings: MeasureSettings | None = None,
              paper: Sequence[SurveyTallyFact] = ()) -> Summary:
    """The figures of a set of rollups (any mix of days, agencies, services, counters, officers).

    `paper`: SKM tallies entered from paper for the same scope, already chosen by the caller (the
    feedback report takes those lying wholly inside the range: `tallies_within`)."""
    settings = settings or MeasureSettings()
    rollups = list(rollups)
    per_service: dict[Id, list[Distribution]] = {}
    for r in rollups:
        if r.key.service_id in settings.standard_minutes:
            per_service.setdefault(r.key.service_id, []).append(r.totals.service)
    return summarize_totals(merge(rollups), {k: Distribution.merge_all(v) for k, v in per_service.items()},
                            settings, paper)


def summarize_totals(totals: Totals, service_by_service: Mapping[Id, Distribution],
                     settings: MeasureSettings | None = None, paper: Sequence[SurveyTallyFact] = ()) -> Summary:
    """The figures of merged totals and the service-time histogram of each service (what a
    stored headline keeps): the same as `summarize` of the rollups they were merged from."""
    settings = settings or MeasureSettings()
    with_standard = within = 0
    for service_id, d in service_by_service.items():
        if service_id in settings.standard_minutes:
            with_standard += d.count
            within += d.count_within(settings.standard_minutes[service_id])
    return summarize_counted(totals, with_standard, within, settings, paper)


def summarize_counted(totals: Totals, with_standard: int, within_standard: int,
                      settings: MeasureSettings | None = None, paper: Sequence[SurveyTallyFact] = ()) -> Summary:
    """The figures of merged totals, the service times measured of services with a minute
    standard already counted, and those within it."""
    settings = settings or MeasureSettings()
    within = within_standard
    return _from_counts(totals.count, _durations(totals.wait),
                        totals.wait.count_over(settings.wait_threshold_minutes), _durations(totals.service),
                        with_standard, within, totals.open_us, totals.busy_us, totals.skm, totals.referrals_from,
                        exact=False, paper=[t for t in paper if t.regulation == SKM_REGULATION])


def summarize_glance(g: Glance, settings: MeasureSettings | None = None,
                     paper: Sequence[SurveyTallyFact] = ()) -> Summary:
    """The figures of merged glances: the same as `summarize_counted` of the totals they came from."""
    settings = settings or MeasureSettings()
    counts = g.counts
    wait, service = g.wait.distribution(), g.service.distribution()
    return _from_counts(lambda name: counts.get(name, 0), _durations(wait),
                        wait.count_over(settings.wait_threshold_minutes), _durations(service),
                        g.with_standard, g.within_standard, g.open_us, g.busy_us, g.skm_tally(), g.referrals_from,
                        exact=False, paper=[t for t in paper if t.regulation == SKM_REGULATION])


def exact_summary(facts: Facts, tz_name: str, start: date, end: date, settings: MeasureSettings | None = None,
                  *, as_of: datetime, paper: Sequence[SurveyTallyFact] = ()) -> Summary:
    """The same figures computed straight from the facts of local days `start`..`end`, exact;
    the paper tallies lying wholly inside the range count."""
    settings = settings or MeasureSettings()
    require_aware(as_of, "as_of")

    def in_range(moment: datetime) -> bool:
        return start <= local_day(moment, tz_name) <= end

    n: Counter[str] = Counter()
    waits: list[int] = []
    services: list[int] = []
    standard: list[tuple[int, int]] = []
    referrals: Counter[Id] = Counter()
    tickets = [t for t in facts.tickets if in_range(t.issued_at)]
    for t in tickets:
        n[TICKETS] += 1
        n[VISITORS if t.is_new_visit else REFERRED_IN] += 1
        if not t.is_new_visit and t.referred_from_agency_id is not None:
            referrals[t.referred_from_agency_id] += 1
        n[channel_count(t.channel.value)] += 1
        n[priority_count(t.priority.value)] += 1
        n[PRIORITY_TICKETS] += t.is_priority
        n[outcome_count(t.outcome.value)] += 1
        wait, service = t.wait(), t.service_time()
        n[INVERTED] += bool((wait and wait[1]) or (service and service[1]))
        if wait is not None:
            waits.append(micros(wait[0]))
        if service is not None:
            services.append(micros(service[0]))
            if t.service_id in settings.standard_minutes:
                standard.append((micros(service[0]), settings.standard_minutes[t.service_id]))
    lo, _ = day_bounds(start, tz_name)
    _, hi = day_bounds(end, tz_name)
    busy = busy_intervals(facts.tickets, as_of)
    open_us = busy_us = 0
    for span in facts.spans:
        a, b = max(span.opened_at, lo), min(span.closed_at or as_of, as_of, hi)
        if b > a:
            open_us += micros(b - a)
            merged = busy.get(span.counter_id, [])
            busy_us += overlap_us(merged, [s for s, _ in merged], a, b)
    for bk in facts.bookings:
        if start <= bk.on_date <= end:
            n[BOOKINGS_MADE] += 1
            n[booking_count(bk.outcome(as_of).value)] += 1
    tally: dict[str, Counter[int]] = {}
    for sv in facts.surveys:
        if sv.regulation == SKM_REGULATION and in_range(sv.submitted_at):
            n[RESPONDENTS] += 1
            for unsur, value in sv.answers.items():
                tally.setdefault(unsur, Counter())[value] += 1
    for c in facts.complaints:
        if not in_range(c.received_at):
            continue
        n[COMPLAINTS_RECEIVED] += 1
        n[COMPLAINTS_TRIAGED] += c.verified_at is not None
        n[COMPLAINTS_VERIFIED_ON_TIME] += c.verified_at is not None and c.verified_at <= c.verify_due_at
        n[COMPLAINTS_VERIFY_OVERDUE] += c.verify_overdue(as_of)
        n[COMPLAINTS_ANSWERED] += c.answered_at is not None
        n[COMPLAINTS_ANSWERED_DUE] += c.answered_at is not None and c.due_at is not None
        n[COMPLAINTS_ANSWERED_ON_TIME] += (c.answered_at is not None and c.due_at is not None
                                           and c.answered_at <= c.due_at)
        n[COMPLAINTS_ANSWER_OVERDUE] += c.answer_overdue(as_of)
    for ap in facts.applications:
        if in_range(ap.received_at):
            n[APPS_RECEIVED] += 1
            n[APPS_OPEN_OVERDUE] += ap.open_overdue(as_of)
        if ap.finished_at is not None and in_range(ap.finished_at):
            n[APPS_FINISHED] += 1
            n[APPS_FINISHED_DUE] += ap.on_time() is not None
            n[APPS_ON_TIME] += ap.on_time() is True
    return _from_counts(lambda name: n[name], _exact_durations(waits),
                        exact_count_over(waits, settings.wait_threshold_minutes), _exact_durations(services),
                        len(standard), sum(1 for us, m in standard if us <= m * BUCKET_US), open_us, busy_us,
                        tally, referrals, exact=True, paper=tallies_within(paper, start, end))


def tallies_within(paper: Iterable[SurveyTallyFact], start: date, end: date) -> list[SurveyTallyFact]:
    """Paper tallies of the 2017 regulation lying wholly inside start..end (a tally over a longer
    period cannot be split into days)."""
    return [t for t in paper if t.regulation == SKM_REGULATION and start <= t.starts_on and t.ends_on <= end]


# --- Grouping ---------------------------------------------------------------------------------

DIMENSIONS = ("site", "agency", "service", "counter", "officer")
GroupKey = tuple[Period, tuple[Id | None, ...]]


def _dim(r: Rollup, name: str) -> Id | None:
    return {"site": r.key.site_id, "agency": r.key.agency_id, "service": r.key.service_id,
            "counter": r.key.counter_id, "officer": r.key.officer_id}[name]


def where(rollups: Iterable[Rollup], start: date | None = None, end: date | None = None,
          **dims: Id | None) -> list[Rollup]:
    """Rollups of local days start..end (both included) whose dimensions equal the ones given,
    e.g. `where(rollups, agency=dukcapil_id)`."""
    unknown = set(dims) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimension {sorted(unknown)}")
    return [r for r in rollups if (start is None or r.key.day >= start) and (end is None or r.key.day <= end)
            and all(_dim(r, k) == v for k, v in dims.items())]


def group(rollups: Iterable[Rollup], by: Sequence[str] = (), grain: Grain = Grain.range,
          range_start: date | None = None) -> dict[GroupKey, list[Rollup]]:
    """Rollups grouped by period and dimensions (in the order of `by`)."""
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimension {sorted(unknown)}")
    out: dict[GroupKey, list[Rollup]] = {}
    for r in rollups:
        key = (period_of(r.key.day, r.key.hour, grain, range_start), tuple(_dim(r, d) for d in by))
        out.setdefault(key, []).append(r)
    return out


def report(rollups: Iterable[Rollup], settings: MeasureSettings | None = None, by: Sequence[str] = (),
           grain: Grain = Grain.range, start: date | None = None,
           end: date | None = None) -> dict[GroupKey, Summary]:
    """A summary per period and group, in time order then group order."""
    groups = group(where(rollups, start, end), by, grain, start)
    ordered = sorted(groups, key=lambda k: (k[0], tuple(("" if v is None else str(v)) for v in k[1])))
    return {k: summarize(groups[k], settings) for k in ordered}


def referral_matrix(rollups: Iterable[Rollup]) -> dict[tuple[Id, Id | None], int]:
    """(sending agency, receiving agency) -> tickets referred."""
    out: Counter[tuple[Id, Id | None]] = Counter()
    for r in rollups:
        for sender, count in r.totals.referrals_from.items():
            out[(sender, r.key.agency_id)] += count
    return dict(out)


# --- Arrivals heatmap -------------------------------------------------------------------------

@dataclass(frozen=True)
class Heatmap:
    """New visitors by local weekday (0 = Monday) and hour, and how many of each weekday the range has."""

    counts: tuple[tuple[int, ...], ...]  # [weekday][hour]
    days: tuple[int, ...]  # [weekday]

    def mean(self, weekday: int, hour: int) -> float | None:
        """Mean arrivals in that hour on that weekday; None when the range has no such weekday."""
        return self.counts[weekday][hour] / self.days[weekday] if self.days[weekday] else None

    def peak(self) -> tuple[int, int, float] | None:
        """The busiest (weekday, hour, mean arrivals); None without arrivals."""
        best = max(((w, h, self.mean(w, h) or 0.0) for w in range(7) for h in range(HOURS)), key=lambda x: x[2])
        return best if best[2] > 0 else None


def _weekday_days(start: date, end: date, closed: Iterable[date]) -> tuple[int, ...]:
    shut = set(closed)
    per = [0] * 7
    for d in days(start, end):
        if d not in shut:
            per[d.weekday()] += 1
    return tuple(per)


def heatmap(rollups: Iterable[Rollup], start: date, end: date, closed_days: Iterable[date] = ()) -> Heatmap:
    """From rollups (daily or hourly) of local days start..end; closed days do not count as days."""
    grid = [[0] * HOURS for _ in range(7)]
    for r in where(rollups, start, end):
        row = grid[r.key.day.weekday()]
        for h, count in enumerate(r.totals.arrivals_by_hour):
            row[h] += count
    return Heatmap(tuple(tuple(row) for row in grid), _weekday_days(start, end, closed_days))


def exact_heatmap(tickets: Iterable[TicketFact], tz_name: str, start: date, end: date,
                  closed_days: Iterable[date] = ()) -> Heatmap:
    grid = [[0] * HOURS for _ in range(7)]
    for t in tickets:
        when = to_local(t.issued_at, tz_name)
        if t.is_new_visit and start <= when.date() <= end:
            grid[when.weekday()][when.hour] += 1
    return Heatmap(tuple(tuple(row) for row in grid), _weekday_days(start, end, closed_days))


# --- Comparison with the previous period -------------------------------------------------------

@dataclass(frozen=True)
class Change:
    key: str
    label: str
    current: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def ratio(self) -> float | None:
        """Relative change (0.25 = 25 % more); None when the previous figure is 0 or missing."""
        if self.delta is None or not self.previous:
            return None
        return self.delta / self.previous


def compare(current: Summary, previous: Summary, keys: Sequence[str] = tuple(FIGURES)) -> list[Change]:
    """Headline figures of a period beside those of the previous period of equal length
    (`periods.previous_range`)."""
    return [Change(k, FIGURES[k][0], current.figure(k), previous.figure(k)) for k in keys]


# --- Open counters against the roster's plan ---------------------------------------------------

@dataclass(frozen=True)
class PlanCell:
    day: date
    hour: int
    site_id: Id
    agency_id: Id
    planned: int  # counters the plan keeps open in this hour
    open_counters: float  # counter-hours actually open in this hour (2.5 = two and a half counters)

    @property
    def short(self) -> bool:
        return self.open_counters < self.planned


def plan_cells(rollups: Iterable[Rollup], plans: Iterable[PlanFact], start: date, end: date,
               closed_days: Iterable[date] = ()) -> list[PlanCell]:
    """Every planned (day, hour, agency) of the range with the counters that were open then."""
    opened: dict[tuple[date, Id, Id | None], list[int]] = {}
    for r in where(rollups, start, end):
        cell = opened.setdefault((r.key.day, r.key.site_id, r.key.agency_id), [0] * HOURS)
        for h, us in enumerate(r.totals.open_us_by_hour):
            cell[h] += us
    by_weekday: dict[int, list[PlanFact]] = {}
    for p in plans:
        if p.counters > 0:
            by_weekday.setdefault(p.weekday, []).append(p)
    shut = set(closed_days)
    cells = []
    for d in days(start, end):
        if d in shut:
            continue
        for p in sorted(by_weekday.get(d.weekday(), []), key=lambda p: (p.hour, str(p.agency_id))):
            us = opened.get((d, p.site_id, p.agency_id), [0] * HOURS)[p.hour]
            cells.append(PlanCell(d, p.hour, p.site_id, p.agency_id, p.counters, us / 3_600_000_000))
    return cells


def plan_coverage(cells: Iterable[PlanCell]) -> float | None:
    """Share of planned counter-hours that were open (extra counters in one hour never make up for
    missing ones in another): the measure of counters staffed through breaks."""
    planned = covered = 0.0
    for c in cells:
        planned += c.planned
        covered += min(c.open_counters, c.planned)
    return covered / planned if planned else None
