"""Recommendations from the figures: counters needed where the 90th-percentile wait passed the threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from satupintu.oversight.facts import ComplaintFact, CounterSpan, Facts, TicketFact
from satupintu.oversight.measures import MeasureSettings, summarize
from satupintu.oversight.recommendations import Kind, agency_loads, counters_needed, recommend
from satupintu.oversight.rollup import rollup
from satupintu.queueing.policy import Channel, Priority, Status
from satupintu.staffing.erlang import service_level

from .helpers import AS_OF, MONDAY, TZ, at

NEXT_MONDAY = MONDAY + timedelta(days=7)
LAST = MONDAY + timedelta(days=13)
SETTINGS = MeasureSettings(wait_threshold_minutes=15)


def ticket(tid, agency, issued, wait_min, service_min, counter):
    called = issued + timedelta(minutes=wait_min)
    return TicketFact(tid, tid, "S", agency, agency + "1", Channel.kiosk, Priority.none, issued, Status.done, called,
                      called, called + timedelta(minutes=service_min), counter, "O")


def two_mondays() -> Facts:
    """Dukcapil (A): on each of two Mondays, 12 visitors between 08:00 and 08:55, each waiting
    40 min and served 10 min; one counter open 08:00-10:00. DPMPTSP (B): two visitors a Monday,
    1 min wait, 10 min service, a counter open 08:00-16:00 (busy 20 of 480 minutes)."""
    tickets, spans = [], []
    for day in (MONDAY, NEXT_MONDAY):
        tickets += [ticket(f"A{day.day}.{i}", "A", at(day, 8, 5 * i), 40, 10, "KA") for i in range(12)]
        tickets += [ticket(f"B{day.day}.{i}", "B", at(day, 9, 30 * i), 1, 10, "KB") for i in range(2)]
        spans += [CounterSpan("KA", "S", "A", at(day, 8), at(day, 10)), CounterSpan("KB", "S", "B", at(day, 8),
                                                                                      at(day, 16))]
    complaint = ComplaintFact("K1", "S", "diterima", at(MONDAY, 9), at(MONDAY + timedelta(days=3), 23, 59), "A")
    return Facts(tickets=tickets, spans=spans, complaints=[complaint])


def test_counters_needed_by_hand():
    """12 an hour x 10 min = 2 Erlangs. Three counters: Erlang C 0.444, called within 15 min
    1 - 0.444 x e^-1.5 = 0.901 >= 0.9; two counters cannot keep up (A >= N)."""
    assert counters_needed(12, 600, 15, 0.9) == 3
    assert service_level(2.0, 3, 600, 900) == pytest.approx(0.9008, abs=1e-4)
    assert counters_needed(0, 600, 15, 0.9) is None and counters_needed(12, 0, 15, 0.9) is None


def test_recommendations_for_two_mondays():
    rollups = rollup(two_mondays(), TZ, as_of=AS_OF + timedelta(days=7))
    loads = agency_loads(rollups, {"A": "Dukcapil", "B": "DPMPTSP"}, MONDAY, LAST, SETTINGS)
    a, b = loads
    assert (a.peak, a.peak_arrivals, a.peak_open_counters) == ((0, 8), 12.0, 1.0)
    recs = recommend(loads, SETTINGS, site=summarize(rollups, SETTINGS))
    assert [(r.kind, r.agency_id) for r in recs] == [
        (Kind.wait_over_threshold, "A"), (Kind.complaints_overdue, "A"), (Kind.complaints_overdue, None),
        (Kind.skm_sample_short, "A"), (Kind.skm_sample_short, "B"), (Kind.skm_sample_short, None),
        (Kind.counters_idle, "B")]
    wait = recs[0]
    assert wait.data["counters_needed"] == 3 and wait.data["p90_wait_s"] == 2400.0
    assert wait.message == (
        "Waktu tunggu persentil ke-90 di Dukcapil 40,0 menit, melewati batas 15 menit. Pada jam tersibuk "
        "(Senin 08.00-09.00, rata-rata 12,0 antrean per jam, lama layanan rata-rata 10,0 menit) dibutuhkan 3 loket "
        "agar 90 % pengunjung dipanggil dalam 15 menit; yang terbuka rata-rata 1,0.")
    idle = recs[-1]
    assert idle.data["utilisation"] == pytest.approx(20 / 480)
    assert idle.message.startswith("Loket DPMPTSP hanya sibuk 4 % dari waktu buka")
    assert "Responden SKM Dukcapil baru 0 dari 23 yang dibutuhkan (Krejcie-Morgan untuk 24" in recs[3].message


def test_no_recommendation_when_all_is_well():
    facts = Facts(tickets=[ticket("T", "A", at(MONDAY, 8), 5, 10, "KA")],
                  spans=[CounterSpan("KA", "S", "A", at(MONDAY, 8), at(MONDAY, 8, 20))])
    rollups = rollup(facts, TZ, as_of=AS_OF)
    loads = agency_loads(rollups, {"A": "Dukcapil"}, MONDAY, LAST, SETTINGS)
    recs = recommend(loads, SETTINGS)
    assert [r.kind for r in recs] == [Kind.skm_sample_short]  # the one visitor did not answer the survey
    assert agency_loads([], {"A": "Dukcapil"}, MONDAY, LAST)[0].peak is None
