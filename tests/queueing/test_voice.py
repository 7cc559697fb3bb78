"""The board reads numbers the Indonesian way."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.queueing.voice import call_announcement, say_number, say_ticket


@pytest.mark.parametrize("n, words", [
    (0, "nol"), (7, "tujuh"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (19, "sembilan belas"),
    (20, "dua puluh"), (21, "dua puluh satu"), (100, "seratus"), (101, "seratus satu"), (111, "seratus sebelas"),
    (250, "dua ratus lima puluh"), (1000, "seribu"), (1999, "seribu sembilan ratus sembilan puluh sembilan"),
    (2005, "dua ribu lima"), (120_000, "seratus dua puluh ribu"),
])
def test_numbers_in_indonesian(n, words):
    assert say_number(n) == words


def test_the_call_reads_leading_zeros_then_the_number():
    assert call_announcement("A-012", 5) == "Nomor antrean A, nol dua belas, silakan ke loket lima."
    assert say_ticket("B-001") == "B, nol nol satu"
    assert say_ticket("C-100") == "C, seratus"
    assert say_ticket("D-000") == "D, nol nol nol"
    assert say_ticket("H-1024") == "H, seribu dua puluh empat"


@given(st.integers(0, 999_999))
def test_every_number_has_words_and_no_digits(n):
    words = say_number(n)
    assert words and not any(ch.isdigit() for ch in words) and "  " not in words
