"""Recommendations for the evaluation report, computed from the figures. Pure, no I/O.

`agency_loads` gathers, per agency and range, what a recommendation needs: the summary, the
busiest weekday-hour of arrivals (mean per day of that weekday), the counters open then, and
the mean service time. `recommend` turns the loads into recommendations, each an Indonesian
sentence with the data behind it:

- the 90th-percentile wait passed the site's threshold: the counters Erlang C
  (`staffing.erlang`) needs at the busiest hour so that 90 % are called within the threshold;
  the load is the hour's arrivals scaled by the agency's tickets per new visitor (referrals
  also queue there) times the mean service time;
- counters mostly idle (utilisation below `low_utilisation`) while waits are within the threshold;
- services finishing within their Standar Pelayanan time too rarely; many no-shows;
- the SKM sample short of Krejcie-Morgan; complaints past their deadlines.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..errors import DomainError
from ..staffing.erlang import agents_for_service_level, traffic_erlangs
from .facts import Id, Outcome
from .measures import MeasureSettings, Summary, heatmap, summarize, where
from .rollup import Rollup

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class Kind(enum.StrEnum):
    wait_over_threshold = "wait_over_threshold"
    counters_idle = "counters_idle"
    service_over_standard = "service_over_standard"
    no_show_high = "no_show_high"
    skm_sample_short = "skm_sample_short"
    complaints_overdue = "complaints_overdue"


@dataclass(frozen=True)
class RecommendationSettings:
    target_level: float = 0.9  # share to call within the threshold (the p90 the figures report)
    low_utilisation: float = 0.3
    min_within_standard: float = 0.8
    max_no_show_share: float = 0.15


@dataclass(frozen=True)
class AgencyLoad:
    agency_id: Id
    name: str
    summary: Summary
    peak: tuple[int, int] | None  # (weekday, hour) with the most arrivals per day
    peak_arrivals: float  # new visitors in that hour, mean per day of that weekday
    peak_open_counters: float  # counters open in that hour, mean per day of that weekday


@dataclass(frozen=True)
class Recommendation:
    kind: Kind
    agency_id: Id | None  # None: the whole site
    message: str  # Indonesian
    weight: float  # for ordering: larger first
    data: Mapping[str, float | int | str | None] = field(default_factory=dict)


def agency_loads(rollups: Iterable[Rollup], names: Mapping[Id, str], start: date, end: date,
                 settings: MeasureSettings | None = None, closed_days: Sequence[date] = ()) -> list[AgencyLoad]:
    """Per agency in `names`, its figures over local days start..end and its busiest hour."""
    in_range = where(rollups, start, end)
    out = []
    for agency_id, name in names.items():
        mine = [r for r in in_range if r.key.agency_id == agency_id]
        summary = summarize(mine, settings)
        grid = heatmap(mine, start, end, closed_days)
        peak = grid.peak()
        open_counters = 0.0
        if peak is not None:
            weekday, hour, _ = peak
            opened = sum(r.totals.open_us_by_hour[hour] for r in mine if r.key.day.weekday() == weekday)
            open_counters = opened / 3_600_000_000 / grid.days[weekday]
        out.append(AgencyLoad(agency_id, name, summary, None if peak is None else (peak[0], peak[1]),
                              0.0 if peak is None else peak[2], open_counters))
    return out


def _id(value: float, digits: int = 1) -> str:
    """Indonesian decimal comma: 12.5 -> '12,5'."""
    return f"{value:.{digits}f}".replace(".", ",")


def counters_needed(arrivals_per_hour: float, service_seconds: float, threshold_minutes: int,
                    target_level: float) -> int | None:
    """Fewest counters for `target_level` of visitors called within the threshold (Erlang C)."""
    if arrivals_per_hour <= 0 or service_seconds <= 0:
        return None
    traffic = traffic_erlangs(arrivals_per_hour, service_seconds)
    try:
        return agents_for_service_level(traffic, service_seconds, threshold_minutes * 60, target_level)
    except DomainError:  # the target cannot be reached with any sane number of counters: say nothing
        return None


def recommend(loads: Iterable[AgencyLoad], settings: MeasureSettings | None = None,
              rec: RecommendationSettings | None = None, site: Summary | None = None) -> list[Recommendation]:
    """Recommendations per agency (and for the site when its summary is given), most pressing first."""
    settings = settings or MeasureSettings()
    rec = rec or RecommendationSettings()
    threshold = settings.wait_threshold_minutes
    out: list[Recommendation] = []
    for load in loads:
        s, name = load.summary, load.name
        p90 = s.wait.p90_s
        if p90 is not None and p90 > threshold * 60:
            out.append(_wait_recommendation(load, threshold, rec))
        elif s.utilisation is not None and s.utilisation < rec.low_utilisation and s.open_s > 0:
            out.append(Recommendation(
                Kind.counters_idle, load.agency_id,
                f"Loket {name} hanya sibuk {_id(s.utilisation * 100, 0)} % dari waktu buka dan waktu tunggu masih "
                "dalam batas; pertimbangkan membuka lebih sedikit loket di luar jam sibuk.",
                rec.low_utilisation - s.utilisation, {"utilisation": s.utilisation, "open_hours": s.open_s / 3600}))
        share = s.within_standard_share
        if share is not None and share < rec.min_within_standard:
            out.append(Recommendation(
                Kind.service_over_standard, load.agency_id,
                f"Hanya {_id(share * 100, 0)} % layanan {name} selesai dalam standar waktu Standar Pelayanan "
                f"({s.within_standard} dari {s.with_standard}); tinjau prosedur atau standar waktunya.",
                rec.min_within_standard - share, {"within_standard_share": share, "with_standard": s.with_standard}))
        no_show = s.outcomes[Outcome.no_show.value]
        if s.tickets and no_show / s.tickets > rec.max_no_show_share:
            out.append(Recommendation(
                Kind.no_show_high, load.agency_id,
                f"{no_show} dari {s.tickets} nomor {name} tidak hadir saat dipanggil; ingatkan pengunjung lewat "
                "layar, suara dan notifikasi ponsel.",
                no_show / s.tickets - rec.max_no_show_share, {"no_show": no_show, "tickets": s.tickets}))
        out.extend(_feedback(s, load.agency_id, f" {name}"))
    if site is not None:
        out.extend(_feedback(site, None, ""))
    return sorted(out, key=lambda r: -r.weight)


def _wait_recommendation(load: AgencyLoad, threshold: int, rec: RecommendationSettings) -> Recommendation:
    s = load.summary
    p90 = s.wait.p90_s or 0.0
    message = (f"Waktu tunggu persentil ke-90 di {load.name} {_id(p90 / 60)} menit, melewati batas {threshold} "
               "menit.")
    data: dict[str, float | int | str | None] = {"p90_wait_s": p90, "threshold_minutes": threshold,
                                                 "peak_arrivals": load.peak_arrivals,
                                                 "peak_open_counters": load.peak_open_counters,
                                                 "mean_service_s": s.service.mean_s, "counters_needed": None}
    if load.peak is not None and s.service.mean_s:
        scale = s.tickets / s.visitors if s.visitors else 1.0
        rate = load.peak_arrivals * scale
        needed = counters_needed(rate, s.service.mean_s, threshold, rec.target_level)
        data |= {"peak_weekday": load.peak[0], "peak_hour": load.peak[1], "peak_tickets_per_hour": rate,
                 "counters_needed": needed}
        if needed is not None:
            day, hour = WEEKDAYS[load.peak[0]], load.peak[1]
            message += (f" Pada jam tersibuk ({day} {hour:02d}.00-{hour + 1:02d}.00, rata-rata {_id(rate)} antrean per "
                        f"jam, lama layanan rata-rata {_id(s.service.mean_s / 60)} menit) dibutuhkan {needed} loket "
                        f"agar {_id(rec.target_level * 100, 0)} % pengunjung dipanggil dalam {threshold} menit; yang "
                        f"terbuka rata-rata {_id(load.peak_open_counters)}.")
    return Recommendation(Kind.wait_over_threshold, load.agency_id, message, 10 + p90 / (threshold * 60), data)


def _feedback(s: Summary, agency_id: Id | None, scope: str) -> list[Recommendation]:
    out = []
    sk = s.skm
    if sk.population and not sk.sample_sufficient:
        out.append(Recommendation(
            Kind.skm_sample_short, agency_id,
            f"Responden SKM{scope} baru {sk.respondents} dari {sk.required_sample} yang dibutuhkan (Krejcie-Morgan "
            f"untuk {sk.population} pengunjung dilayani); tawarkan survei di kios dan lewat tautan tiket.",
            1 - sk.respondents / sk.required_sample if sk.required_sample else 0.0,
            {"respondents": sk.respondents, "required_sample": sk.required_sample, "population": sk.population}))
    overdue = s.complaints.overdue
    if overdue:
        out.append(Recommendation(
            Kind.complaints_overdue, agency_id,
            f"{overdue} pengaduan{scope} melewati tenggat ({s.complaints.verify_overdue} belum diverifikasi, "
            f"{s.complaints.answer_overdue} belum dijawab); selesaikan sebelum penilaian.",
            5 + overdue,
            {"verify_overdue": s.complaints.verify_overdue, "answer_overdue": s.complaints.answer_overdue}))
    return out
