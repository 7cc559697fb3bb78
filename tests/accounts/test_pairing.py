"""The pairing code a kiosk or board shows at /pasang, as the manager reads and types it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from satupintu.accounts import pairing


def test_a_new_code_is_eight_symbols_shown_as_two_groups_of_four() -> None:
    code = pairing.new_code()
    assert len(code) == 8 and set(code) <= set(pairing.ALPHABET)
    assert pairing.display(code) == f"{code[:4]}-{code[4:]}"


def test_the_alphabet_has_no_symbols_a_person_would_misread() -> None:
    assert not set("0OQD1IL2Z5S6G8B") & set(pairing.ALPHABET)


def test_the_manager_may_type_the_code_in_lower_case_with_spaces_or_the_dash() -> None:
    assert pairing.normalise(" k7mx-4rht ") == "K7MX4RHT"
    assert pairing.normalise("K7MX 4RHT") == "K7MX4RHT"


def test_a_typed_code_of_the_wrong_length_or_with_a_symbol_no_code_has_is_refused() -> None:
    assert pairing.normalise("K7MX-4RH") is None
    assert pairing.normalise("K7MX-4RHO") is None  # O is in no code
    assert pairing.normalise("") is None


@given(st.lists(st.sampled_from(pairing.ALPHABET), min_size=8, max_size=8).map("".join))
def test_what_the_device_shows_always_reads_back_as_its_code(code: str) -> None:
    assert pairing.normalise(pairing.display(code)) == code
    assert pairing.normalise(pairing.display(code).lower()) == code


def test_a_code_lasts_ten_minutes() -> None:
    made = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert not pairing.is_expired(made, made + timedelta(minutes=9, seconds=59))
    assert pairing.is_expired(made, made + timedelta(minutes=10))


def test_five_wrong_codes_within_a_quarter_hour_pause_the_manager() -> None:
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    recent = [now - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert not pairing.is_paused(recent, now)
    assert pairing.is_paused([*recent, now], now)
    assert not pairing.is_paused([now - timedelta(minutes=20)] * 9, now)  # old mistakes are forgiven
