"""NIK checks: what a citizen or officer sees when a NIK is typed."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.errors import DomainError
from satupintu.nik import Sex, mask_nik, parse_nik, regions

TODAY = date(2026, 1, 15)


def error_of(nik: str, today: date = TODAY) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_nik(nik, today)
    assert caught.value.field == "nik"
    return caught.value


def test_a_male_nik_shows_his_regency_birth_date_and_sex():
    info = parse_nik("3201011505900001", TODAY)
    assert (info.province_name, info.regency_code, info.regency_name) == ("Jawa Barat", "3201", "Kabupaten Bogor")
    assert info.district_code == "320101"
    assert info.birth_date == date(1990, 5, 15) and info.sex is Sex.male and info.serial == 1


def test_a_female_nik_has_forty_added_to_the_birth_day():
    info = parse_nik("3273055506920123", TODAY)
    assert info.regency_name == "Kota Bandung"
    assert info.birth_date == date(1992, 6, 15) and info.sex is Sex.female and info.serial == 123


def test_spaces_and_dots_between_digit_groups_are_accepted():
    assert parse_nik(" 3201 0115 0590 0001 ", TODAY).birth_date == date(1990, 5, 15)
    assert parse_nik("3201.011505.900001", TODAY).serial == 1


def test_born_on_29_february_of_a_leap_year_is_accepted():
    assert parse_nik("3201012902000001", TODAY).birth_date == date(2000, 2, 29)
    assert parse_nik("3201016902040001", TODAY).birth_date == date(2004, 2, 29)  # woman: 29 + 40


def test_born_on_29_february_of_a_common_year_is_refused():
    err = error_of("3201012902250001")
    assert err.code == "nik_birth_date" and "kabisat" in err.message


def test_a_date_that_never_exists_is_refused():
    assert "tidak ada" in error_of("3201013104900001").message  # 31 April


def test_a_two_digit_year_is_never_read_as_a_future_birth_date():
    assert parse_nik("3201010106260001", TODAY).birth_date == date(1926, 6, 1)
    assert parse_nik("3201010101260001", TODAY).birth_date == date(2026, 1, 1)
    assert parse_nik("3201010101050001", TODAY).birth_date == date(2005, 1, 1)


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_a_birth_day_outside_1_31_and_41_71_is_refused(day):
    err = error_of(f"320101{day}05900001")
    assert err.code == "nik_birth_date" and "41-71" in err.message


def test_a_birth_month_13_is_refused():
    assert "bulan lahir" in error_of("3201011513900001").message


def test_an_unknown_province_is_named_in_the_message():
    err = error_of("2001011505900001")
    assert err.code == "nik_province" and "(20)" in err.message


def test_an_unknown_regency_is_named_with_its_province():
    err = error_of("3230011505900001")
    assert err.code == "nik_regency" and "3230" in err.message and "Jawa Barat" in err.message


def test_a_pre_2022_papua_code_is_still_accepted_as_a_former_regency():
    info = parse_nik("9101011505900001", TODAY)
    assert info.regency_name == "Kabupaten Merauke" and not info.regency_current
    assert parse_nik("9301011505900001", TODAY).regency_current


def test_district_00_is_refused():
    assert error_of("3201001505900001").code == "nik_district"


def test_serial_0000_is_refused():
    err = error_of("3201011505900000")
    assert err.code == "nik_serial" and "0000" in err.message


def test_letters_are_refused():
    err = error_of("32010115059000A1")
    assert err.code == "nik_not_digits" and "angka" in err.message


@pytest.mark.parametrize("nik, count", [("320101150590001", 15), ("32010115059000011", 17)])
def test_15_or_17_digits_are_refused_with_the_count(nik, count):
    err = error_of(nik)
    assert err.code == "nik_length" and f"{count} digit" in err.message


def test_an_empty_nik_is_required():
    assert error_of("  ").code == "nik_required"


def test_the_region_table_has_38_provinces_and_514_current_regencies():
    table = regions().values()
    assert sum(1 for r in table if len(r.code) == 2) == 38
    assert sum(1 for r in table if len(r.code) == 4 and r.current) == 514


def test_a_masked_nik_shows_only_the_first_four_and_last_two_digits():
    assert mask_nik("3201011505900001") == "3201**********01"
    assert mask_nik("3201 0115 0590 0001") == "3201**********01"
    assert mask_nik("12345") == "*****"
    assert mask_nik(None) == ""


REGENCIES = sorted(r.code for r in regions().values() if len(r.code) == 4)


@st.composite
def valid_niks(draw):
    regency = draw(st.sampled_from(REGENCIES))
    district = draw(st.integers(1, 99))
    born = draw(st.dates(min_value=TODAY - timedelta(days=365 * 99), max_value=TODAY))
    sex = draw(st.sampled_from([Sex.male, Sex.female]))
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if sex is Sex.female else 0)
    nik = f"{regency}{district:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return nik, born, sex, serial


@given(valid_niks())
def test_any_well_formed_nik_parses_back_to_its_birth_date_and_sex(case):
    nik, born, sex, serial = case
    info = parse_nik(nik, TODAY)
    assert (info.birth_date, info.sex, info.serial, info.regency_code) == (born, sex, serial, nik[:4])


@given(st.one_of(valid_niks().map(lambda c: c[0]), st.text(alphabet="0123456789 .-", max_size=40)))
def test_a_mask_never_shows_more_than_six_digits(text):
    masked = mask_nik(text)
    assert sum(ch.isdigit() for ch in masked) <= 6
    digits = "".join(ch for ch in text if ch.isdigit())
    assert len(digits) < 7 or digits not in masked
