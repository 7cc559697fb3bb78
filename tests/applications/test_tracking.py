"""Tracking numbers: what a citizen types to follow an application, and typos caught."""

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from satupintu.applications.tracking import (
    ALPHABET,
    check_character,
    is_valid_tracking_number,
    new_tracking_number,
    normalize_tracking_number,
)

FORMAT = re.compile(r"^PRM-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


def body(number):
    return number.replace("PRM-", "").replace("-", "")


def sample(count=60, seed=7):
    rng = random.Random(seed)
    return [new_tracking_number(rng) for _ in range(count)]


def test_a_new_number_looks_like_prm_xxxx_xxxx_without_look_alikes():
    for number in sample():
        assert FORMAT.match(number), number
        assert not set(body(number)) & set("01IO")


def test_the_citizen_may_type_it_in_lower_case_with_spaces_or_without_prefix():
    number = new_tracking_number(random.Random(1))
    b = body(number)
    for typed in (number.lower(), f" prm {b[:4]} {b[4:]} ", b, b.lower(), f"PRM{b}", f"{b[:4]}-{b[4:]}"):
        assert normalize_tracking_number(typed) == number


def test_every_single_character_typo_is_caught():
    for number in sample():
        b = body(number)
        for i in range(len(b)):
            for ch in ALPHABET:
                if ch != b[i]:
                    assert not is_valid_tracking_number(b[:i] + ch + b[i + 1:])


def test_every_swap_of_two_neighbouring_characters_is_caught():
    for number in sample(200):
        b = body(number)
        for i in range(len(b) - 1):
            if b[i] != b[i + 1]:
                assert not is_valid_tracking_number(b[:i] + b[i + 1] + b[i] + b[i + 2:])


def test_all_pairs_of_neighbouring_characters_are_distinguished_by_the_check():
    # Exhaustive over the alphabet: swapping any two different neighbours changes the check.
    for x in ALPHABET:
        for y in ALPHABET:
            if x != y:
                assert check_character("AAAAA" + x + y) != check_character("AAAAA" + y + x)


def test_wrong_length_letters_outside_the_alphabet_and_empty_input_are_refused():
    number = new_tracking_number(random.Random(3))
    b = body(number)
    assert not is_valid_tracking_number(b[:-1])
    assert not is_valid_tracking_number(b + "2")
    assert not is_valid_tracking_number(b[:3] + "O" + b[4:])
    assert not is_valid_tracking_number("")
    assert not is_valid_tracking_number(None)
    assert not is_valid_tracking_number("XYZ" + b)


@given(st.randoms(use_true_random=False))
def test_any_generated_number_is_valid_and_round_trips(rng):
    number = new_tracking_number(rng)
    assert is_valid_tracking_number(number)
    assert normalize_tracking_number(number) == number
    assert normalize_tracking_number(" ".join(body(number).lower())) == number
