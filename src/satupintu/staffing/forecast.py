"""Arrival forecast (no I/O): mean arrivals per agency, weekday and hour over the past weeks.

Simple and explainable: for Senin 09:00 the forecast is the (optionally weighted) mean of the
arrivals on the last N Mondays between 09:00 and 10:00. Days the site was closed (holidays)
are left out of the mean for their weekday instead of counting as zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import DomainError


@dataclass(frozen=True)
class ArrivalForecast:
    rates: Mapping[tuple[str, int, int], float]  # (agency, weekday 0=Senin, hour) -> visitors/hour
    weeks: int
    as_of: date

    def rate(self, agency: str, weekday: int, hour: int) -> float:
        return self.rates.get((agency, weekday, hour), 0.0)

    def for_weekday(self, weekday: int) -> dict[str, dict[int, float]]:
        """agency -> hour -> visitors per hour, for the simulation and Erlang C."""
        out: dict[str, dict[int, float]] = defaultdict(dict)
        for (agency, wd, hour), value in sorted(self.rates.items()):
            if wd == weekday:
                out[agency][hour] = value
        return dict(out)


def forecast_arrivals(arrivals: Iterable[tuple[str, datetime]], tz_name: str, as_of: date,
                      weeks: int = 4, weights: Sequence[float] | None = None,
                      closed_days: Iterable[date] = ()) -> ArrivalForecast:
    """Forecast from (agency, arrival moment) pairs over the `weeks` weeks before `as_of`.

    Week 1 is the 7 days before `as_of`, week 2 the 7 before that, ...; `weights[k-1]` weighs
    week k (default: equal). Naive datetimes are taken as UTC, as stored.
    """
    if weeks < 1:
        raise DomainError("invalid", "Jumlah minggu untuk prakiraan minimal 1.", "weeks")
    w = list(weights) if weights is not None else [1.0] * weeks
    if len(w) != weeks or any(x < 0 for x in w) or sum(w) <= 0:
        raise DomainError("invalid", f"Bobot prakiraan harus {weeks} angka tidak negatif dengan jumlah lebih "
                          "dari 0.", "weights")
    zone = ZoneInfo(tz_name)
    first = as_of - timedelta(days=7 * weeks)
    closed = set(closed_days)
    counts: dict[tuple[str, date, int], int] = defaultdict(int)
    for agency, moment in arrivals:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(zone)
        day = local.date()
        if first <= day < as_of and day not in closed:
            counts[(agency, day, local.hour)] += 1
    # Weight of each weekday: the weeks in which the site was open on it.
    open_weight: dict[int, float] = defaultdict(float)
    day_weight: dict[date, float] = {}
    for k in range(1, weeks + 1):
        for offset in range(7):
            day = as_of - timedelta(days=7 * k) + timedelta(days=offset)
            day_weight[day] = w[k - 1]
            if day not in closed:
                open_weight[day.weekday()] += w[k - 1]
    sums: dict[tuple[str, int, int], float] = defaultdict(float)
    for (agency, day, hour), n in counts.items():
        sums[(agency, day.weekday(), hour)] += day_weight[day] * n
    rates = {key: total / open_weight[key[1]] for key, total in sums.items() if open_weight[key[1]] > 0}
    return ArrivalForecast(rates, weeks, as_of)
