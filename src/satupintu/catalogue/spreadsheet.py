"""The catalogue spreadsheet: one row per service, as CSV or XLSX. Pure parsing and writing.

Headers are Indonesian, as site staff fill them in; list cells (requirements, procedure)
hold one item per line. Parsing checks every row and every column and returns all the
errors at once, so the caller can reject a file as a whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import exports
from ..errors import FieldError
from ..text import text_problem
from .models import AgencyKind
from .standard import TEXT_COMPONENTS, parse_time_unit, publish_problems, standard_problems

MAX_ROWS = 5000
BLANK_TAIL = 1000  # empty (formatted) rows tolerated below the last row with data
MAX_BYTES = 10 * 1024 * 1024
# An XLSX is a zip archive: a small upload can unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PACKING_RATIO = 100  # a real sheet packs 5-30 times; more, on a large member, is a bomb
RATIO_CHECKED_FROM = 5 * 1024 * 1024  # unpacked bytes of a member from which its packing ratio counts


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
    "opd": AgencyKind.regional_agency, "regional_agency": AgencyKind.regional_agency,
    "dinas": AgencyKind.regional_agency,
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
    """The file itself cannot be read (not the rows in it); `code` says why, for the API."""

    def __init__(self, message: str, code: str = "unreadable") -> None:
        super().__init__(message)
        self.code = code


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return exports.restore(str(value)).strip()


def take_rows(rows: Iterable[Sequence[Any]], limit: int = MAX_ROWS) -> list[list[str]]:
    """The header row and at most `limit` rows below it as text, reading no further than the first
    row past the limit that holds anything (or than BLANK_TAIL empty rows past it)."""
    table: list[list[str]] = []
    for index, raw in enumerate(rows):
        cells = [_cell(v) for v in raw]
        if index <= limit:
            table.append(cells)
        elif any(cells) or index > limit + BLANK_TAIL:
            raise SpreadsheetError(f"Terlalu banyak baris (maksimal {limit} baris layanan di bawah baris judul "
                                   "kolom). Hapus baris yang tidak dipakai, termasuk baris kosong di bawah data.",
                                   "too_many_rows")
    return table


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows, streamed; the archive's sizes are checked before anything is unpacked.
    (openpyxl reads a whole sheet once on opening when it does not declare its size, which Excel
    always does: the unpacked-size limit bounds that pass too.)"""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SpreadsheetError("Berkas XLSX tidak dapat dibaca.") from exc
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES or any(
            m.file_size > RATIO_CHECKED_FROM and m.file_size > MAX_PACKING_RATIO * max(m.compress_size, 1)
            for m in members):
        raise SpreadsheetError(f"Isi berkas XLSX terlalu besar setelah dibuka (maksimal "
                               f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB). Simpan ulang hanya lembar katalog "
                               "tanpa baris dan kolom kosong yang berformat.", "too_large")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError("Berkas XLSX tidak dapat dibaca.") from exc
    try:
        sheet = wb.worksheets[0]
        # A workbook may declare a wrong size; read what is really there, one row at a time.
        sheet.reset_dimensions()
        return take_rows(sheet.iter_rows(values_only=True))
    except SpreadsheetError:
        raise
    except Exception as exc:  # a broken sheet shows only while its rows are read
        raise SpreadsheetError("Berkas XLSX tidak dapat dibaca.") from exc
    finally:
        wb.close()


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_csv(data: bytes) -> str:
    """The text of a CSV saved as UTF-8 (with or without a byte order mark) or as UTF-16/32 (Excel's
    "Unicode Text"); anything else is refused with where it goes wrong, never guessed."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and len(data) >= 4 and len(data) % 2 == 0:
        # UTF-16 without a mark: ASCII text has a zero byte beside every character.
        if data[1::2].count(0) > len(data) // 4 and not data[0::2].count(0):
            encoding = "utf-16-le"
        elif data[0::2].count(0) > len(data) // 4 and not data[1::2].count(0):
            encoding = "utf-16-be"
    try:
        return data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        if encoding is not None and encoding != "utf-8-sig":
            raise SpreadsheetError(f"Berkas CSV ditandai {encoding.upper()} tetapi isinya rusak. Simpan ulang "
                                   "sebagai \"CSV UTF-8\".", "encoding") from exc
        line = data[:exc.start].count(b"\n") + 1
        raise SpreadsheetError(f"Berkas CSV harus disimpan dengan enkode UTF-8: baris {line} memuat byte "
                               f"0x{data[exc.start]:02X} yang bukan UTF-8 (mungkin berkas disimpan sebagai ANSI/"
                               "Windows-1252 atau Latin-1). Di Excel pilih Simpan Sebagai > \"CSV UTF-8 (Comma "
                               "delimited)\".", "encoding") from exc


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        return take_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SpreadsheetError(f"Berkas CSV tidak dapat dibaca: {exc}.") from exc


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the first sheet of an .xlsx or of a .csv (comma, semicolon or tab)."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError("Berkas terlalu besar (maksimal 10 MB).", "too_large")
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith(".csv"):
        table = _csv_rows(data)
    else:
        raise SpreadsheetError("Format berkas harus .csv atau .xlsx.", "format")
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise SpreadsheetError("Berkas kosong.", "empty")
    headers = [h.strip().lower() for h in table[0]]
    rows = table[1:]
    if not any(any(r) for r in rows):
        raise SpreadsheetError("Berkas tidak memuat baris layanan di bawah baris judul kolom.", "empty")
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
    """A whole number of at most six digits (a time value, a counter number)."""
    if not re.fullmatch(r"\d{1,6}", text.strip()):
        raise ValueError(text)
    return int(text.strip())


MAX_FEE = 2_000_000_000
CODE_RULE = "hanya boleh huruf, angka, titik, garis miring, dan tanda hubung"
# Cells with a maximum length: (header, characters, message).
LENGTH_LIMITS = (
    ("nama_layanan", 250, "Nama layanan maksimal 250 karakter."),
    ("nama_instansi", 200, "Nama instansi maksimal 200 karakter."),
)


def _header_problems(headers: list[str]) -> list[FieldError]:
    """A control character in a column title, named by the column's position."""
    errors: list[FieldError] = []
    for number, h in enumerate(headers, 1):
        problem = text_problem(h)
        if problem:
            errors.append(FieldError("header", f"Judul kolom ke-{number} {problem}.", "control_character", 1))
    return errors


def _column_problems(headers: list[str]) -> list[FieldError]:
    """Unknown columns, missing required columns and a column given twice."""
    errors = [FieldError(h, f"Kolom '{h}' tidak dikenal.", "unknown_column", 1)
              for h in headers if h and h not in HEADERS]
    errors += [FieldError(col.header, f"Kolom wajib '{col.header}' tidak ada.", "missing_column", 1)
               for col in COLUMNS if col.required and col.header not in headers]
    named = [h for h in headers if h]
    if len(set(named)) != len(named):
        errors.append(FieldError("header", "Ada nama kolom yang ganda.", "duplicate_column", 1))
    return errors


@dataclass
class _Cells:
    """One data row's cells by header, and where its errors go: a cell holding a control character
    gets that one error and no other."""

    raw: list[str]
    index: dict[str, int]
    row: int
    errors: list[FieldError]
    unreadable: set[str] = field(default_factory=set)

    def get(self, header: str) -> str:
        """The cell under this header ("" when the column or the cell is absent)."""
        i = self.index.get(header)
        return self.raw[i] if i is not None and i < len(self.raw) else ""

    def has(self, header: str) -> bool:
        """Whether the file has this column."""
        return header in self.index

    def err(self, header: str, message: str, code: str = "invalid") -> None:
        """Record an error of this row's cell, unless the cell is unreadable."""
        if header not in self.unreadable:
            self.errors.append(FieldError(header, message, code, self.row))


def _check_text(cells: _Cells) -> None:
    """A control character in any cell is that cell's one error."""
    for col in COLUMNS:
        problem = text_problem(cells.get(col.header))
        if problem:
            cells.errors.append(FieldError(col.header, f"{col.label} {problem}.", "control_character", cells.row))
            cells.unreadable.add(col.header)


def _check_required(cells: _Cells) -> None:
    """Required cells are filled in."""
    for col in COLUMNS:
        if col.required and not cells.get(col.header):
            cells.err(col.header, f"{col.label} wajib diisi.", "required")


def _service_code(cells: _Cells, seen_codes: dict[str, int]) -> str:
    """The service code: well formed and not used on an earlier row (codes compare in upper case)."""
    code = cells.get("kode_layanan")
    if code and not CODE_PATTERN.match(code):
        cells.err("kode_layanan", f"Kode layanan {CODE_RULE} (maks. 32).")
    elif code:
        if code.upper() in seen_codes:
            cells.err("kode_layanan", f"Kode layanan '{code}' sudah dipakai di baris {seen_codes[code.upper()]}.",
                      "duplicate")
        seen_codes[code.upper()] = cells.row
    return code


def _agency_code(cells: _Cells) -> str:
    """The agency code in upper case, well formed."""
    agency_code = cells.get("kode_instansi").upper()
    if agency_code and not CODE_PATTERN.match(agency_code):
        cells.err("kode_instansi", f"Kode instansi {CODE_RULE}.")
    return agency_code


def _check_lengths(cells: _Cells) -> None:
    """Names within their maximum length."""
    for header, limit, message in LENGTH_LIMITS:
        if len(cells.get(header)) > limit:
            cells.err(header, message)


def _agency_kind(cells: _Cells) -> AgencyKind | None:
    """The agency kind from its Indonesian or English word; None when empty or unknown."""
    kind_text = cells.get("jenis_instansi").lower()
    agency_kind = AGENCY_KIND_WORDS.get(kind_text) if kind_text else None
    if kind_text and agency_kind is None:
        cells.err("jenis_instansi", "Jenis instansi harus salah satu dari: opd, vertikal, bumn, bank.")
    return agency_kind


def _status(cells: _Cells) -> str | None:
    """The status asked for; None without the column, draft when the word is unknown."""
    if not cells.has("status"):
        return None
    status = STATUS_WORDS.get(cells.get("status").lower())
    if status is None:
        cells.err("status", "Status harus terbit, draf, atau arsip.")
        return "draft"
    return status


def _time_value(cells: _Cells) -> int | None:
    """The completion time as a whole number; None when empty or unreadable."""
    text = cells.get("waktu")
    if not text:
        return None
    try:
        return parse_count(text)
    except ValueError:
        cells.err("waktu", "Jangka waktu harus berupa bilangan bulat.")
        return None


def _time_unit(cells: _Cells) -> str | None:
    """The unit of the completion time ('minutes' or 'working_days'); None when empty or unknown."""
    text = cells.get("satuan_waktu")
    if not text:
        return None
    unit = parse_time_unit(text)
    if unit is None:
        cells.err("satuan_waktu", "Satuan waktu harus 'menit' atau 'hari kerja'.")
    return unit


def _fee(cells: _Cells) -> int | None:
    """The fee in whole Rupiah; an amount past MAX_FEE is reported and still kept, for the standard's checks."""
    text = cells.get("biaya")
    if not text:
        return None
    message = "Biaya harus berupa angka Rupiah tanpa desimal, misalnya 50000, 50.000, atau 0."
    try:
        fee = parse_rupiah(text)
    except ValueError:
        cells.err("biaya", message)
        return None
    if fee > MAX_FEE:
        cells.err("biaya", message)
    return fee


def _standard(cells: _Cells) -> dict[str, Any]:
    """The service standard's components of the row."""
    std: dict[str, Any] = {
        "requirements": _split_list(cells.get("persyaratan")),
        "procedure": _split_list(cells.get("prosedur")),
        "fee_legal_basis": cells.get("dasar_biaya"),
    }
    for key in TEXT_COMPONENTS:
        std[key] = cells.get(FIELD_TO_HEADER[key])
    std["time_value"] = _time_value(cells)
    std["time_unit"] = _time_unit(cells)
    std["fee"] = _fee(cells)
    return std


def _counters(cells: _Cells) -> list[int] | None:
    """The counter numbers that serve the service; None without the column."""
    if not cells.has("loket"):
        return None
    counters: list[int] = []
    for part in re.split(r"[;,\s]+", cells.get("loket").strip()):
        if not part:
            continue
        try:
            counters.append(parse_count(part))
        except ValueError:
            cells.err("loket", f"Nomor loket '{part}' harus berupa angka.")
    return counters


def _parse_row(cells: _Cells, seen_codes: dict[str, int], columns: frozenset[str]) -> ServiceRow:
    """One service row, every cell checked in column order; its errors go to `cells.errors`."""
    _check_text(cells)
    _check_required(cells)
    code = _service_code(cells, seen_codes)
    agency_code = _agency_code(cells)
    _check_lengths(cells)
    agency_kind = _agency_kind(cells)
    status = _status(cells)
    std = _standard(cells)
    counters = _counters(cells)
    return ServiceRow(
        row=cells.row, agency_code=agency_code, agency_name=cells.get("nama_instansi"), agency_kind=agency_kind,
        code=code, name=cells.get("nama_layanan"), description=cells.get("deskripsi"),
        keywords=_split_list(cells.get("kata_kunci")), status=status, counters=counters, standard=std,
        columns=columns,
    )


def parse_rows(headers: list[str], rows: list[list[str]]) -> tuple[list[ServiceRow], list[FieldError]]:
    """The service rows under these column titles, and every error in the file by column and row
    (the header row is row 1); with a bad header row, only its errors."""
    errors = _header_problems(headers) or _column_problems(headers)
    if errors:
        return [], errors
    index = {h: i for i, h in enumerate(headers) if h}
    columns = frozenset(c.field for c in COLUMNS if c.header in index)
    parsed: list[ServiceRow] = []
    seen_codes: dict[str, int] = {}
    for offset, raw in enumerate(rows):
        if any(raw):
            parsed.append(_parse_row(_Cells(raw, index, offset + 2, errors), seen_codes, columns))
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
    return exports.csv_bytes(table)


def to_xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Layanan"
    for row in table:
        exports.append_row(ws, row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return exports.xlsx_bytes(wb)
