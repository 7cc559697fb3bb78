"""The readiness self-assessment: the instrument as data, its checks, scores and the gap list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.errors import ValidationFailed
from satupintu.oversight.facilities import DEFAULT_FACILITIES, FacilityRecord, FacilityStatus, measure
from satupintu.oversight.measures import MeasureSettings, summarize
from satupintu.oversight.readiness import (
    DEFAULT_INSTRUMENT,
    MEASURES,
    Aspect,
    Band,
    Evidence,
    Indicator,
    Instrument,
    Kind,
    ManualScore,
    assess,
    category,
    gaps,
    measured_values,
    missing_components,
    standards_complete_share,
    validate,
)
from satupintu.oversight.rollup import rollup

from .helpers import AS_OF, TZ, hand_day

SMALL = Instrument("kecil", (
    Aspect("x", "Aspek X", 60, (
        Indicator("m1", "Terukur", 50, Kind.measured, "waits_within_threshold_share",
                  (Band(0.9, 5), Band(0.8, 4), Band(0.5, 2))),
        Indicator("h1", "Manual satu", 50, Kind.manual, evidence=(Evidence("e1", "Dokumen satu"),
                                                                  Evidence("e2", "Dokumen dua"))),
    )),
    Aspect("y", "Aspek Y", 40, (Indicator("h2", "Manual dua", 100, Kind.manual, target=3),)),
))


def test_hand_computed_assessment_and_gaps():
    """m1 = 0.85 reaches the 0.8 band: 4. h1 scored 3 with only e1. h2 not scored: 0.
    Aspect X = (50 x 4 + 50 x 3) / 100 = 3.5; Y = 0; index = (60 x 3.5 + 40 x 0) / 100 = 2.10:
    C- "Cukup (dengan catatan)". Gaps: h2 costs (3 - 0) x 1.0 x 0.4 = 1.2 index points; h1 costs
    (4 - 3) x 0.5 x 0.6 = 0.3 and lacks e2; m1 meets its target and asks no evidence."""
    a = assess(SMALL, {"waits_within_threshold_share": 0.85}, [ManualScore("h1", 3, frozenset({"e1"}))])
    assert [x.score for x in a.aspects] == [3.5, 0.0]
    assert (a.index, a.category, a.category_label) == (Decimal("2.10"), "C-", "Cukup (dengan catatan)")
    g = gaps(a)
    assert [(x.indicator, x.shortfall) for x in g] == [("h2", pytest.approx(1.2)), ("h1", pytest.approx(0.3))]
    assert [e.key for e in g[1].missing_evidence] == ["e2"]
    assert g[0].advice == "Belum dinilai oleh pengelola."
    assert g[1].advice == "Skor 3 di bawah target 4. Lengkapi bukti: Dokumen dua."


def test_a_measured_gap_says_the_value_to_reach():
    a = assess(SMALL, {"waits_within_threshold_share": 0.6}, [ManualScore("h1", 5, frozenset({"e1", "e2"})),
                                                              ManualScore("h2", 3)])
    (gap,) = gaps(a)
    assert (gap.indicator, gap.score, gap.value, gap.target_minimum) == ("m1", 2.0, 0.6, 0.8)
    assert gap.advice == "Nilai terukur 0,6; perlu paling sedikit 0,8 untuk mencapai skor 4."
    assert "Belum ada data" in gaps(assess(SMALL, {}, [ManualScore("h1", 5, frozenset({"e1", "e2"})),
                                                       ManualScore("h2", 3)]))[0].advice


def test_the_default_instrument_is_valid_and_follows_the_six_aspects():
    assert validate(DEFAULT_INSTRUMENT) == []
    assert [(a.name, a.weight) for a in DEFAULT_INSTRUMENT.aspects] == [
        ("Kebijakan Pelayanan", 30), ("Profesionalisme SDM", 18), ("Sarana Prasarana", 15),
        ("Sistem Informasi Pelayanan Publik", 15), ("Konsultasi dan Pengaduan", 15), ("Inovasi", 7)]
    measured = {i.measure for a in DEFAULT_INSTRUMENT.aspects for i in a.indicators if i.kind is Kind.measured}
    assert {"standards_complete_share", "skm_sample_sufficient", "complaints_answered_on_time_share",
            "counters_staffed_through_breaks", "waits_within_threshold_share", "facilities_available_share"} <= measured
    assert measured <= set(MEASURES)
    assert Instrument.from_dict(DEFAULT_INSTRUMENT.as_dict()) == DEFAULT_INSTRUMENT


def test_everything_met_is_prima_and_nothing_is_gagal():
    manual = [ManualScore(i.key, 5, frozenset(e.key for e in i.evidence))
              for a in DEFAULT_INSTRUMENT.aspects for i in a.indicators if i.kind is Kind.manual]
    evidence = {i.key: [e.key for e in i.evidence]
                for a in DEFAULT_INSTRUMENT.aspects for i in a.indicators if i.kind is Kind.measured}
    best = {"skm_index": 95.0} | {k: 1.0 for k in MEASURES if k != "skm_index"}
    top = assess(DEFAULT_INSTRUMENT, best, manual, evidence)
    assert (top.index, top.category, top.category_label) == (Decimal("5.00"), "A", "Pelayanan Prima")
    assert gaps(top) == []
    bottom = assess(DEFAULT_INSTRUMENT, {})
    assert (bottom.index, bottom.category) == (Decimal("0.00"), "F")
    assert len(gaps(bottom)) == sum(len(a.indicators) for a in DEFAULT_INSTRUMENT.aspects)


def test_categories_follow_the_range_table():
    assert [category(Decimal(x))[0] for x in ("4.51", "4.50", "4.01", "3.51", "3.01", "2.51", "2.01", "1.51", "1.01",
                                               "1.00", "0")] == ["A", "A-", "A-", "B", "B-", "C", "C-", "D", "E", "F",
                                                                  "F"]


def _fields(instrument):
    return [e.field for e in validate(instrument)]


def test_an_edited_instrument_names_every_bad_field():
    inverted = (Band(0.5, 4), Band(0.9, 2))
    broken = Instrument("rusak", (
        Aspect("x", "Aspek X", 60, (Indicator("m1", "T", 50, Kind.measured, "antrean_ajaib", inverted),
                                    Indicator("m1", "T", 40, Kind.manual, "skm_index", target=7))),
        Aspect("x", "Aspek Y", 30, (Indicator("h2", "M", 100, Kind.measured, None, (Band(0.5, 9),)),)),
    ))
    errors = validate(broken)
    assert [e.field for e in errors] == [
        "aspects",  # 60 + 30
        "aspects[0].indicators",  # 50 + 40
        "aspects[0].indicators[0].measure", "aspects[0].indicators[0].bands",
        "aspects[0].indicators[1].key", "aspects[0].indicators[1].target", "aspects[0].indicators[1].measure",
        "aspects[1].key",
        "aspects[1].indicators[0].measure", "aspects[1].indicators[0].bands"]
    messages = {e.field: e.message for e in errors}
    assert messages["aspects"] == "Jumlah bobot aspek harus 100, sekarang 90."
    assert messages["aspects[0].indicators[0].measure"] == "Ukuran 'antrean_ajaib' tidak dikenal sistem."
    assert "lebih dari sekali" in messages["aspects[1].key"]
    assert _fields(Instrument("kosong", ())) == ["aspects"]


def test_an_instrument_from_a_form_reports_types_by_field():
    data = DEFAULT_INSTRUMENT.as_dict()
    data["aspects"][0]["weight"] = "tiga puluh"
    data["aspects"][1]["indicators"][0]["kind"] = "tebakan"
    data["aspects"][2]["indicators"][0].pop("text")
    with pytest.raises(ValidationFailed) as err:
        Instrument.from_dict(data)
    assert [d.field for d in err.value.details] == ["aspects[0].weight", "aspects[1].indicators[0].kind",
                                                    "aspects[2].indicators[0].text"]
    good = DEFAULT_INSTRUMENT.as_dict()
    good["aspects"][0]["weight"] = 31
    with pytest.raises(ValidationFailed) as err:
        Instrument.from_dict(good)
    assert err.value.field == "aspects"


def test_manual_scores_are_checked():
    with pytest.raises(ValidationFailed) as err:
        assess(SMALL, {}, [ManualScore("m1", 3), ManualScore("h9", 3), ManualScore("h1", 6, frozenset({"e7"})),
                           ManualScore("h2", 2), ManualScore("h2", 2)], evidence={"zz": ["a"]})
    assert [d.field for d in err.value.details] == ["scores[0].indicator", "scores[1].indicator", "scores[2].score",
                                                    "scores[2].evidence", "scores[4].indicator", "evidence.zz"]


@given(st.dictionaries(st.sampled_from(sorted(MEASURES)), st.floats(min_value=0, max_value=100)),
       st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=5))
def test_the_index_stays_on_the_scale_and_a_better_score_never_lowers_it(values, low, high):
    low, high = min(low, high), max(low, high)
    manual = [ManualScore("maklumat_pelayanan", low)]
    a = assess(DEFAULT_INSTRUMENT, values, manual)
    b = assess(DEFAULT_INSTRUMENT, values, [ManualScore("maklumat_pelayanan", high)])
    assert Decimal(0) <= a.index <= b.index <= Decimal(5)


def test_measured_values_come_from_the_figures():
    """From the hand day: 1 of 5 waited over 15 min -> 0.8 within; 3 of 4 within the standard;
    2 respondents of 3 needed; IKM 87.50; complaints 2/3 verified and 1/2 answered on time;
    applications 1/1. Services: of two published, one has all 14 components."""
    summary = summarize(rollup(hand_day(), TZ, as_of=AS_OF),
                        MeasureSettings(wait_threshold_minutes=15, standard_minutes={"A1": 15, "B1": 20}))
    complete = {"status": "published", "requirements": ["KTP"], "procedure": ["Ambil nomor"], "time_value": 15,
                "time_unit": "minutes", "fee": 0} | {k: "ada" for k in (
                    "product", "complaint_channel", "legal_basis", "facilities", "competence", "internal_supervision",
                    "officer_count", "service_guarantee", "security_guarantee", "performance_evaluation")}
    partial = complete | {"legal_basis": " ", "fee": None}
    draft = complete | {"status": "draft", "product": ""}
    assert missing_components(partial) == ("fee", "legal_basis")
    share = standards_complete_share([complete, partial, draft])
    facilities = measure([FacilityRecord(f.key, FacilityStatus.available) for f in DEFAULT_FACILITIES], AS_OF, TZ)
    values = measured_values(summary, standards_complete=share, counters_staffed=5 / 7, facilities=facilities)
    assert values == {
        "standards_complete_share": 0.5, "service_within_standard_share": 0.75,
        "waits_within_threshold_share": 0.8, "skm_sample_sufficient": 2 / 3, "skm_index": 87.5,
        "counters_staffed_through_breaks": 5 / 7, "facilities_available_share": 1.0,
        "vulnerable_facilities_share": 1.0, "complaints_verified_on_time_share": 2 / 3,
        "complaints_answered_on_time_share": 0.5, "applications_on_time_share": 1.0}
    assert standards_complete_share([draft]) is None
    assert set(measured_values()) == set(MEASURES) and not any(measured_values().values())
