"""NIK (Nomor Induk Kependudukan), the 16-digit national identity number: checks and masking.

Pure rules, no I/O beyond reading the region table shipped with the package.

Layout of a NIK (Permendagri on Dukcapil data; there is NO check digit, so none is checked):

    PP KK DD  ddmmyy  SSSS
    |  |  |   |       +-- serial number 0001-9999 among people registered with the same
    |  |  |   |           region and birth date
    |  |  |   +---------- birth date; women have 40 added to the day (41-71)
    |  |  +-------------- district (kecamatan) code, 01-99
    |  +----------------- regency/city (kabupaten/kota) code
    +-------------------- province code

Province and regency/city codes are checked against ``data/regions.csv``: the current
Kemendagri codes (Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 regencies/cities) plus
the *former* codes of Papua and Papua Barat regencies that moved to the four new Papua
provinces in 2022 (a NIK keeps the prefix it was issued with, so a NIK from Merauke issued
before 2022 still starts with 9101, now 9301). Older re-codings (for example regencies that
moved to Kalimantan Utara in 2012) are not in the table; NIKs issued there before the move
are rejected as an unknown regency until they are added to the table as ``former`` rows.

District codes are NOT checked against a table: the national list has ~7,200 districts and
changes every year as districts are split, and a NIK keeps the district code it was issued
with even after the district is renamed, merged or split. Shipping and maintaining that
table (with its history) is out of proportion to what it would catch, so we only require
the two digits to be 01-99.

The birth year has two digits. We take the most recent century that does not put the birth
date after ``today`` (so "05" is 2005, never 2105; and "30" is 1930 until 2030). Someone born
more than 100 years ago gets the wrong century; the NIK still validates.
"""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from .errors import DomainError

FIELD = "nik"
NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40

_SEPARATORS = re.compile(r"[\s.\-]+")


class Sex(str, enum.Enum):
    male = "male"
    female = "female"


SEX_LABELS = {"male": {"id": "Laki-laki", "en": "Male"}, "female": {"id": "Perempuan", "en": "Female"}}


@dataclass(frozen=True)
class Region:
    code: str  # "32" for a province, "3201" for a regency/city
    name: str
    current: bool  # False: a code no longer in use, kept because NIKs still carry it


@dataclass(frozen=True)
class NikInfo:
    """What a NIK says about its holder. Holds no copy of the full NIK on purpose."""

    province_code: str
    province_name: str
    regency_code: str  # 4 digits, e.g. "3201"
    regency_name: str
    regency_current: bool
    district_code: str  # 6 digits, e.g. "320101" (not checked against a table)
    birth_date: date
    sex: Sex
    serial: int


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """Province (2-digit) and regency/city (4-digit) codes, current and former."""
    table: dict[str, Region] = {}
    with resources.files(__package__).joinpath("data/regions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[row["code"]] = Region(row["code"], row["name"], row["status"] == "current")
    return table


def province(code: str) -> Region | None:
    region = regions().get(code)
    return region if region is not None and len(code) == 2 else None


def regency(code: str) -> Region | None:
    region = regions().get(code)
    return region if region is not None and len(code) == 4 else None


def normalize_nik(raw: str) -> str:
    """Drop spaces, dots and dashes people type between digit groups."""
    return _SEPARATORS.sub("", raw or "")


def _fail(code: str, message: str) -> DomainError:
    return DomainError(code, message, FIELD)


def _birth_date(day: int, month: int, yy: int, today: date) -> date:
    """The birth date in the latest century that does not put it after `today`."""
    exists_somewhere = False
    for century in (today.year // 100 * 100, today.year // 100 * 100 - 100):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            continue
        exists_somewhere = True
        if candidate <= today:
            return candidate
    if not exists_somewhere:
        if not 1 <= month <= 12:
            raise _fail("nik_birth_date", f"Digit ke-9 dan ke-10 NIK (bulan lahir) harus 01-12, bukan {month:02d}.")
        if month == 2 and day == 29:
            raise _fail("nik_birth_date",
                        "Tanggal lahir pada NIK adalah 29 Februari pada tahun yang bukan tahun kabisat.")
        raise _fail("nik_birth_date", f"Tanggal lahir pada NIK ({day:02d}-{month:02d}) tidak ada di kalender.")
    raise _fail("nik_birth_date", "Tanggal lahir pada NIK jatuh setelah hari ini.")


def parse_nik(raw: str, today: date | None = None) -> NikInfo:
    """Check a NIK and read what it encodes; raise DomainError(field="nik") if it is not valid."""
    today = today or date.today()
    nik = normalize_nik(raw)
    if not nik:
        raise _fail("nik_required", "NIK wajib diisi.")
    if not nik.isascii() or not nik.isdigit():
        raise _fail("nik_not_digits", "NIK hanya boleh berisi angka 0-9.")
    if len(nik) != NIK_LENGTH:
        raise _fail("nik_length", f"NIK harus 16 digit; yang diisi {len(nik)} digit.")

    prov = province(nik[:2])
    if prov is None:
        raise _fail("nik_province", f"Kode provinsi pada NIK ({nik[:2]}) tidak dikenal.")
    reg = regency(nik[:4])
    if reg is None:
        raise _fail("nik_regency", f"Kode kabupaten/kota pada NIK ({nik[:4]}) tidak dikenal di provinsi {prov.name}.")
    if nik[4:6] == "00":
        raise _fail("nik_district", "Kode kecamatan pada NIK (digit ke-5 dan ke-6) tidak boleh 00.")

    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if 1 <= day <= 31:
        sex = Sex.male
    elif FEMALE_DAY_OFFSET + 1 <= day <= FEMALE_DAY_OFFSET + 31:
        sex, day = Sex.female, day - FEMALE_DAY_OFFSET
    else:
        raise _fail("nik_birth_date",
                    f"Digit ke-7 dan ke-8 NIK (tanggal lahir) harus 01-31, atau 41-71 untuk perempuan, "
                    f"bukan {nik[6:8]}.")
    if not 1 <= month <= 12:
        raise _fail("nik_birth_date", f"Digit ke-9 dan ke-10 NIK (bulan lahir) harus 01-12, bukan {nik[8:10]}.")
    birth = _birth_date(day, month, yy, today)

    serial = int(nik[12:])
    if serial == 0:
        raise _fail("nik_serial", "Nomor urut pada NIK (4 digit terakhir) tidak boleh 0000.")

    return NikInfo(
        province_code=prov.code, province_name=prov.name,
        regency_code=reg.code, regency_name=reg.name, regency_current=reg.current,
        district_code=nik[:6], birth_date=birth, sex=sex, serial=serial,
    )


def is_valid_nik(raw: str, today: date | None = None) -> bool:
    try:
        parse_nik(raw, today)
    except DomainError:
        return False
    return True


MASK_CHAR = "*"
MASK_SHOW_HEAD = 4
MASK_SHOW_TAIL = 2


def mask_nik(raw: str | None) -> str:
    """A NIK for display: the first 4 digits (province + regency) and the last 2 are shown,
    the other 10 are replaced by '*': "3201**********01".

    Works on anything: separators are dropped first, and input shorter than 16 characters
    shows proportionally less (nothing at all below 12 characters), so the result never
    shows more than 6 characters of what was given and never the whole of it.
    """
    nik = normalize_nik(raw or "")
    if len(nik) < 12:
        return MASK_CHAR * len(nik)
    hidden = len(nik) - MASK_SHOW_HEAD - MASK_SHOW_TAIL
    return nik[:MASK_SHOW_HEAD] + MASK_CHAR * hidden + nik[-MASK_SHOW_TAIL:]
