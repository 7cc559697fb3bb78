"""Survey input and output shapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from ..schemas import Strict

EDUCATION = ("sd", "smp", "sma", "d1_d3", "d4_s1", "s2", "s3")
OCCUPATION = ("pns", "tni", "polri", "swasta", "wirausaha", "pelajar", "lainnya")


class SurveyIn(Strict):
    answers: dict[str, int] = Field(description="Unsur key -> 1..4 (persyaratan, prosedur, waktu, biaya, produk, "
                                                "kompetensi, perilaku, pengaduan, sarana)")
    age: int | None = Field(default=None, ge=10, le=120)
    sex: Literal["L", "P"] | None = None
    education: Literal[EDUCATION] | None = None  # type: ignore[valid-type]
    occupation: Literal[OCCUPATION] | None = None  # type: ignore[valid-type]
    suggestion: str = Field(default="", max_length=2000)
    channel: Literal["kiosk", "qr", "link"] = "link"


class UnsurQuestion(BaseModel):
    key: str
    label: str
    answers: list[str]  # labels of values 1..4


class SurveyForm(BaseModel):
    ticket_number: str
    service_name: str
    can_answer: bool
    reason: str
    questions: list[UnsurQuestion]


class SurveyCodeOut(BaseModel):
    """What the issuing kiosk prints: the code, and the ticket page its QR opens."""

    code: str
    display: str  # as printed: ABCD-EFGH
    ticket_path: str  # /antrian/{ticket}?kode=...


class UnsurOut(BaseModel):
    key: str
    label: str
    respondents: int
    nrr: Decimal
    converted: Decimal
    grade: str
    grade_label: str


class ProfileGroup(BaseModel):
    key: str
    label: str
    label_en: str
    count: int


class RespondentProfile(BaseModel):
    """Who answered online (paper tallies carry no profile): counts per age band, sex,
    education and occupation."""

    online: int = 0
    paper: int = 0
    age: list[ProfileGroup] = Field(default_factory=list)
    sex: list[ProfileGroup] = Field(default_factory=list)
    education: list[ProfileGroup] = Field(default_factory=list)
    occupation: list[ProfileGroup] = Field(default_factory=list)


class SkmReport(BaseModel):
    site: str
    scope: str
    starts_on: date
    ends_on: date
    regulation: str
    respondents: int
    population: int  # visitors served in the period and scope
    required_sample: int
    sample_sufficient: bool
    ikm: Decimal
    grade: str
    grade_label: str
    lowest_unsur: str | None
    unsur: list[UnsurOut]
    suggestions: list[str]
    profile: RespondentProfile = Field(default_factory=RespondentProfile)


class TallyIn(Strict):
    service: str = Field(min_length=1, max_length=32)
    starts_on: date
    ends_on: date
    regulation: Literal["permenpanrb_14_2017", "kepmenpan_25_2004"] = "permenpanrb_14_2017"
    respondents: int = Field(ge=1, le=1_000_000)
    tally: dict[str, dict[Literal["1", "2", "3", "4"], int]] = Field(
        description="Per unsur key: how many answered 1, 2, 3 and 4")


class PublishIn(Strict):
    title: str = Field(min_length=3, max_length=200)
    starts_on: date
    ends_on: date


class PublishedOut(BaseModel):
    title: str
    published_at: datetime
    report: SkmReport


class ServiceOption(BaseModel):
    code: str
    name: str


class SkmDesk(BaseModel):
    """The manager's SKM page for one period: the report, the services this actor may enter
    paper tallies for, whether they may publish, and what was already published for the period."""

    site: str
    site_name: str
    timezone: str
    kind: str  # bulan | triwulan | semester | tahun
    year: int
    number: int
    period_label: str
    starts_on: date
    ends_on: date
    report: SkmReport
    tally_services: list[ServiceOption]
    can_publish: bool
    default_title: str
    published_before: list[datetime]  # when this same period was published already
    errors: dict[str, str] = Field(default_factory=dict)  # a period asked for that does not exist
