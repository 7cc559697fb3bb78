"""The catalogue spreadsheet: one row per service, as CSV or XLSX. Pure parsing and writing.

Headers are Indonesian, as site staff fill them in; list cells (requirements, procedure)
hold one item per line. Parsing checks every row and every column and returns all the
errors at once, so the caller can reject a file as a whole.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import FieldError
from .models import AgencyKind
from .standard import TEXT_COMPONENTS, parse_time_unit, publish_problems, standard_problems

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    label: str  # what the column holds, for error messages and the template
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("kode_instansi", "agency_code", "Kode instansi", True),
    Column("nama_instansi", "agency_name", "Nama instansi"),
    Column("jenis_instansi", "agency_kind", "Jenis instansi (opd/vertikal/bumn/bank)"),
    Column("kode_layanan", "code", "Kode layanan", True),
    Column("nama_layanan", "name", "Nama layanan", True),
    Column("deskripsi", "description", "Deskripsi"),
    Column("kata_kunci", "keywords", "Kata kunci pencarian (satu per baris)"),
    Column("status", "status", "Status (terbit/draf/arsip)"),
    Column("loket", "counters", "Nomor loket (pisahkan dengan ; atau spasi)"),
    Column("persyaratan", "requirements", "Persyaratan (satu per baris)"),
    Column("prosedur", "procedure", "Sistem, mekanisme, dan prosedur (satu langkah per baris)"),
    Column("waktu", "time_value", "Jangka waktu penyelesaian (angka)"),
    Column("satuan_waktu", "time_unit", "Satuan waktu (menit/hari kerja)"),
    Column("biaya", "fee", "Biaya/tarif dalam Rupiah (0 bila gratis)"),
    Column("dasar_biaya", "fee_legal_basis", "Dasar hukum biaya"),
    Column("produk", "product", "Produk pelayanan"),
    Column("pengaduan", "complaint_channel", "Penanganan pengaduan, saran, dan masukan"),
    Column("dasar_hukum", "legal_basis", "Dasar hukum"),
    Column("sarana_prasarana", "facilities", "Sarana dan prasarana"),
    Column("kompetensi_pelaksana", "competence", "Kompetensi pelaksana"),
    Column("pengawasan_internal", "internal_supervision", "Pengawasan internal"),
    Column("jumlah_pelaksana", "officer_count", "Jumlah pelaksana"),
    Column("jaminan_pelayanan", "service_guarantee", "Jaminan pelayanan"),
    Column("jaminan_keamanan", "security_guarantee", "Jaminan keamanan dan keselamatan"),
    Column("evaluasi_kinerja", "performance_evaluation", "Evaluasi kinerja pelaksana"),
)
HEADERS = tuple(c.header for c in COLUMNS)
FIELD_TO_HEADER = {c.field: c.header for c in COLUMNS}

AGENCY_KIND_WORDS = {
    "opd": AgencyKind.regional_agency, "regional_agency": AgencyKind.regional_agency, "dinas": AgencyKind.regional_agency,
    "vertikal": AgencyKind.vertical_institution, "instansi vertikal": AgencyKind.vertical_institution,
    "vertical_institution": AgencyKind.vertical_institution,
    "bumn": AgencyKind.state_company, "bumd": AgencyKind.state_company, "state_company": AgencyKind.state_company,
    "bank": AgencyKind.bank,
}
AGENCY_KIND_EXPORT = {
    AgencyKind.regional_agency: "opd", AgencyKind.vertical_institution: "vertikal",
    AgencyKind.state_company: "bumn", AgencyKind.bank: "bank",
}
STATUS_WORDS = {"terbit": "published", "published": "published", "": "published",
                "draf": "draft", "draft": "draft", "arsip": "archived", "archived": "archived"}
STATUS_EXPORT = {"published": "terbit", "draft": "draf", "archived": "arsip"}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")


@dataclass
class ServiceRow:
    row: int  # spreadsheet row number (the header is row 1)
    agency_code: str
    agency_name: str
    agency_kind: AgencyKind | None
    code: str
    name: str
    description: str
    keywords: list[str]
    status: str | None  # None when the column is absent: keep the stored status (new: published)
    counters: list[int] | None  # None when the column is absent: leave counters alone
    standard: dict[str, Any] = field(default_factory=dict)
    columns: frozenset[str] = frozenset()  # fields present in the file; absent ones stay as stored


# Row fields that map onto a service's stored values.
SERVICE_FIELDS = ("name", "description", "keywords") + (
    "requirements", "procedure", "time_value", "time_unit", "fee", "fee_legal_basis") + TEXT_COMPONENTS


def merge_row(row: ServiceRow, current: dict[str, Any] | None) -> tuple[dict[str, Any], str, list[FieldError]]:
    """The values a row asks for, with absent columns kept as stored, its status, and the
    standard's problems for that status, named by column and row."""
    given = {"name": row.name, "description": row.description, "keywords": row.keywords, **row.standard}
    values = {k: given[k] if k in row.columns or current is None else current[k] for k in SERVICE_FIELDS}
    status = row.status or (current["status"] if current else "published")
    std = {k: values[k] for k in values if k not in ("name", "description", "keywords")}
    problems = publish_problems(std) if status == "published" else standard_problems(std)
    errors = [FieldError(FIELD_TO_HEADER.get(p.field, p.field), p.message, p.code, row.row) for p in problems]
    return values, status, errors


class SpreadsheetError(ValueError):
    """The file itself cannot be read (not the rows in it)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the first sheet of an .xlsx or of a .csv (comma, semicolon or tab)."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError("Berkas terlalu besar (maksimal 10 MB).")
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SpreadsheetError("Berkas XLSX tidak dapat dibaca.") from exc
        sheet = wb.worksheets[0]
        # A workbook may declare a wrong size; read what is really there.
        sheet.reset_dimensions()
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        wb.close()
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")  # what older Excel versions save
            except UnicodeDecodeError as exc:
                raise SpreadsheetError("Berkas CSV harus disimpan dengan enkode UTF-8.") from exc
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count)
        try:
            table = [[_cell(v) for v in row]
                     for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        except csv.Error as exc:
            raise SpreadsheetError(f"Berkas CSV tidak dapat dibaca: {exc}.") from exc
    else:
        raise SpreadsheetError("Format berkas harus .csv atau .xlsx.")
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise SpreadsheetError("Berkas kosong.")
    headers = [h.strip().lower() for h in table[0]]
    rows = table[1:]
    if not any(any(r) for r in rows):
        raise SpreadsheetError("Berkas tidak memuat baris layanan di bawah baris judul kolom.")
    if len(rows) > MAX_ROWS:
        raise SpreadsheetError(f"Terlalu banyak baris (maksimal {MAX_ROWS}).")
    return headers, rows


def _split_list(text: str) -> list[str]:
    """One item per line (so an item may itself contain ';' or ',')."""
    return [p.strip() for p in text.splitlines() if p.strip()]


_RUPIAH = re.compile(r"^(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0{1,2})?$")


def parse_rupiah(text: str) -> int:
    """'50000', '50.000', 'Rp 50.000', 'Rp50.000,00', 'gratis' -> whole Rupiah; decimals are refused."""
    cleaned = text.strip().lower()
    if cleaned in ("gratis", "free"):
        return 0
    m = _RUPIAH.match(cleaned)
    if not m:
        raise ValueError(text)
    return int(m.group(1).replace(".", ""))


def parse_count(text: str) -> int:
    if not re.fullmatch(r"\d{1,6}", text.strip()):
        raise ValueError(text)
    return int(text.strip())


def parse_rows(headers: list[str], rows: list[list[str]]) -> tuple[list[ServiceRow], list[FieldError]]:
    errors: list[FieldError] = []
    unknown = [h for h in headers if h and h not in HEADERS]
    for h in unknown:
        errors.append(FieldError(h, f"Kolom '{h}' tidak dikenal.", "unknown_column", 1))
    for col in COLUMNS:
        if col.required and col.header not in headers:
            errors.append(FieldError(col.header, f"Kolom wajib '{col.header}' tidak ada.", "missing_column", 1))
    if len(set(h for h in headers if h)) != len([h for h in headers if h]):
        errors.append(FieldError("header", "Ada nama kolom yang ganda.", "duplicate_column", 1))
    if errors:
        return [], errors

    index = {h: i for i, h in enumerate(headers) if h}
    parsed: list[ServiceRow] = []
    seen_codes: dict[str, int] = {}
    for offset, raw in enumerate(rows):
        rownum = offset + 2
        if not any(raw):
            continue

        def get(header: str) -> str:
            i = index.get(header)
            return raw[i] if i is not None and i < len(raw) else ""

        def err(header: str, message: str, code: str = "invalid") -> None:
            errors.append(FieldError(header, message, code, rownum))

        for col in COLUMNS:
            if col.required and not get(col.header):
                err(col.header, f"{col.label} wajib diisi.", "required")

        code = get("kode_layanan")
        if code and not CODE_PATTERN.match(code):
            err("kode_layanan", "Kode layanan hanya boleh huruf, angka, titik, garis miring, dan tanda hubung (maks. 32).")
        elif code:
            if code.upper() in seen_codes:
                err("kode_layanan", f"Kode layanan '{code}' sudah dipakai di baris {seen_codes[code.upper()]}.", "duplicate")
            seen_codes[code.upper()] = rownum
        agency_code = get("kode_instansi").upper()
        if agency_code and not CODE_PATTERN.match(agency_code):
            err("kode_instansi", "Kode instansi hanya boleh huruf, angka, titik, garis miring, dan tanda hubung.")
        if len(get("nama_layanan")) > 250:
            err("nama_layanan", "Nama layanan maksimal 250 karakter.")
        if len(get("nama_instansi")) > 200:
            err("nama_instansi", "Nama instansi maksimal 200 karakter.")

        kind_text = get("jenis_instansi").lower()
        agency_kind = AGENCY_KIND_WORDS.get(kind_text) if kind_text else None
        if kind_text and agency_kind is None:
            err("jenis_instansi", "Jenis instansi harus salah satu dari: opd, vertikal, bumn, bank.")

        status: str | None = None
        if "status" in index:
            status = STATUS_WORDS.get(get("status").lower())
            if status is None:
                err("status", "Status harus terbit, draf, atau arsip.")
                status = "draft"

        std: dict[str, Any] = {
            "requirements": _split_list(get("persyaratan")),
            "procedure": _split_list(get("prosedur")),
            "fee_legal_basis": get("dasar_biaya"),
        }
        for key in TEXT_COMPONENTS:
            std[key] = get(FIELD_TO_HEADER[key])
        std["time_value"] = None
        std["time_unit"] = None
        std["fee"] = None
        if get("waktu"):
            try:
                std["time_value"] = parse_count(get("waktu"))
            except ValueError:
                err("waktu", "Jangka waktu harus berupa bilangan bulat.")
        if get("satuan_waktu"):
            std["time_unit"] = parse_time_unit(get("satuan_waktu"))
            if std["time_unit"] is None:
                err("satuan_waktu", "Satuan waktu harus 'menit' atau 'hari kerja'.")
        if get("biaya"):
            try:
                std["fee"] = parse_rupiah(get("biaya"))
                if std["fee"] > 2_000_000_000:
                    raise ValueError(get("biaya"))
            except ValueError:
                err("biaya", "Biaya harus berupa angka Rupiah tanpa desimal, misalnya 50000, 50.000, atau 0.")
        counters: list[int] | None = None
        if "loket" in index:
            counters = []
            for part in re.split(r"[;,\s]+", get("loket").strip()):
                if not part:
                    continue
                try:
                    counters.append(parse_count(part))
                except ValueError:
                    err("loket", f"Nomor loket '{part}' harus berupa angka.")

        parsed.append(ServiceRow(
            row=rownum, agency_code=agency_code, agency_name=get("nama_instansi"), agency_kind=agency_kind,
            code=code, name=get("nama_layanan"), description=get("deskripsi"),
            keywords=_split_list(get("kata_kunci")), status=status, counters=counters, standard=std,
            columns=frozenset(c.field for c in COLUMNS if c.header in index),
        ))
    return parsed, errors


def export_rows(services: list[dict[str, Any]]) -> list[list[str]]:
    """Service dicts (as from the service layer) -> table rows in COLUMNS order, header first."""
    table: list[list[str]] = [list(HEADERS)]
    for s in services:
        values = {
            "agency_code": s["agency_code"], "agency_name": s["agency_name"],
            "agency_kind": AGENCY_KIND_EXPORT[AgencyKind(s["agency_kind"])],
            "code": s["code"], "name": s["name"], "description": s["description"],
            "keywords": "\n".join(s["keywords"]), "status": STATUS_EXPORT[s["status"]],
            "counters": "; ".join(str(n) for n in s["counters"]),
            "requirements": "\n".join(s["requirements"]), "procedure": "\n".join(s["procedure"]),
            "time_value": "" if s["time_value"] is None else str(s["time_value"]),
            "time_unit": {"minutes": "menit", "working_days": "hari kerja"}.get(s["time_unit"] or "", ""),
            "fee": "" if s["fee"] is None else str(s["fee"]),
            "fee_legal_basis": s["fee_legal_basis"],
        }
        for key in TEXT_COMPONENTS:
            values[key] = s[key]
        table.append([values[c.field] for c in COLUMNS])
    return table


def to_csv(table: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(table)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM so Excel reads UTF-8


def to_xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Layanan"
    for row in table:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
