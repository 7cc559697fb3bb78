"""Feeds for national platforms, as pure mappings (no I/O).

**SIPPN** (Sistem Informasi Pelayanan Publik Nasional, KemenPANRB) lists each public service of
a provider with its Standar Pelayanan in the 14 components of PermenPANRB 15/2014, split into
the components of service delivery (*penyampaian pelayanan*) and of managing it (*pengelolaan
pelayanan*, "manufacturing"). `SIPPN_FIELDS` maps SatuPintu's catalogue onto those fields, one
by one, in the order SIPPN's form asks them; the same table gives the JSON keys, the XLSX
headers and the mapping table in docs/feeds.md. Lists (requirements, procedure steps) are
numbered lines, as the form's text areas take them.

**Open data** (MPP Digital, a regional Satu Data portal): one record per site and month of
aggregate figures only: counts, medians and shares, never a name, number or contact. The
fields are `OPEN_DATA_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SIPPN_VERSION = 1
OPEN_DATA_VERSION = 1


@dataclass(frozen=True)
class Field:
    key: str  # the JSON key
    label: str  # SIPPN's own name for it (the XLSX header)
    group: str  # "identitas", "penyampaian" (service delivery) or "pengelolaan" (its management)
    source: str  # where it comes from in SatuPintu (docs)
    value: Callable[[Mapping[str, Any]], Any]


def numbered(lines: Sequence[str] | None) -> str:
    """['KTP', 'KK'] -> '1. KTP\\n2. KK' (SIPPN's text areas take numbered lines)."""
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines or [], start=1))


def completion_time(value: int | None, unit: str | None) -> str:
    """14, 'working_days' -> '14 hari kerja'; 30, 'minutes' -> '30 menit'; '' when not set."""
    if value is None or unit is None:
        return ""
    return f"{value} {'hari kerja' if unit == 'working_days' else 'menit'}"


def fee_text(fee: int | None, legal_basis: str) -> str:
    """0 -> 'Tidak dipungut biaya (gratis)'; 50000 -> 'Rp50.000' (+ its legal basis)."""
    if fee is None:
        return ""
    text = "Tidak dipungut biaya (gratis)" if fee == 0 else "Rp" + f"{fee:,}".replace(",", ".")
    return f"{text}; dasar: {legal_basis}" if legal_basis else text


SIPPN_FIELDS: tuple[Field, ...] = (
    Field("kode_layanan", "Kode Layanan", "identitas", "service code", lambda r: r["code"]),
    Field("nama_layanan", "Nama Layanan", "identitas", "service name", lambda r: r["name"]),
    Field("deskripsi", "Deskripsi Layanan", "identitas", "service description", lambda r: r.get("description", "")),
    Field("kode_instansi", "Kode Unit Penyelenggara", "identitas", "agency code", lambda r: r["agency_code"]),
    Field("nama_instansi", "Unit Penyelenggara", "identitas", "agency name", lambda r: r["agency_name"]),
    Field("lokasi", "Lokasi Pelayanan", "identitas", "site name", lambda r: r["site_name"]),
    Field("persyaratan", "Persyaratan", "penyampaian", "requirements (numbered lines)",
          lambda r: numbered(r.get("requirements"))),
    Field("prosedur", "Sistem, Mekanisme, dan Prosedur", "penyampaian", "procedure (numbered lines)",
          lambda r: numbered(r.get("procedure"))),
    Field("jangka_waktu", "Jangka Waktu Penyelesaian", "penyampaian", "time_value + time_unit",
          lambda r: completion_time(r.get("time_value"), r.get("time_unit"))),
    Field("biaya", "Biaya/Tarif", "penyampaian", "fee + fee_legal_basis",
          lambda r: fee_text(r.get("fee"), r.get("fee_legal_basis", ""))),
    Field("produk", "Produk Pelayanan", "penyampaian", "product", lambda r: r.get("product", "")),
    Field("pengaduan", "Penanganan Pengaduan, Saran, dan Masukan", "penyampaian", "complaint_channel",
          lambda r: r.get("complaint_channel", "")),
    Field("dasar_hukum", "Dasar Hukum", "pengelolaan", "legal_basis", lambda r: r.get("legal_basis", "")),
    Field("sarana_prasarana", "Sarana dan Prasarana, dan/atau Fasilitas", "pengelolaan", "facilities",
          lambda r: r.get("facilities", "")),
    Field("kompetensi_pelaksana", "Kompetensi Pelaksana", "pengelolaan", "competence",
          lambda r: r.get("competence", "")),
    Field("pengawasan_internal", "Pengawasan Internal", "pengelolaan", "internal_supervision",
          lambda r: r.get("internal_supervision", "")),
    Field("jumlah_pelaksana", "Jumlah Pelaksana", "pengelolaan", "officer_count",
          lambda r: r.get("officer_count", "")),
    Field("jaminan_pelayanan", "Jaminan Pelayanan", "pengelolaan", "service_guarantee",
          lambda r: r.get("service_guarantee", "")),
    Field("jaminan_keamanan", "Jaminan Keamanan dan Keselamatan Pelayanan", "pengelolaan", "security_guarantee",
          lambda r: r.get("security_guarantee", "")),
    Field("evaluasi_kinerja", "Evaluasi Kinerja Pelaksana", "pengelolaan", "performance_evaluation",
          lambda r: r.get("performance_evaluation", "")),
)


def sippn_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One published service (catalogue row plus `site_name`) as a SIPPN record."""
    return {f.key: f.value(row) for f in SIPPN_FIELDS}


def sippn_document(site_code: str, site_name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The whole feed of a site: its services' standards in SIPPN's structure."""
    services = [sippn_record({**r, "site_name": site_name}) for r in rows]
    return {"format": "sippn-standar-pelayanan", "version": SIPPN_VERSION, "site": site_code,
            "site_name": site_name, "count": len(services), "services": services}


def sippn_table(document: Mapping[str, Any]) -> list[list[Any]]:
    """The feed as rows with SIPPN's headers first (for XLSX)."""
    return [[f.label for f in SIPPN_FIELDS], *([s[f.key] for f in SIPPN_FIELDS] for s in document["services"])]


# --- Open data ------------------------------------------------------------------------------------

OPEN_DATA_FIELDS: tuple[tuple[str, str], ...] = (
    ("site", "Kode lokasi"), ("site_name", "Nama lokasi"), ("month", "Bulan"),
    ("visitors", "Pengunjung"), ("tickets", "Tiket"), ("served", "Dilayani"), ("no_show", "Tidak hadir"),
    ("wait_median_min", "Median tunggu (menit)"), ("wait_p90_min", "Persentil 90 tunggu (menit)"),
    ("service_mean_min", "Rata-rata lama layanan (menit)"),
    ("over_threshold_share", "Porsi tunggu di atas ambang"), ("ikm", "Indeks Kepuasan Masyarakat"),
    ("skm_responses", "Responden SKM"), ("complaints", "Pengaduan diterima"),
    ("complaints_answered_on_time_share", "Porsi pengaduan dijawab tepat waktu"),
    ("applications_finished", "Permohonan selesai"),
    ("applications_on_time_share", "Porsi permohonan selesai tepat waktu"),
    ("bookings_made", "Pemesanan daring"),
)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def open_data_record(site: str, site_name: str, month: str, figures: Mapping[str, Any]) -> dict[str, Any]:
    """One site-month of aggregate figures. `figures` holds plain numbers (see feed_service):
    visitors, tickets, served, no_show, wait_median_s, wait_p90_s, service_mean_s,
    over_threshold_share, ikm, skm_responses, complaints, complaints_answered_on_time_share,
    applications_finished, applications_on_time_share, bookings_made."""
    return {
        "site": site, "site_name": site_name, "month": month,
        "visitors": int(figures["visitors"]), "tickets": int(figures["tickets"]), "served": int(figures["served"]),
        "no_show": int(figures["no_show"]),
        "wait_median_min": _minutes(figures.get("wait_median_s")),
        "wait_p90_min": _minutes(figures.get("wait_p90_s")),
        "service_mean_min": _minutes(figures.get("service_mean_s")),
        "over_threshold_share": _share(figures.get("over_threshold_share")),
        "ikm": None if figures.get("ikm") is None else round(float(figures["ikm"]), 2),
        "skm_responses": int(figures.get("skm_responses") or 0),
        "complaints": int(figures.get("complaints") or 0),
        "complaints_answered_on_time_share": _share(figures.get("complaints_answered_on_time_share")),
        "applications_finished": int(figures.get("applications_finished") or 0),
        "applications_on_time_share": _share(figures.get("applications_on_time_share")),
        "bookings_made": int(figures.get("bookings_made") or 0),
    }


def open_data_table(records: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """Records as rows with Indonesian headers first (CSV, XLSX); empty cells for no value."""
    return [[label for _, label in OPEN_DATA_FIELDS],
            *([("" if r[k] is None else r[k]) for k, _ in OPEN_DATA_FIELDS] for r in records)]


def months_of(year: int, through: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """(year, month) pairs of a year, up to `through` (the current month) when it is that year."""
    last = 12 if through is None or through[0] > year else through[1] if through[0] == year else 0
    return [(year, m) for m in range(1, last + 1)]
