"""The satisfaction index (Indeks Kepuasan Masyarakat) and its sample size. Pure, no I/O.

PermenPANRB 14/2017: nine elements (unsur), answers 1-4, NRR per unsur = sum of values /
number of respondents who answered it, IKM = sum of NRR x 1/9, converted x 25, rounded to two
decimals only at the end. The weight 1/9 is kept exact (fractions), never 0.111.

KepMenPAN 25/2004 (legacy reports): fourteen elements, weight 0.071 as the decree prints it
(so all-4 answers give 99.40, not 100), and its own quality bands.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


class Regulation(str, enum.Enum):
    permenpanrb_14_2017 = "permenpanrb_14_2017"
    kepmenpan_25_2004 = "kepmenpan_25_2004"


@dataclass(frozen=True)
class Unsur:
    key: str
    label: str
    answers: tuple[str, str, str, str]  # labels of the values 1..4, as in the questionnaire


# Stored by key, never by column position: published questionnaires order the last two differently.
UNSUR_2017: tuple[Unsur, ...] = (
    Unsur("persyaratan", "Persyaratan", ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Unsur("prosedur", "Sistem, Mekanisme, dan Prosedur", ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    Unsur("waktu", "Waktu Penyelesaian", ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    Unsur("biaya", "Biaya/Tarif", ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    Unsur("produk", "Produk Spesifikasi Jenis Pelayanan", ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Unsur("kompetensi", "Kompetensi Pelaksana", ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    Unsur("perilaku", "Perilaku Pelaksana", ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
                                             "Sangat sopan dan ramah")),
    Unsur("pengaduan", "Penanganan Pengaduan, Saran dan Masukan",
          ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    Unsur("sarana", "Sarana dan Prasarana", ("Buruk", "Cukup", "Baik", "Sangat baik")),
)

UNSUR_2004_KEYS: tuple[str, ...] = (
    "prosedur", "persyaratan", "kejelasan_petugas", "kedisiplinan_petugas", "tanggung_jawab_petugas",
    "kemampuan_petugas", "kecepatan", "keadilan", "kesopanan", "kewajaran_biaya", "kepastian_biaya",
    "kepastian_jadwal", "kenyamanan_lingkungan", "keamanan",
)

WEIGHT = {
    Regulation.permenpanrb_14_2017: Fraction(1, 9),
    Regulation.kepmenpan_25_2004: Fraction(71, 1000),  # 0.071, as printed in the decree
}
KEYS = {
    Regulation.permenpanrb_14_2017: tuple(u.key for u in UNSUR_2017),
    Regulation.kepmenpan_25_2004: UNSUR_2004_KEYS,
}


@dataclass(frozen=True)
class Grade:
    letter: str
    label: str


# Lower bounds of each grade on the 25-100 scale (the converted index).
BANDS = {
    Regulation.permenpanrb_14_2017: ((Decimal("88.31"), Grade("A", "Sangat Baik")),
                                     (Decimal("76.61"), Grade("B", "Baik")),
                                     (Decimal("65.00"), Grade("C", "Kurang Baik")),
                                     (Decimal("0"), Grade("D", "Tidak Baik"))),
    Regulation.kepmenpan_25_2004: ((Decimal("81.26"), Grade("A", "Sangat Baik")),
                                   (Decimal("62.51"), Grade("B", "Baik")),
                                   (Decimal("43.76"), Grade("C", "Kurang Baik")),
                                   (Decimal("0"), Grade("D", "Tidak Baik"))),
}


class SurveyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _two(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def grade(converted: Decimal, regulation: Regulation = Regulation.permenpanrb_14_2017) -> Grade:
    for lower, g in BANDS[regulation]:
        if converted >= lower:
            return g
    return BANDS[regulation][-1][1]


@dataclass(frozen=True)
class UnsurResult:
    key: str
    respondents: int
    nrr: Fraction  # mean value 1..4
    converted: Decimal  # NRR x 25, two decimals
    grade: Grade


@dataclass(frozen=True)
class IndexResult:
    regulation: Regulation
    respondents: int
    unsur: tuple[UnsurResult, ...]
    ikm: Decimal  # converted to 25-100, two decimals
    grade: Grade

    @property
    def lowest(self) -> UnsurResult | None:
        answered = [u for u in self.unsur if u.respondents]
        return min(answered, key=lambda u: (u.nrr, u.key)) if answered else None


def check_answers(answers: Mapping[str, int], regulation: Regulation = Regulation.permenpanrb_14_2017) -> None:
    """A response may skip an unsur, but what it answers must be a known unsur valued 1-4."""
    keys = KEYS[regulation]
    for key, value in answers.items():
        if key not in keys:
            raise SurveyError(key, f"Unsur '{key}' tidak dikenal.")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 4:
            raise SurveyError(key, "Jawaban harus bernilai 1 sampai 4.")


def ikm(responses: Iterable[Mapping[str, int]],
        regulation: Regulation = Regulation.permenpanrb_14_2017) -> IndexResult:
    """The index from individual responses ({unsur key: value 1-4})."""
    keys = KEYS[regulation]
    sums = dict.fromkeys(keys, 0)
    counts = dict.fromkeys(keys, 0)
    n = 0
    for answers in responses:
        check_answers(answers, regulation)
        n += 1
        for key, value in answers.items():
            sums[key] += value
            counts[key] += 1
    return _result(regulation, n, sums, counts)


def ikm_from_tally(tally: Mapping[str, Mapping[int, int]], respondents: int,
                   regulation: Regulation = Regulation.permenpanrb_14_2017) -> IndexResult:
    """The index from a paper tally: for each unsur, how many answered 1, 2, 3 and 4."""
    keys = KEYS[regulation]
    sums = dict.fromkeys(keys, 0)
    counts = dict.fromkeys(keys, 0)
    for key, per_value in tally.items():
        if key not in keys:
            raise SurveyError(key, f"Unsur '{key}' tidak dikenal.")
        for value, count in per_value.items():
            if value not in (1, 2, 3, 4):
                raise SurveyError(key, "Jawaban harus bernilai 1 sampai 4.")
            if count < 0:
                raise SurveyError(key, "Jumlah jawaban tidak boleh negatif.")
            sums[key] += value * count
            counts[key] += count
        if counts[key] > respondents:
            raise SurveyError(key, "Jumlah jawaban melebihi jumlah responden.")
    return _result(regulation, respondents, sums, counts)


def _result(regulation: Regulation, n: int, sums: dict[str, int], counts: dict[str, int]) -> IndexResult:
    weight = WEIGHT[regulation]
    per_unsur = []
    total = Fraction(0)
    for key in KEYS[regulation]:
        nrr = Fraction(sums[key], counts[key]) if counts[key] else Fraction(0)
        converted = _two(nrr * 25)
        per_unsur.append(UnsurResult(key, counts[key], nrr, converted, grade(converted, regulation)))
        total += nrr * weight
    index = _two(total * 25) if n else Decimal("0.00")
    return IndexResult(regulation, n, tuple(per_unsur), index, grade(index, regulation))


def required_sample(population: int, chi_square: float = 3.841, proportion: float = 0.5,
                    margin: float = 0.05) -> int:
    """Krejcie and Morgan (1970): respondents needed for a population served in a period.

    s = X^2 N P(1-P) / (d^2 (N-1) + X^2 P(1-P)) with X^2 = 3.841 (95%), P = 0.5, d = 0.05."""
    if population <= 0:
        return 0
    p = proportion * (1 - proportion)
    s = chi_square * population * p / (margin ** 2 * (population - 1) + chi_square * p)
    # Rounded half up, as in the published table (100 -> 80, 1,000 -> 278, 1,000,000 -> 384).
    return min(population, math.floor(s + 0.5))
