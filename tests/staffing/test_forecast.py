"""Arrival forecasts and the synthetic morning-peak arrivals."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from satupintu.errors import DomainError
from satupintu.staffing.arrivals import PEAK_PROFILE, demo_history, hourly_rates, synthetic_day
from satupintu.staffing.forecast import forecast_arrivals

WIB = timezone(timedelta(hours=7))
AS_OF = date(2026, 2, 2)  # a Monday


def at(day: date, hour: int, minute: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB).astimezone(UTC)


def mondays_with(counts: list[int], agency: str = "DUKCAPIL", hour: int = 9) -> list[tuple[str, datetime]]:
    """counts[k-1] arrivals on the Monday k weeks before AS_OF."""
    out = []
    for k, n in enumerate(counts, start=1):
        day = AS_OF - timedelta(days=7 * k)
        out.extend((agency, at(day, hour)) for _ in range(n))
    return out


def test_forecast_is_the_mean_of_the_same_weekday_and_hour():
    """Senin 09:00 Dukcapil: 10, 20, 30, 40 visitors over the last 4 Mondays -> 25 expected."""
    fc = forecast_arrivals(mondays_with([10, 20, 30, 40]), "Asia/Jakarta", AS_OF, weeks=4)
    assert fc.rate("DUKCAPIL", 0, 9) == pytest.approx(25)
    assert fc.rate("DUKCAPIL", 0, 10) == 0
    assert fc.for_weekday(0) == {"DUKCAPIL": {9: pytest.approx(25)}}


def test_weeks_without_visitors_count_as_zero():
    """A quiet Monday lowers the mean instead of being ignored."""
    fc = forecast_arrivals(mondays_with([12, 0, 0, 0]), "Asia/Jakarta", AS_OF, weeks=4)
    assert fc.rate("DUKCAPIL", 0, 9) == pytest.approx(3)


def test_recent_weeks_can_weigh_more():
    """Weights 4,3,2,1 (most recent first) pull the forecast towards last week."""
    fc = forecast_arrivals(mondays_with([40, 30, 20, 10]), "Asia/Jakarta", AS_OF, weeks=4, weights=[4, 3, 2, 1])
    assert fc.rate("DUKCAPIL", 0, 9) == pytest.approx((160 + 90 + 40 + 10) / 10)


def test_closed_days_are_left_out_of_the_mean():
    """A holiday Monday (site closed) does not drag the forecast down."""
    holiday = AS_OF - timedelta(days=14)
    fc = forecast_arrivals(mondays_with([30, 0, 30, 30]), "Asia/Jakarta", AS_OF, weeks=4, closed_days=[holiday])
    assert fc.rate("DUKCAPIL", 0, 9) == pytest.approx(30)


def test_hours_are_local_site_hours_and_old_or_future_data_is_ignored():
    """An arrival stored as 01:30 UTC counts at 08:00 WIB; data outside the window is ignored."""
    monday = AS_OF - timedelta(days=7)
    data = [("SAMSAT", datetime(monday.year, monday.month, monday.day, 1, 30)),  # naive = UTC
            ("SAMSAT", at(AS_OF, 9)), ("SAMSAT", at(AS_OF - timedelta(days=35), 9))]
    fc = forecast_arrivals(data, "Asia/Jakarta", AS_OF, weeks=1)
    assert fc.rates == {("SAMSAT", 0, 8): 1.0}


def test_invalid_weights_are_refused_in_indonesian():
    with pytest.raises(DomainError) as err:
        forecast_arrivals([], "Asia/Jakarta", AS_OF, weeks=2, weights=[1])
    assert err.value.field == "weights" and "Bobot" in err.value.message


def test_synthetic_day_has_the_early_morning_peak():
    """Most visitors arrive 07:30–10:00, as MPP crowds do; nobody arrives before 07:30."""
    rng = random.Random(3)
    day = synthetic_day(rng, {"DUKCAPIL": 1500, "SAMSAT": 1500}, {"D-1": "DUKCAPIL", "S-1": "SAMSAT"})
    assert 2700 < len(day) < 3300
    early = sum(1 for a in day if 450 <= a.minute < 600)
    assert early / len(day) > 0.5
    assert min(a.minute for a in day) >= 450
    assert sum(hourly_rates(100).values()) == pytest.approx(100)
    assert max(PEAK_PROFILE, key=PEAK_PROFILE.get) == 8


def test_demo_history_feeds_the_forecast():
    """Four weeks of demo arrivals give a Monday forecast near the demo's daily volume."""
    history = demo_history(AS_OF - timedelta(days=28), 28, {"DUKCAPIL": 200}, {"D-1": "DUKCAPIL"}, seed=5)
    assert not any(m.astimezone(WIB).weekday() == 6 for _, _, m in history)  # closed on Minggu
    fc = forecast_arrivals([(a, m) for a, _, m in history], "Asia/Jakarta", AS_OF, weeks=4)
    monday_total = sum(fc.for_weekday(0)["DUKCAPIL"].values())
    assert 160 < monday_total < 240
    assert fc.rate("DUKCAPIL", 0, 8) > fc.rate("DUKCAPIL", 0, 14)
