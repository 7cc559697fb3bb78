"""The respondent profile of an SKM report (PermenPANRB 14/2017 asks for age, sex, education
and occupation beside the answers): counts per group, with the labels the report prints.
Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# (lowest age, highest age or None, Indonesian label, English label)
AGE_BANDS: tuple[tuple[int, int | None, str, str], ...] = (
    (0, 20, "20 tahun ke bawah", "20 or younger"),
    (21, 30, "21–30 tahun", "21–30"),
    (31, 40, "31–40 tahun", "31–40"),
    (41, 50, "41–50 tahun", "41–50"),
    (51, None, "51 tahun ke atas", "51 or older"),
)
SEX = {"L": ("Laki-laki", "Male"), "P": ("Perempuan", "Female")}
EDUCATION = {"sd": ("SD", "Primary school"), "smp": ("SMP", "Junior high school"),
             "sma": ("SMA/SMK", "Senior high school"), "d1_d3": ("D1–D3", "Diploma (D1–D3)"),
             "d4_s1": ("D4/S1", "Bachelor (D4/S1)"), "s2": ("S2", "Master (S2)"), "s3": ("S3", "Doctorate (S3)")}
OCCUPATION = {"pns": ("PNS", "Civil servant"), "tni": ("TNI", "Armed forces"), "polri": ("Polri", "Police"),
              "swasta": ("Pegawai swasta", "Private employee"), "wirausaha": ("Wirausaha", "Self-employed"),
              "pelajar": ("Pelajar/mahasiswa", "Student"), "lainnya": ("Lainnya", "Other")}
NOT_GIVEN = ("Tidak diisi", "Not given")


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    label_en: str
    count: int


@dataclass(frozen=True)
class Answer:
    """What one online respondent told about themselves (each may be left empty)."""

    age: int | None
    sex: str | None
    education: str | None
    occupation: str | None


def _groups(values: list[str | None], labels: dict[str, tuple[str, str]]) -> list[Group]:
    out = [Group(key, id_, en, sum(1 for v in values if v == key)) for key, (id_, en) in labels.items()]
    missing = sum(1 for v in values if v not in labels)
    if missing:
        out.append(Group("", *NOT_GIVEN, missing))
    return out


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    for low, high, _, _ in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return str(low)
    return None


def profile(answers: Iterable[Answer]) -> dict[str, list[Group]]:
    """Counts per age band, sex, education and occupation; a group nobody named is still listed
    (with 0) so reports of different periods line up; 'not given' only when someone left it empty."""
    rows = list(answers)
    ages = {str(low): (id_, en) for low, _, id_, en in AGE_BANDS}
    return {
        "age": _groups([age_band(r.age) for r in rows], ages),
        "sex": _groups([r.sex for r in rows], SEX),
        "education": _groups([r.education for r in rows], EDUCATION),
        "occupation": _groups([r.occupation for r in rows], OCCUPATION),
    }
