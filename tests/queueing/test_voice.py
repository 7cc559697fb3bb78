"""The board reads numbers the Indonesian way."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.queueing.voice import REQUIRED_CLIPS, agency_clip, call_announcement, call_clips, say_number, say_ticket


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


# ---------------------------------------------------------------- recorded clips

def test_a_call_as_clips_says_the_same_words_as_the_announcement():
    """The clips of A-012 at counter 5 of Disdukcapil on Lantai 2, chime first; a recall
    starts with "panggilan ulang"."""
    text = call_announcement("A-012", 5, "Disdukcapil", "Lantai 2")
    assert text == "Nomor antrean A, nol dua belas, silakan ke loket lima, Disdukcapil, lantai dua."
    assert call_clips("A-012", 5, "Disdukcapil", "Lantai 2") == [
        "chime", "nomor-antrean", "huruf-a", "nol", "dua", "belas", "silakan-ke-loket", "lima",
        "instansi-disdukcapil", "lantai", "dua"]
    assert call_clips("B-100", 11, recall=True) == ["chime", "panggilan-ulang", "nomor-antrean", "huruf-b", "seratus",
                                                    "silakan-ke-loket", "sebelas"]
    assert call_announcement("B-100", 11, recall=True).startswith("Panggilan ulang. Nomor antrean B")
    assert call_clips("C-001", 2, floor="Ruang Tunggu Barat") == [
        "chime", "nomor-antrean", "huruf-c", "nol", "nol", "satu", "silakan-ke-loket", "dua"]  # no clip for that


@given(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), st.integers(0, 999), st.integers(0, 999),
       st.sampled_from(["", "Disdukcapil", "BPJS Kesehatan"]), st.sampled_from(["", "Lantai 1", "lt. 12", "Aula"]),
       st.booleans())
def test_every_clip_of_any_call_is_one_a_board_has(letter, n, counter, agency, floor, recall):
    """Any letter, any number 0..999 (three digits), any counter 0..999: every clip is a
    required one (or the agency's own), and the clip words spell the announcement's words."""
    number = f"{letter}-{n:03d}"
    keys = call_clips(number, counter, agency, floor, recall)
    allowed = set(REQUIRED_CLIPS) | ({agency_clip(agency)} if agency else set())
    assert keys[0] == "chime" and set(keys) <= allowed
    words = [k.removeprefix("huruf-").upper() if k.startswith("huruf-") else k for k in keys[1:]
             if not k.startswith("instansi-")]
    said = call_announcement(number, counter, "", floor if floor != "Aula" else "", recall)
    assert " ".join(w.replace("-", " ") for w in words) == said.replace(",", "").replace(".", "").replace(
        "Panggilan ulang", "panggilan ulang").replace("Nomor", "nomor")
