"""Search as citizens type: Indonesian word forms, everyday spellings, abbreviations, typos."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.catalogue.search import SearchDoc, build_index, search
from satupintu.demo.loader import DEMO_FILE

DEMO = json.loads(DEMO_FILE.read_text())
INDEX = build_index([SearchDoc(s["code"], s["name"], tuple(s["keywords"]), s["agency"], s["description"])
                     for s in DEMO["services"]])
NAMES = {s["code"]: s["name"] for s in DEMO["services"]}


@pytest.mark.parametrize("query, expected_first", [
    ("akta lahir", "Akta Kelahiran"),        # stem: kelahiran -> lahir
    ("akte kelahiran", "Akta Kelahiran"),    # everyday spelling
    ("KTP", "KTP-el"),                       # abbreviation inside "KTP-el"
    ("ijin usaha", "Nomor Induk Berusaha"),  # ijin -> izin, berusaha -> usaha
    ("kartu kluarga", "Kartu Keluarga"),     # typo
    ("kematin", "Akta Kematian"),            # typo
    ("apotik", "Apotek"),
    ("balik nama motor", "Balik Nama"),
])
def test_the_service_a_citizen_means_comes_first(query, expected_first):
    results = search(INDEX, query)
    assert results, f"nothing found for {query!r}"
    assert expected_first in NAMES[results[0][0]]


def test_words_that_mean_nothing_find_nothing():
    assert search(INDEX, "zzzqqq xylofon") == []
    assert search(INDEX, "dan di untuk") == []


def test_every_word_must_match_so_results_stay_relevant():
    codes = [code for code, _ in search(INDEX, "akta kematian")]
    assert "DKC-04" not in codes  # birth certificate is not a death certificate


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_input_gives_a_ranked_list_without_error(text):
    results = search(INDEX, text)
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(code in NAMES for code, _ in results)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(NAMES)))
def test_a_service_is_found_by_its_own_name(code):
    assert code in [c for c, _ in search(INDEX, NAMES[code], limit=100)]
