"""What the oversight API answers about facilities, readiness, the instrument and the national
view, built from the services' results. Pure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from . import facility_service, instrument_service, readiness_service
from .readiness import MEASURES
from .service import NationalRow

# --- facilities -----------------------------------------------------------------------------------


class FacilityMeasureOut(BaseModel):
    applicable: int
    available: int
    partial: int
    missing: int = Field(description="Recorded as missing, or not recorded at all")
    not_applicable: int
    available_share: float | None = Field(description="(available + partial / 2) / applicable")
    vulnerable_share: float | None
    overdue: list[str] = Field(description="Facility keys missing or partial past their due date")
    without_plan: list[str]
    without_evidence: list[str]


class FacilityLineOut(BaseModel):
    key: str
    name: str
    category: str
    category_label: str
    status: str | None = Field(description="tersedia, sebagian, belum_ada, tidak_berlaku; null: not recorded")
    note: str
    due_on: date | None
    photos: list[str] = Field(description="Photo ids (the page serves each)")
    overdue: bool


class FacilitiesOut(BaseModel):
    site: str
    site_name: str
    can_edit: bool
    measure: FacilityMeasureOut
    lines: list[FacilityLineOut]


def facilities_out(c: facility_service.Checklist) -> FacilitiesOut:
    m = c.measure
    return FacilitiesOut(
        site=c.site_code, site_name=c.site_name, can_edit=c.can_edit,
        measure=FacilityMeasureOut(applicable=m.applicable, available=m.available, partial=m.partial,
                                   missing=m.missing, not_applicable=m.not_applicable,
                                   available_share=m.available_share, vulnerable_share=m.vulnerable_share,
                                   overdue=list(m.overdue), without_plan=list(m.without_plan),
                                   without_evidence=list(m.without_evidence)),
        lines=[FacilityLineOut(key=line.facility.key, name=line.facility.name, category=line.facility.category.value,
                               category_label=line.category_label,
                               status=line.status.value if line.status else None, note=line.note, due_on=line.due_on,
                               photos=[str(p.id) for p in line.photos], overdue=line.overdue) for line in c.lines])


FACILITY_COLUMNS = ("Kode", "Sarana", "Kelompok", "Status", "Catatan", "Tenggat", "Foto", "Lewat tenggat")


def facility_lines(c: facility_service.Checklist) -> list[list[Any]]:
    return [list(FACILITY_COLUMNS)] + [
        [line.facility.key, line.facility.name, line.category_label,
         c.status_labels.get(line.status.value, "") if line.status else "Belum dicatat", line.note,
         line.due_on.isoformat() if line.due_on else "", len(line.photos), "ya" if line.overdue else ""]
        for line in c.lines]


# --- the instrument -------------------------------------------------------------------------------


class BandBody(BaseModel):
    minimum: float = Field(description="The measured value reaches the band at or above this")
    score: int = Field(description="1..5")


class EvidenceBody(BaseModel):
    key: str
    text: str = Field(description="What the assessor wants to see, in Indonesian")


class IndicatorBody(BaseModel):
    key: str
    text: str
    weight: float = Field(description="Percent of the aspect; an aspect's indicators sum to 100")
    kind: str = Field(description="measured (from the system) or manual (scored by the manager)")
    measure: str | None = Field(None, description="For measured indicators, one of: " + ", ".join(MEASURES))
    bands: list[BandBody] = Field(default_factory=list)
    evidence: list[EvidenceBody] = Field(default_factory=list)
    target: int = 4


class AspectBody(BaseModel):
    key: str
    name: str
    weight: float = Field(description="Percent of the index; the aspects sum to 100")
    indicators: list[IndicatorBody]


class InstrumentIn(BaseModel):
    """An edited instrument (as `GET` answers it). Every field is checked by the readiness rules,
    which name a wrong one by its path: `aspects[0].indicators[2].weight`."""

    name: str
    aspects: list[AspectBody]
    base_version: int | None = Field(None, description="The version the edit started from: when another save "
                                                       "came first the edit is refused with 409")
    note: str = Field("", description="What changed, for the version history")


class VersionOut(BaseModel):
    version: int
    created_at: datetime | None = Field(description="null: the code's default, not stored yet")
    created_by: str
    note: str


class InstrumentOut(BaseModel):
    version: int
    created_at: datetime | None
    created_by: str
    note: str
    can_edit: bool
    name: str
    aspects: list[AspectBody]
    history: list[VersionOut] = Field(description="Every version, newest first")


def instrument_out(view: instrument_service.InstrumentView) -> InstrumentOut:
    body = view.instrument.as_dict()
    return InstrumentOut(version=view.version, created_at=view.info.created_at, created_by=view.info.created_by,
                         note=view.info.note, can_edit=view.can_edit, name=body["name"],
                         aspects=[AspectBody.model_validate(a) for a in body["aspects"]],
                         history=[VersionOut(version=h.version, created_at=h.created_at, created_by=h.created_by,
                                             note=h.note) for h in view.history])


# --- readiness ------------------------------------------------------------------------------------


class IndicatorResultOut(BaseModel):
    key: str
    text: str
    kind: str
    weight: float
    value: float | None = Field(description="The measured value, for measured indicators")
    score: float = Field(description="0..5; 0 while not measured or not scored")
    scored: bool
    target: int
    target_minimum: float | None = Field(description="The measured value that reaches the target score")
    evidence_given: list[str]
    missing_evidence: list[EvidenceBody]
    note: str
    scored_with_version: int | None = Field(description="The instrument version the manager's score was given "
                                                        "under (null: before versions were kept, or none)")


class AspectResultOut(BaseModel):
    key: str
    name: str
    weight: float
    score: float
    indicators: list[IndicatorResultOut]


class GapOut(BaseModel):
    aspect: str
    indicator: str
    text: str
    score: float
    target: int
    shortfall: float = Field(description="Index points the gap costs")
    missing_evidence: list[EvidenceBody]
    advice: str


class ReadinessOut(BaseModel):
    site: str
    site_name: str
    instrument_version: int
    start: date
    end: date
    index: float = Field(description="0..5, two decimals")
    category: str
    category_label: str
    can_edit: bool
    aspects: list[AspectResultOut]
    gaps: list[GapOut] = Field(description="The most costly first")


def readiness_out(v: readiness_service.SelfAssessment) -> ReadinessOut:
    a = v.assessment

    def indicator(r: Any) -> IndicatorResultOut:
        st = v.stored.get(r.key)
        return IndicatorResultOut(
            key=r.key, text=r.text, kind=r.kind.value, weight=r.weight, value=r.value, score=r.score,
            scored=r.scored, target=r.target, target_minimum=r.target_minimum,
            evidence_given=sorted(st.evidence) if st else [],
            missing_evidence=[EvidenceBody(key=e.key, text=e.text) for e in r.missing_evidence],
            note=st.note if st else "", scored_with_version=st.instrument_version if st else None)

    return ReadinessOut(
        site=v.site_code, site_name=v.site_name, instrument_version=v.instrument_version, start=v.start, end=v.end,
        index=float(a.index), category=a.category, category_label=a.category_label, can_edit=v.can_edit,
        aspects=[AspectResultOut(key=x.key, name=x.name, weight=x.weight, score=round(x.score, 4),
                                 indicators=[indicator(r) for r in x.indicators]) for x in a.aspects],
        gaps=[GapOut(aspect=g.aspect, indicator=g.indicator, text=g.text, score=g.score, target=g.target,
                     shortfall=round(g.shortfall, 6),
                     missing_evidence=[EvidenceBody(key=e.key, text=e.text) for e in g.missing_evidence],
                     advice=g.advice) for g in v.gaps])


READINESS_COLUMNS = ("Aspek", "Kode indikator", "Indikator", "Jenis", "Bobot (%)", "Nilai terukur", "Skor",
                     "Target", "Bukti kurang")


def readiness_lines(v: readiness_service.SelfAssessment) -> list[list[Any]]:
    lines: list[list[Any]] = [list(READINESS_COLUMNS)]
    for x in v.assessment.aspects:
        for r in x.indicators:
            lines.append([x.name, r.key, r.text, "diukur" if r.kind.value == "measured" else "manual", r.weight,
                          r.value, r.score, r.target, "; ".join(e.text for e in r.missing_evidence)])
    return lines


# --- the national view ----------------------------------------------------------------------------


class NationalRowOut(BaseModel):
    code: str
    name: str
    is_event: bool
    parent_code: str | None
    province_code: str | None
    province: str
    regency_code: str | None
    regency: str
    visitors: int
    served: int
    wait_median_s: float | None
    wait_p90_s: float | None
    ikm: float | None
    complaints_answered_on_time_share: float | None
    applications_on_time_share: float | None
    facilities_share: float | None


def national_out(r: NationalRow) -> NationalRowOut:
    f = r.figures
    return NationalRowOut(code=r.code, name=r.name, is_event=r.is_event, parent_code=r.parent_code,
                          province_code=r.place.province_code, province=r.place.province,
                          regency_code=r.place.regency_code, regency=r.place.regency, visitors=f.visitors,
                          served=f.served, wait_median_s=f.wait.median_s, wait_p90_s=f.wait.p90_s,
                          ikm=f.figure("ikm"), complaints_answered_on_time_share=f.complaints.answered_on_time_share,
                          applications_on_time_share=f.applications.on_time_share, facilities_share=r.facilities_share)
