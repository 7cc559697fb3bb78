"""The satisfaction index as the ministry computes it, checked by hand and by properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.feedback.skm import (
    KEYS,
    Regulation,
    SurveyError,
    grade,
    ikm,
    ikm_from_tally,
    required_sample,
)

K = KEYS[Regulation.permenpanrb_14_2017]
LEGACY = Regulation.kepmenpan_25_2004


def all_(value):
    return {k: value for k in K}


def test_hand_computed_example():
    # Two respondents; NRR per unsur: 3.5, 3.0, 2.5, 4.0, 3.0, 3.5, 4.0, 2.0, 3.0 -> sum 28.5
    a = dict(zip(K, [4, 3, 2, 4, 3, 4, 4, 2, 3], strict=True))
    b = dict(zip(K, [3, 3, 3, 4, 3, 3, 4, 2, 3], strict=True))
    r = ikm([a, b])
    # 28.5 / 9 * 25 = 79.1666... -> 79.17, grade B "Baik"
    assert r.ikm == Decimal("79.17") and r.grade.letter == "B" and r.grade.label == "Baik"
    assert r.lowest.key == "pengaduan" and r.lowest.converted == Decimal("50.00")
    assert [u.respondents for u in r.unsur] == [2] * 9


def test_exact_weight_not_0_111():
    # With 0.111 the all-4 index would be 99.90; the exact 1/9 gives 100.00.
    assert ikm([all_(4)]).ikm == Decimal("100.00")
    assert ikm([all_(1)]).ikm == Decimal("25.00")


def test_nrr_counts_only_those_who_answered_the_unsur():
    r = ikm([all_(4), {k: 2 for k in K if k != "biaya"}])
    biaya = next(u for u in r.unsur if u.key == "biaya")
    assert biaya.respondents == 1 and biaya.converted == Decimal("100.00")


def test_grade_bands_of_2017():
    assert grade(Decimal("88.31")).letter == "A"
    assert grade(Decimal("88.30")).letter == "B"
    assert grade(Decimal("76.61")).letter == "B"
    assert grade(Decimal("76.60")).letter == "C"
    assert grade(Decimal("65.00")).letter == "C"
    assert grade(Decimal("64.99")).letter == "D"


def test_legacy_2004_mode_uses_its_weight_and_bands():
    keys = KEYS[LEGACY]
    assert len(keys) == 14
    assert ikm([{k: 4 for k in keys}], LEGACY).ikm == Decimal("99.40")  # 14 x 4 x 0.071 x 25
    assert grade(Decimal("81.26"), LEGACY).letter == "A" and grade(Decimal("81.25"), LEGACY).letter == "B"
    assert grade(Decimal("62.51"), LEGACY).letter == "B" and grade(Decimal("62.50"), LEGACY).letter == "C"
    assert grade(Decimal("43.76"), LEGACY).letter == "C" and grade(Decimal("43.75"), LEGACY).letter == "D"


def test_bad_answers_name_the_unsur():
    with pytest.raises(SurveyError) as err:
        ikm([{"persyaratan": 5}])
    assert err.value.field == "persyaratan"
    with pytest.raises(SurveyError):
        ikm([{"warna": 3}])


def test_paper_tally_gives_the_same_index_as_the_responses():
    responses = [dict(zip(K, [4, 3, 2, 4, 3, 4, 4, 2, 3], strict=True)),
                 dict(zip(K, [3, 3, 3, 4, 3, 3, 4, 2, 3], strict=True))]
    tally = {k: {} for k in K}
    for r in responses:
        for k, v in r.items():
            tally[k][v] = tally[k].get(v, 0) + 1
    assert ikm_from_tally(tally, 2).ikm == ikm(responses).ikm
    with pytest.raises(SurveyError):
        ikm_from_tally({"persyaratan": {4: 3}}, 2)


@pytest.mark.parametrize("population, sample", [(100, 80), (1000, 278), (1_000_000, 384), (10, 10), (0, 0)])
def test_krejcie_morgan_sample_sizes(population, sample):
    assert required_sample(population) == sample


answers = st.fixed_dictionaries({k: st.integers(1, 4) for k in K})


@settings(max_examples=200)
@given(st.lists(answers, min_size=1, max_size=30))
def test_index_is_between_25_and_100_and_ignores_respondent_order(responses):
    r = ikm(responses)
    assert Decimal("25.00") <= r.ikm <= Decimal("100.00")
    assert ikm(list(reversed(responses))).ikm == r.ikm


@settings(max_examples=200)
@given(st.lists(answers, min_size=1, max_size=20), st.data())
def test_raising_any_answer_never_lowers_the_index(responses, data):
    i = data.draw(st.integers(0, len(responses) - 1))
    key = data.draw(st.sampled_from(K))
    if responses[i][key] == 4:
        return
    better = [dict(r) for r in responses]
    better[i][key] += 1
    assert ikm(better).ikm >= ikm(responses).ikm


@given(st.integers(1, 10**7))
def test_sample_size_grows_with_the_population_and_stays_at_most_384(n):
    s = required_sample(n)
    assert s <= min(n, 384) and required_sample(n + 1) >= s
