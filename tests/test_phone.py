"""The one written form of an Indonesian mobile number (satupintu.phone)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.phone import normalise_phone


@pytest.mark.parametrize("raw", ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890",
                                 "+62 812 3456 7890", "(0812) 3456.7890"])
def test_every_usual_way_of_writing_a_mobile_number_gives_the_same_form(raw: str) -> None:
    assert normalise_phone(raw) == "081234567890"


@pytest.mark.parametrize("raw", ["", "0212345678", "08123", "0812345678901234", "0812-abc-7890", "+1 812 3456 7890"])
def test_what_is_not_an_indonesian_mobile_number_is_refused(raw: str) -> None:
    assert normalise_phone(raw) is None


@given(st.text(alphabet="0123456789", min_size=7, max_size=12))
def test_a_number_written_with_the_country_code_is_the_number_written_with_zero(rest: str) -> None:
    assert normalise_phone("+628" + rest) == normalise_phone("08" + rest) == "08" + rest


@given(st.text(max_size=30))
def test_the_written_form_is_always_a_mobile_number_and_stable(raw: str) -> None:
    phone = normalise_phone(raw)
    if phone is not None:
        assert phone.startswith("08") and phone.isdigit() and 9 <= len(phone) <= 14
        assert normalise_phone(phone) == phone
