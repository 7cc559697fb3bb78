"""The Standar Pelayanan of a service: the 14 components of PermenPANRB 15/2014.

Pure rules, no I/O. The first six concern service delivery and must be filled in
before a service can be published; the other eight concern how the agency manages it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import FieldError


@dataclass(frozen=True)
class Component:
    key: str
    label_id: str
    label_en: str
    delivery: bool  # one of the six service-delivery components


COMPONENTS: tuple[Component, ...] = (
    Component("requirements", "Persyaratan", "Requirements", True),
    Component("procedure", "Sistem, Mekanisme, dan Prosedur", "System, mechanism and procedure", True),
    Component("time", "Jangka Waktu Penyelesaian", "Completion time", True),
    Component("fee", "Biaya/Tarif", "Fee", True),
    Component("product", "Produk Pelayanan", "Service product", True),
    Component("complaint_channel", "Penanganan Pengaduan, Saran, dan Masukan", "Complaints, suggestions and feedback",
              True),
    Component("legal_basis", "Dasar Hukum", "Legal basis", False),
    Component("facilities", "Sarana dan Prasarana, dan/atau Fasilitas", "Facilities", False),
    Component("competence", "Kompetensi Pelaksana", "Officer competence", False),
    Component("internal_supervision", "Pengawasan Internal", "Internal supervision", False),
    Component("officer_count", "Jumlah Pelaksana", "Number of officers", False),
    Component("service_guarantee", "Jaminan Pelayanan", "Service guarantee", False),
    Component("security_guarantee", "Jaminan Keamanan dan Keselamatan Pelayanan", "Security and safety guarantee",
              False),
    Component("performance_evaluation", "Evaluasi Kinerja Pelaksana", "Officer performance evaluation", False),
)

TEXT_COMPONENTS = ("product", "complaint_channel", "legal_basis", "facilities", "competence",
                   "internal_supervision", "officer_count", "service_guarantee", "security_guarantee",
                   "performance_evaluation")

TIME_UNIT_LABELS = {"minutes": ("menit", "minutes"), "working_days": ("hari kerja", "working days")}
# Words a spreadsheet may use for a time unit, mapped to the stored unit.
TIME_UNIT_WORDS = {
    "minutes": "minutes", "minute": "minutes", "menit": "minutes", "mnt": "minutes",
    "working days": "working_days", "working day": "working_days", "hari kerja": "working_days",
    "hari": "working_days", "hk": "working_days",
}
MAX_MINUTES = 24 * 60
MAX_WORKING_DAYS = 365


def parse_time_unit(word: str | None) -> str | None:
    """'Hari Kerja', 'working_days', 'menit' ... -> 'working_days' / 'minutes'; None if unknown."""
    if word is None:
        return None
    return TIME_UNIT_WORDS.get(" ".join(word.lower().replace("_", " ").split()))


def standard_problems(std: dict[str, Any]) -> list[FieldError]:
    """Errors in components that are filled in, whatever the service's status."""
    problems: list[FieldError] = []
    value, unit = std.get("time_value"), std.get("time_unit")
    if (value is None) != (unit is None):
        field = "time_unit" if unit is None else "time_value"
        problems.append(FieldError(field, "Jangka waktu harus diisi lengkap: angka dan satuannya "
                                          "(menit atau hari kerja)."))
    elif value is not None and unit is not None:  # both given (the check above)
        limit = MAX_MINUTES if unit == "minutes" else MAX_WORKING_DAYS
        if not 1 <= int(value) <= limit:
            problems.append(FieldError("time_value", f"Jangka waktu harus antara 1 dan {limit} "
                                                     f"{TIME_UNIT_LABELS[unit][0]}."))
    fee = std.get("fee")
    if fee is not None and fee < 0:
        problems.append(FieldError("fee", "Biaya tidak boleh negatif."))
    if fee is not None and fee > 0 and not (std.get("fee_legal_basis") or "").strip():
        problems.append(FieldError("fee_legal_basis", "Biaya yang dipungut harus mencantumkan dasar hukumnya."))
    for key in ("requirements", "procedure"):
        items = std.get(key) or []
        if any(not str(item).strip() for item in items):
            problems.append(FieldError(key, "Butir daftar tidak boleh kosong."))
    return problems


def publish_problems(std: dict[str, Any]) -> list[FieldError]:
    """What stops a service from being published: the six delivery components must be complete."""
    problems = standard_problems(std)
    if not std.get("requirements"):
        problems.append(FieldError("requirements", "Persyaratan wajib diisi sebelum layanan diterbitkan.", "required"))
    if not std.get("procedure"):
        problems.append(FieldError("procedure", "Prosedur wajib diisi sebelum layanan diterbitkan.", "required"))
    if std.get("time_value") is None and std.get("time_unit") is None:
        problems.append(FieldError("time_value", "Jangka waktu penyelesaian wajib diisi sebelum layanan diterbitkan.",
                                   "required"))
    if std.get("fee") is None:
        problems.append(FieldError("fee", "Biaya wajib diisi (isi 0 bila gratis) sebelum layanan diterbitkan.",
                                   "required"))
    if not (std.get("product") or "").strip():
        problems.append(FieldError("product", "Produk pelayanan wajib diisi sebelum layanan diterbitkan.", "required"))
    if not (std.get("complaint_channel") or "").strip():
        problems.append(FieldError("complaint_channel", "Sarana pengaduan wajib diisi sebelum layanan diterbitkan.",
                                   "required"))
    return problems


def format_time(value: int | None, unit: str | None, lang: str = "id") -> str:
    if value is None or unit is None:
        return "-"
    label = TIME_UNIT_LABELS[unit][0 if lang == "id" else 1]
    return f"{value} {label}"


def format_rupiah(amount: int | None, lang: str = "id") -> str:
    if amount is None:
        return "-"
    if amount == 0:
        return "Gratis" if lang == "id" else "Free"
    return "Rp" + f"{amount:,}".replace(",", ".")
