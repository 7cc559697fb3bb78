"""What public pages show of free text: NIK-like runs, phone numbers and e-mail masked,
ordinary numbers untouched (privacy.py is pure: tested directly and with hypothesis)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from satupintu.privacy import mask_contact, mask_personal_data


# What a reader could still piece together: digits and the mask's stars, separators removed.
def _digits_and_stars(text: str) -> str:
    return re.sub(r"[^\d*]", "", text)


SIXTEEN_DIGITS = re.compile(r"\d(?:[ .\-]?\d){15}")
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,:;!?()ABCDEFGHJ", min_size=0, max_size=30)
SEPARATORS = st.sampled_from(["", " ", ".", "-", "  ", " - "])


def _grouped(digits: str, sizes: list[int], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        if i >= len(digits):
            break
        out.append(digits[i:i + size])
        i += size
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(out)


@st.composite
def niks(draw: st.DrawFn) -> tuple[str, str]:
    """(the digits, as written): 16 digits, plain or grouped with spaces, dots or dashes."""
    digits = draw(st.text(alphabet="0123456789", min_size=16, max_size=16))
    sizes = draw(st.sampled_from([[16], [4, 4, 4, 4], [2, 2, 2, 6, 4], [6, 6, 4], [1] * 16]))
    return digits, _grouped(digits, sizes, draw(SEPARATORS))


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    """(the national number without its leading 0, as written): 08x.. with 10-13 digits, as
    0.., 62.. or +62.., grouped any way."""
    rest = draw(st.sampled_from("123456789")) + draw(st.text(alphabet="0123456789", min_size=7, max_size=10))
    national = "8" + rest
    prefix = draw(st.sampled_from(["0", "62", "+62", "+62 ", "(+62) "]))
    sizes = draw(st.sampled_from([[20], [3, 4, 4, 4], [4, 4, 4, 4], [2, 3, 3, 3, 3], [3, 3, 3, 3, 3]]))
    return national, prefix + _grouped(national, sizes, draw(SEPARATORS))


@given(WORDS, niks(), WORDS)
@settings(max_examples=300)
def test_no_nik_survives_masking_however_it_is_written(before, nik, after):
    digits, written = nik
    out = mask_personal_data(f"{before} {written} {after}")
    assert not SIXTEEN_DIGITS.search(out)
    assert digits not in _digits_and_stars(out)


@given(WORDS, phones(), WORDS)
@settings(max_examples=300)
def test_no_phone_number_survives_masking_however_it_is_written(before, phone, after):
    national, written = phone
    out = mask_personal_data(f"{before} {written} {after}")
    assert national not in _digits_and_stars(out)
    assert national[1:-2] not in _digits_and_stars(out)  # at most the head and the last two digits remain


@given(st.lists(st.tuples(niks(), phones()), min_size=1, max_size=3))
def test_several_numbers_in_one_text_are_all_masked(pairs):
    text = " dan ".join(f"NIK {n[1]} HP {p[1]}" for n, p in pairs)
    out = _digits_and_stars(mask_personal_data(text))
    for (nik_digits, _), (national, _) in pairs:
        assert nik_digits not in out and national not in out


DAY, MONTH, YEAR = st.integers(1, 28), st.integers(1, 12), st.integers(1990, 2035)
ORDINARY = st.one_of(
    st.builds(lambda d, m, y, sep: f"{d:02d}{sep}{m:02d}{sep}{y}", DAY, MONTH, YEAR, st.sampled_from("-./")),
    st.builds(lambda d, m, y: f"{y}-{m:02d}-{d:02d}", DAY, MONTH, YEAR),
    st.builds(lambda h, m: f"{h:02d}.{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    st.builds(lambda h, m, h2: f"{h:02d}.{m:02d}-{h2:02d}.00", st.integers(0, 12), st.integers(0, 59),
              st.integers(13, 23)),
    st.builds(lambda n: "Rp " + f"{n:,}".replace(",", "."), st.integers(1, 999_999_999)),
    st.builds(lambda p, n: f"{p}-{n:03d}", st.sampled_from("ABCDKP"), st.integers(0, 999)),
    st.builds(str, YEAR),
    st.builds(lambda n: f"loket {n}", st.integers(1, 40)),
    st.builds(lambda n: f"{n} orang", st.integers(1, 500)),
)
FILLER = st.sampled_from(["pada", "pukul", "sebesar", "nomor", "dan", "di", "tahun", "sejak", "antre"])


@given(st.lists(st.tuples(FILLER, ORDINARY), min_size=1, max_size=6))
@settings(max_examples=300)
def test_dates_times_money_ticket_numbers_and_years_are_left_alone(parts):
    text = "Saya datang " + " ".join(f"{word} {value}" for word, value in parts) + "."
    assert mask_personal_data(text) == text


def test_the_complaint_from_the_finding_reads_with_its_numbers_masked():
    body = ("Saya datang 12-03-2024 pukul 08.00, antre nomor A-012 sampai 15.00. Biaya Rp 50.000 padahal gratis. "
            "NIK saya 3201 2345 6789 0001, hubungi 0812-3456-7890 atau +62 813 9999 1234 atau budi.s@gmail.com.")
    out = mask_personal_data(body)
    assert out == ("Saya datang 12-03-2024 pukul 08.00, antre nomor A-012 sampai 15.00. Biaya Rp 50.000 padahal "
                   "gratis. NIK saya 3201**********01, hubungi 0812******90 atau +6281*******34 atau "
                   "b***@gmail.com.")


def test_a_date_and_time_written_together_are_not_mistaken_for_a_phone_number():
    assert mask_personal_data("tanggal 08-12-2024 10.00 WIB") == "tanggal 08-12-2024 10.00 WIB"
    assert mask_personal_data("pukul 10.00 0812345678") == "pukul 10.00 0812****78"


def test_landlines_with_their_area_code_are_masked():
    assert "123456" not in mask_personal_data("telepon (0711) 123456")
    assert "1234567" not in mask_personal_data("kantor 021-1234567")


def test_a_contact_is_shown_to_staff_masked():
    assert mask_contact("0812-1111-2222") == "0812******22"
    assert mask_contact("ani.lestari@warga.example") == "a***@warga.example"
    assert mask_contact("@ani_tg") == "@a*****"
    assert mask_contact("") == ""
