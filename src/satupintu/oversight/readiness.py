"""The readiness self-assessment ahead of the KemenPANRB evaluation. Pure, no I/O.

The instrument is data the overseer can edit (`Instrument.from_dict` / `as_dict`, checked by
`validate`): aspects with weights in percent of the index, each with indicators whose weights
sum to 100 within the aspect. An indicator is either

- `measured`: its value comes from the system (`MEASURES` names the keys and units) and its
  `bands` turn the value into a score (the highest band whose minimum the value reaches), or
- `manual`: the manager gives the score, with the evidence the indicator asks for.

Scores are on the evaluation's 0-5 scale (an indicator 1-5, or 0 while it has no value or no
score). An aspect's score is the weighted mean of its indicators; the index is the weighted mean
of the aspects, graded by the range table of the public-service evaluation (PEKPPP): A "Pelayanan
Prima" from 4.51 down to F "Gagal" up to 1.00.

`DEFAULT_INSTRUMENT` follows the evaluation's six aspects with the weights of its 2017-era
instrument (30/18/15/15/15/7). Its indicators are SatuPintu's own wording of what the aspects
ask, not the official form, and the ministry revises its instrument (the 2024 one weighs
Kebijakan Pelayanan at 24 %): the overseer edits the instrument to the year's form.

The gap list is every indicator below its target or short of evidence, largest weighted
shortfall (target minus score, in index points) first.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..catalogue.standard import COMPONENTS
from ..errors import Errors, FieldError
from .facilities import FacilityMeasure
from .measures import Summary

SCALE_MAX = 5
WEIGHT_TOLERANCE = 1e-6


class Kind(enum.StrEnum):
    measured = "measured"
    manual = "manual"


# Keys of the system measures an indicator may name, with what their value is.
MEASURES: dict[str, str] = {
    "standards_complete_share": "Porsi layanan terbit yang 14 komponen Standar Pelayanannya lengkap (0-1)",
    "service_within_standard_share": "Porsi layanan yang selesai dalam standar waktunya (0-1)",
    "waits_within_threshold_share": "Porsi pengunjung yang menunggu tidak melebihi batas waktu tunggu (0-1)",
    "skm_sample_sufficient": "Responden SKM dibanding sampel Krejcie-Morgan (0-1; 1 = cukup)",
    "skm_index": "Indeks Kepuasan Masyarakat (25-100)",
    "counters_staffed_through_breaks": "Porsi jam-loket rencana yang benar-benar terbuka, termasuk jam istirahat (0-1)",
    "facilities_available_share": "Porsi sarana prasarana yang tersedia (0-1)",
    "vulnerable_facilities_share": "Porsi sarana kelompok rentan yang tersedia (0-1)",
    "complaints_verified_on_time_share": "Porsi pengaduan diverifikasi tepat waktu (0-1)",
    "complaints_answered_on_time_share": "Porsi pengaduan dijawab tepat waktu (0-1)",
    "applications_on_time_share": "Porsi permohonan selesai tepat waktu (0-1)",
}

# PEKPPP range table: (lowest index, letter, meaning), index rounded to two decimals.
CATEGORIES: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("4.51"), "A", "Pelayanan Prima"), (Decimal("4.01"), "A-", "Sangat Baik"),
    (Decimal("3.51"), "B", "Baik"), (Decimal("3.01"), "B-", "Baik (dengan catatan)"),
    (Decimal("2.51"), "C", "Cukup"), (Decimal("2.01"), "C-", "Cukup (dengan catatan)"),
    (Decimal("1.51"), "D", "Buruk"), (Decimal("1.01"), "E", "Sangat Buruk"), (Decimal("0"), "F", "Gagal"),
)


@dataclass(frozen=True)
class Band:
    minimum: float  # the value reaches the band at or above this
    score: int  # 1..5


@dataclass(frozen=True)
class Evidence:
    key: str
    text: str  # what the assessor wants to see, in Indonesian


@dataclass(frozen=True)
class Indicator:
    key: str
    text: str
    weight: float  # percent of the aspect
    kind: Kind
    measure: str | None = None  # a MEASURES key, for measured indicators
    bands: tuple[Band, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    target: int = 4  # the score to reach before the assessors come


@dataclass(frozen=True)
class Aspect:
    key: str
    name: str
    weight: float  # percent of the index
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Instrument:
    name: str
    aspects: tuple[Aspect, ...]

    def indicator(self, key: str) -> tuple[Aspect, Indicator] | None:
        for a in self.aspects:
            for i in a.indicators:
                if i.key == key:
                    return a, i
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aspects": [
            {"key": a.key, "name": a.name, "weight": a.weight, "indicators": [
                {"key": i.key, "text": i.text, "weight": i.weight, "kind": i.kind.value, "measure": i.measure,
                 "bands": [{"minimum": b.minimum, "score": b.score} for b in i.bands],
                 "evidence": [{"key": e.key, "text": e.text} for e in i.evidence], "target": i.target}
                for i in a.indicators]}
            for a in self.aspects]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Instrument:
        """An instrument from its edited form; raises ValidationFailed naming every bad field."""
        errors = Errors()
        aspects = []
        for ai, raw_aspect in enumerate(_list(data, "aspects", "aspects", errors)):
            where = f"aspects[{ai}]"
            indicators = []
            for ii, raw in enumerate(_list(raw_aspect, "indicators", f"{where}.indicators", errors)):
                at = f"{where}.indicators[{ii}]"
                kind_text = _text(raw, "kind", at, errors)
                if kind_text not in {k.value for k in Kind}:
                    errors.add(f"{at}.kind", "Jenis indikator harus 'measured' (diukur sistem) atau 'manual'.")
                    kind_text = Kind.manual.value
                bands = tuple(Band(_number(b, "minimum", f"{at}.bands[{bi}]", errors),
                                   int(_number(b, "score", f"{at}.bands[{bi}]", errors)))
                              for bi, b in enumerate(_list(raw, "bands", f"{at}.bands", errors, required=False)))
                evidence = tuple(Evidence(_text(e, "key", f"{at}.evidence[{ei}]", errors),
                                          _text(e, "text", f"{at}.evidence[{ei}]", errors))
                                 for ei, e in enumerate(_list(raw, "evidence", f"{at}.evidence", errors,
                                                              required=False)))
                measure = raw.get("measure") if isinstance(raw, Mapping) else None
                indicators.append(Indicator(
                    key=_text(raw, "key", at, errors), text=_text(raw, "text", at, errors),
                    weight=_number(raw, "weight", at, errors), kind=Kind(kind_text),
                    measure=measure if isinstance(measure, str) and measure else None, bands=bands,
                    evidence=evidence, target=int(_number(raw, "target", at, errors, default=4))))
            aspects.append(Aspect(_text(raw_aspect, "key", where, errors), _text(raw_aspect, "name", where, errors),
                                  _number(raw_aspect, "weight", where, errors), tuple(indicators)))
        instrument = cls(_text(data, "name", "", errors), tuple(aspects))
        errors.raise_if_any("Instrumen penilaian belum valid.")
        check(instrument)
        return instrument


def _field(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _list(data: Any, name: str, where: str, errors: Errors, required: bool = True) -> list[Any]:
    value = data.get(name) if isinstance(data, Mapping) else None
    if value is None and not required:
        return []
    if not isinstance(value, list):
        errors.add(where, "Harus berupa daftar.")
        return []
    return value


def _text(data: Any, name: str, where: str, errors: Errors) -> str:
    value = data.get(name) if isinstance(data, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        errors.add(_field(where, name), "Wajib diisi.", "required")
        return ""
    return value.strip()


def _number(data: Any, name: str, where: str, errors: Errors, default: float | None = None) -> float:
    value = data.get(name) if isinstance(data, Mapping) else None
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.add(_field(where, name), "Harus berupa angka.")
        return 0.0
    return float(value)


def validate(instrument: Instrument) -> list[FieldError]:
    """Problems of an (edited) instrument, each naming its field, in Indonesian."""
    errors: list[FieldError] = []
    aspect_keys: set[str] = set()
    indicator_keys: set[str] = set()
    total = sum(a.weight for a in instrument.aspects)
    if not instrument.aspects:
        errors.append(FieldError("aspects", "Instrumen harus memiliki paling sedikit satu aspek."))
    elif abs(total - 100) > WEIGHT_TOLERANCE:
        errors.append(FieldError("aspects", f"Jumlah bobot aspek harus 100, sekarang {total:g}."))
    for ai, a in enumerate(instrument.aspects):
        where = f"aspects[{ai}]"
        if a.key in aspect_keys:
            errors.append(FieldError(f"{where}.key", f"Kode aspek '{a.key}' dipakai lebih dari sekali."))
        aspect_keys.add(a.key)
        if a.weight <= 0:
            errors.append(FieldError(f"{where}.weight", "Bobot aspek harus lebih dari 0."))
        weights = sum(i.weight for i in a.indicators)
        if not a.indicators:
            errors.append(FieldError(f"{where}.indicators", f"Aspek {a.name} belum memiliki indikator."))
        elif abs(weights - 100) > WEIGHT_TOLERANCE:
            errors.append(FieldError(f"{where}.indicators",
                                     f"Jumlah bobot indikator aspek {a.name} harus 100, sekarang {weights:g}."))
        for ii, i in enumerate(a.indicators):
            errors.extend(_indicator_problems(i, f"{where}.indicators[{ii}]", indicator_keys))
    return errors


def _indicator_problems(i: Indicator, at: str, seen: set[str]) -> list[FieldError]:
    errors = []
    if i.key in seen:
        errors.append(FieldError(f"{at}.key", f"Kode indikator '{i.key}' dipakai lebih dari sekali."))
    seen.add(i.key)
    if i.weight <= 0:
        errors.append(FieldError(f"{at}.weight", "Bobot indikator harus lebih dari 0."))
    if not 1 <= i.target <= SCALE_MAX:
        errors.append(FieldError(f"{at}.target", f"Target skor harus 1 sampai {SCALE_MAX}."))
    if i.kind is Kind.measured:
        if i.measure not in MEASURES:
            errors.append(FieldError(f"{at}.measure", f"Ukuran '{i.measure}' tidak dikenal sistem."
                                     if i.measure else "Indikator terukur harus menyebut ukurannya."))
        if not i.bands:
            errors.append(FieldError(f"{at}.bands", "Indikator terukur harus memiliki batas skor."))
        scores = [b.score for b in i.bands]
        if any(not 1 <= s <= SCALE_MAX for s in scores):
            errors.append(FieldError(f"{at}.bands", f"Skor pada batas harus 1 sampai {SCALE_MAX}."))
        ordered = sorted(i.bands, key=lambda b: b.minimum)
        if len({b.minimum for b in i.bands}) != len(i.bands):
            errors.append(FieldError(f"{at}.bands", "Dua batas skor tidak boleh memiliki nilai minimum yang sama."))
        elif any(lo.score > hi.score for lo, hi in zip(ordered, ordered[1:], strict=False)):
            errors.append(FieldError(f"{at}.bands", "Nilai yang lebih tinggi tidak boleh mendapat skor lebih rendah."))
    elif i.measure or i.bands:
        errors.append(FieldError(f"{at}.measure", "Indikator manual tidak memakai ukuran atau batas skor sistem."))
    evidence_keys = [e.key for e in i.evidence]
    if len(set(evidence_keys)) != len(evidence_keys):
        errors.append(FieldError(f"{at}.evidence", "Kode bukti dalam satu indikator tidak boleh sama."))
    return errors


def check(instrument: Instrument) -> None:
    errors = Errors(validate(instrument))
    errors.raise_if_any("Instrumen penilaian belum valid.")


# --- Scoring ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ManualScore:
    indicator: str
    score: int  # 1..5 (0: not yet met at all)
    evidence: frozenset[str] = frozenset()  # keys of the evidence provided
    note: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    text: str
    kind: Kind
    weight: float
    value: float | None  # the measured value, for measured indicators
    score: float  # 0..5; 0 when not measured or not yet scored
    scored: bool
    target: int
    missing_evidence: tuple[Evidence, ...]
    target_minimum: float | None  # the measured value that reaches the target score


@dataclass(frozen=True)
class AspectResult:
    key: str
    name: str
    weight: float
    score: float  # 0..5
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True)
class Assessment:
    aspects: tuple[AspectResult, ...]
    index: Decimal  # 0..5, two decimals
    category: str
    category_label: str


def band_score(value: float, bands: Sequence[Band]) -> int:
    """The score of the highest band the value reaches; the lowest score (1) below every band."""
    reached = [b for b in bands if value >= b.minimum]
    return max(reached, key=lambda b: b.minimum).score if reached else 1


def category(index: Decimal) -> tuple[str, str]:
    for lowest, letter, label in CATEGORIES:
        if index >= lowest:
            return letter, label
    return CATEGORIES[-1][1], CATEGORIES[-1][2]


def check_manual_scores(instrument: Instrument, scores: Iterable[ManualScore],
                        evidence: Mapping[str, Iterable[str]] | None = None) -> list[FieldError]:
    """Problems of the manager's scores (`scores[i].field`) and evidence (`evidence.<indicator>`)."""
    errors = []
    seen: set[str] = set()
    for n, s in enumerate(scores):
        at = f"scores[{n}]"
        found = instrument.indicator(s.indicator)
        if found is None:
            errors.append(FieldError(f"{at}.indicator", f"Indikator '{s.indicator}' tidak ada dalam instrumen."))
            continue
        if found[1].kind is Kind.measured:
            errors.append(FieldError(f"{at}.indicator",
                                     f"Indikator '{s.indicator}' diukur oleh sistem dan tidak dinilai manual."))
        if s.indicator in seen:
            errors.append(FieldError(f"{at}.indicator", f"Indikator '{s.indicator}' dinilai lebih dari sekali."))
        seen.add(s.indicator)
        if isinstance(s.score, bool) or not 0 <= s.score <= SCALE_MAX:
            errors.append(FieldError(f"{at}.score", f"Skor harus 0 sampai {SCALE_MAX}."))
        errors.extend(_evidence_problems(found[1], s.evidence, f"{at}.evidence"))
    for key, given in (evidence or {}).items():
        found = instrument.indicator(key)
        if found is None:
            errors.append(FieldError(f"evidence.{key}", f"Indikator '{key}' tidak ada dalam instrumen."))
        else:
            errors.extend(_evidence_problems(found[1], frozenset(given), f"evidence.{key}"))
    return errors


def _evidence_problems(indicator: Indicator, given: frozenset[str], at: str) -> list[FieldError]:
    unknown = given - {e.key for e in indicator.evidence}
    if unknown:
        return [FieldError(at, f"Bukti {', '.join(sorted(unknown))} tidak diminta indikator ini.")]
    return []


def assess(instrument: Instrument, measured: Mapping[str, float | None], manual: Iterable[ManualScore] = (),
           evidence: Mapping[str, Iterable[str]] | None = None) -> Assessment:
    """Scores per indicator, aspect and overall from measured values and the manager's scores.

    `evidence` lists, per indicator key, the evidence keys provided apart from a manual score
    (a measured indicator may still ask for a document, e.g. the decree setting the standards)."""
    manual = list(manual)
    provided_apart = {k: frozenset(v) for k, v in (evidence or {}).items()}
    Errors(check_manual_scores(instrument, manual, provided_apart)).raise_if_any(
        "Nilai penilaian mandiri belum valid.")
    given = {s.indicator: s for s in manual}
    aspects = []
    for a in instrument.aspects:
        results = []
        for i in a.indicators:
            value, score, scored = None, 0.0, False
            provided = provided_apart.get(i.key, frozenset())
            if i.kind is Kind.measured:
                value = measured.get(i.measure or "")
                if value is not None and math.isfinite(value):
                    score, scored = float(band_score(value, i.bands)), True
            elif i.key in given:
                score, scored = float(given[i.key].score), True
                provided = provided | given[i.key].evidence
            missing = tuple(e for e in i.evidence if e.key not in provided)
            reach = [b.minimum for b in i.bands if b.score >= i.target]
            results.append(IndicatorResult(i.key, i.text, i.kind, i.weight, value, score, scored, i.target, missing,
                                           min(reach) if reach else None))
        total_weight = sum(r.weight for r in results)
        score = sum(r.weight * r.score for r in results) / total_weight if total_weight else 0.0
        aspects.append(AspectResult(a.key, a.name, a.weight, score, tuple(results)))
    weight = sum(a.weight for a in aspects)
    raw = sum(a.weight * a.score for a in aspects) / weight if weight else 0.0
    index = Decimal(repr(raw)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    letter, label = category(index)
    return Assessment(tuple(aspects), index, letter, label)


@dataclass(frozen=True)
class Gap:
    aspect: str
    aspect_name: str
    indicator: str
    text: str
    score: float
    target: int
    shortfall: float  # index points the gap costs: (target - score) x indicator and aspect weights
    value: float | None
    target_minimum: float | None
    missing_evidence: tuple[Evidence, ...]
    advice: str  # Indonesian: what to close before the assessors come


def gaps(assessment: Assessment) -> list[Gap]:
    """Indicators below their target or short of evidence, the most costly first."""
    found = []
    for a in assessment.aspects:
        for r in a.indicators:
            if r.score >= r.target and not r.missing_evidence:
                continue
            shortfall = max(0.0, r.target - r.score) * (r.weight / 100) * (a.weight / 100)
            found.append(Gap(a.key, a.name, r.key, r.text, r.score, r.target, shortfall, r.value, r.target_minimum,
                             r.missing_evidence, _advice(r)))
    return sorted(found, key=lambda g: -g.shortfall)  # stable: instrument order among equal shortfalls


def _advice(r: IndicatorResult) -> str:
    parts = []
    if r.kind is Kind.measured:
        if not r.scored:
            parts.append("Belum ada data untuk mengukur indikator ini.")
        elif r.score < r.target and r.target_minimum is not None:
            parts.append(f"Nilai terukur {_number_id(r.value)}; perlu paling sedikit {_number_id(r.target_minimum)} "
                         f"untuk mencapai skor {r.target}.")
    elif not r.scored:
        parts.append("Belum dinilai oleh pengelola.")
    elif r.score < r.target:
        parts.append(f"Skor {r.score:g} di bawah target {r.target}.")
    if r.missing_evidence:
        parts.append("Lengkapi bukti: " + "; ".join(e.text for e in r.missing_evidence) + ".")
    return " ".join(parts)


def _number_id(value: float | None) -> str:
    """0.8 -> '0,8'; Indonesian decimal comma."""
    if value is None:
        return "-"
    return f"{value:.4g}".replace(".", ",")


# --- Measured values from the system ----------------------------------------------------------

def missing_components(service: Mapping[str, Any]) -> tuple[str, ...]:
    """The Standar Pelayanan components (PermenPANRB 15/2014, `catalogue.standard`) a service
    leaves empty; `service` carries the catalogue's Service columns."""
    missing = []
    for c in COMPONENTS:
        if c.key in ("requirements", "procedure"):
            filled = bool(service.get(c.key))
        elif c.key == "time":
            filled = service.get("time_value") is not None and service.get("time_unit") is not None
        elif c.key == "fee":
            filled = service.get("fee") is not None
        else:
            filled = bool(str(service.get(c.key) or "").strip())
        if not filled:
            missing.append(c.key)
    return tuple(missing)


def standards_complete_share(services: Iterable[Mapping[str, Any]]) -> float | None:
    """Of the published services, the share with all 14 components filled in."""
    published = [s for s in services if str(getattr(s.get("status"), "value", s.get("status"))) == "published"]
    if not published:
        return None
    return sum(1 for s in published if not missing_components(s)) / len(published)


def measured_values(summary: Summary | None = None, *, standards_complete: float | None = None,
                    counters_staffed: float | None = None,
                    facilities: FacilityMeasure | None = None) -> dict[str, float | None]:
    """The MEASURES values from a period's summary, the catalogue, the plan coverage
    (`measures.plan_coverage`) and the facilities measure; None where there is no data."""
    values: dict[str, float | None] = dict.fromkeys(MEASURES)
    values["standards_complete_share"] = standards_complete
    values["counters_staffed_through_breaks"] = counters_staffed
    if facilities is not None:
        values["facilities_available_share"] = facilities.available_share
        values["vulnerable_facilities_share"] = facilities.vulnerable_share
    if summary is not None:
        share = summary.over_threshold_share
        values["waits_within_threshold_share"] = None if share is None else 1 - share
        values["service_within_standard_share"] = summary.within_standard_share
        sk = summary.skm
        values["skm_sample_sufficient"] = (min(1.0, sk.respondents / sk.required_sample) if sk.required_sample
                                           else None)
        values["skm_index"] = None if sk.ikm is None else float(sk.ikm)
        values["complaints_verified_on_time_share"] = summary.complaints.verified_on_time_share
        values["complaints_answered_on_time_share"] = summary.complaints.answered_on_time_share
        values["applications_on_time_share"] = summary.applications.on_time_share
    return values


# --- The default instrument -------------------------------------------------------------------

def _m(key: str, text: str, weight: float, measure: str, bands: Sequence[tuple[float, int]],
       evidence: Sequence[tuple[str, str]] = (), target: int = 4) -> Indicator:
    return Indicator(key, text, weight, Kind.measured, measure, tuple(Band(lo, s) for lo, s in bands),
                     tuple(Evidence(k, t) for k, t in evidence), target)


def _h(key: str, text: str, weight: float, evidence: Sequence[tuple[str, str]], target: int = 4) -> Indicator:
    return Indicator(key, text, weight, Kind.manual, None, (), tuple(Evidence(k, t) for k, t in evidence), target)


SHARE_BANDS = ((0.9, 5), (0.8, 4), (0.7, 3), (0.5, 2))

DEFAULT_INSTRUMENT = Instrument("Penilaian mandiri kesiapan evaluasi pelayanan publik (bawaan SatuPintu)", (
    Aspect("kebijakan_pelayanan", "Kebijakan Pelayanan", 30, (
        _m("standar_pelayanan_lengkap", "Standar Pelayanan setiap layanan memuat 14 komponen dan dipublikasikan", 25,
           "standards_complete_share", ((1.0, 5), (0.9, 4), (0.75, 3), (0.5, 2)),
           (("sk_standar_pelayanan", "SK penetapan Standar Pelayanan"),)),
        _h("maklumat_pelayanan", "Maklumat Pelayanan ditetapkan dan dipublikasikan", 10,
           (("maklumat", "Maklumat Pelayanan yang ditandatangani"),
            ("foto_maklumat", "Foto Maklumat Pelayanan yang terpampang"))),
        _m("standar_waktu_dipenuhi", "Layanan diselesaikan dalam jangka waktu Standar Pelayanan", 10,
           "service_within_standard_share", SHARE_BANDS),
        _m("waktu_tunggu", "Pengunjung dipanggil dalam batas waktu tunggu", 10, "waits_within_threshold_share",
           SHARE_BANDS),
        _m("skm_sampel", "SKM dilaksanakan sesuai PermenPANRB 14/2017 dengan sampel yang cukup", 15,
           "skm_sample_sufficient", ((1.0, 5), (0.75, 3), (0.5, 2))),
        _m("skm_indeks", "Indeks Kepuasan Masyarakat", 15, "skm_index",
           ((88.31, 5), (76.61, 4), (65.0, 3), (50.0, 2))),
        _h("skm_tindak_lanjut", "Hasil SKM dipublikasikan dan ditindaklanjuti", 15,
           (("laporan_skm", "Laporan hasil SKM"), ("rencana_tindak_lanjut", "Rencana dan bukti tindak lanjut SKM"))),
    )),
    Aspect("profesionalisme_sdm", "Profesionalisme SDM", 18, (
        _h("kode_etik", "Kode etik dan aturan perilaku petugas ditetapkan dan diterapkan", 30,
           (("sk_kode_etik", "SK kode etik dan aturan perilaku"),)),
        _h("kompetensi_petugas", "Petugas mengikuti pelatihan pelayanan prima", 30,
           (("daftar_pelatihan", "Daftar petugas dan sertifikat pelatihan"),)),
        _m("loket_terisi", "Loket tetap terlayani sepanjang jam layanan, termasuk jam istirahat", 40,
           "counters_staffed_through_breaks", ((0.98, 5), (0.9, 4), (0.8, 3), (0.6, 2))),
    )),
    Aspect("sarana_prasarana", "Sarana Prasarana", 15, (
        _m("sarana_tersedia", "Sarana prasarana pelayanan tersedia", 50, "facilities_available_share",
           ((0.95, 5), (0.85, 4), (0.7, 3), (0.5, 2))),
        _m("sarana_kelompok_rentan", "Sarana bagi kelompok rentan tersedia", 30, "vulnerable_facilities_share",
           ((1.0, 5), (0.8, 4), (0.6, 3), (0.4, 2))),
        _h("pemeliharaan_sarana", "Sarana dipelihara dan diperiksa berkala", 20,
           (("jadwal_pemeliharaan", "Jadwal dan catatan pemeliharaan"), ("foto_sarana", "Foto kondisi sarana"))),
    )),
    Aspect("sistem_informasi", "Sistem Informasi Pelayanan Publik", 15, (
        _h("informasi_daring", "Informasi layanan tersedia daring (laman MPP, SIPP Nasional)", 40,
           (("tangkapan_laman", "Tangkapan layar laman informasi layanan"),)),
        _h("antrean_elektronik", "Antrean elektronik dan papan informasi berfungsi", 30,
           (("foto_papan", "Foto kios antrean dan papan informasi"),)),
        _h("integrasi_sistem", "Layanan terhubung dengan sistem instansi", 30,
           (("daftar_integrasi", "Daftar sistem instansi yang terhubung"),)),
    )),
    Aspect("konsultasi_pengaduan", "Konsultasi dan Pengaduan", 15, (
        _h("sarana_pengaduan", "Sarana konsultasi dan pengaduan tersedia, terhubung SP4N-LAPOR!", 20,
           (("sk_pengelola_pengaduan", "SK pengelola pengaduan"), ("foto_pojok_pengaduan", "Foto pojok pengaduan"))),
        _m("verifikasi_tepat_waktu", "Pengaduan diverifikasi tepat waktu", 30, "complaints_verified_on_time_share",
           SHARE_BANDS),
        _m("jawaban_tepat_waktu", "Pengaduan dijawab tepat waktu", 50, "complaints_answered_on_time_share",
           SHARE_BANDS),
    )),
    Aspect("inovasi", "Inovasi", 7, (
        _h("inovasi_diterapkan", "Inovasi pelayanan diterapkan", 60,
           (("sk_inovasi", "SK inovasi pelayanan"), ("laporan_manfaat", "Laporan manfaat inovasi"))),
        _h("inovasi_direplikasi", "Inovasi dikembangkan atau direplikasi", 40,
           (("bukti_replikasi", "Bukti pengembangan atau replikasi"),)),
    )),
))

__all__ = ["DEFAULT_INSTRUMENT", "MEASURES", "Aspect", "Assessment", "Band", "Evidence", "Gap", "Indicator",
           "Instrument", "Kind", "ManualScore", "assess", "check", "gaps", "measured_values", "missing_components",
           "standards_complete_share", "validate"]
