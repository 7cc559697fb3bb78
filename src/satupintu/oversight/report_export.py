"""The trial-period evaluation report as a PDF on the regency's letterhead (WeasyPrint) and as an
XLSX workbook with one sheet per section, in Indonesian."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import exports
from ..timeutil import long_date
from .evaluation import Evaluation
from .measures import Summary

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates" / "oversight")),
                   autoescape=select_autoescape(["html"]))


def minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f}".replace(".", ",")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}".replace(".", ",") + " %"


def to_html(e: Evaluation) -> str:
    return _env.get_template("evaluation_report.html").render(
        e=e, b=e.board, f=e.board.figures, head=e.head, long_date=long_date, as_date=date.fromisoformat,
        minutes=minutes, percent=percent)


def to_pdf(e: Evaluation) -> bytes:
    from weasyprint import HTML  # deferred: a heavy import only the report needs

    return HTML(string=to_html(e)).write_pdf()


def _figures_row(label: str, s: Summary) -> list[object]:
    return [label, s.visitors, s.served, s.outcomes["no_show"], _m(s.wait.median_s), _m(s.wait.p90_s),
            _share(s.over_threshold_share), _m(s.service.mean_s), _share(s.within_standard_share),
            None if s.skm.ikm is None else float(s.skm.ikm)]


def _m(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


FIGURE_HEADERS = ["", "Pengunjung", "Dilayani", "Tidak hadir", "Median tunggu (menit)", "P90 tunggu (menit)",
                  "Melebihi batas (%)", "Rata-rata layanan (menit)", "Sesuai standar waktu (%)", "IKM"]


def to_xlsx(e: Evaluation) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    b = e.board
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    exports.append_row(ws, ["LAPORAN EVALUASI UJI COBA"])
    ws["A1"].font = Font(bold=True, size=14)
    exports.append_row(ws, [b.site.name])
    exports.append_row(ws, [f"Periode {b.start:%d-%m-%Y} s.d. {b.end:%d-%m-%Y}"])
    exports.append_row(ws, [])
    exports.append_row(ws, FIGURE_HEADERS)
    exports.append_row(ws, _figures_row("Seluruh MPP", b.figures))
    exports.append_row(ws, [])
    exports.append_row(ws, ["Batas waktu tunggu (menit)", b.threshold_minutes])
    exports.append_row(ws, ["Hari layanan", e.open_days])
    ws.column_dimensions["A"].width = 40

    days = wb.create_sheet("Per hari")
    exports.append_row(days, ["Tanggal", *FIGURE_HEADERS[1:]])
    for r in b.per_day:
        exports.append_row(days, [r.key, *_figures_row(r.label, r.figures)[1:]])
    agencies = wb.create_sheet("Per instansi")
    exports.append_row(agencies, ["Instansi", *FIGURE_HEADERS[1:]])
    for r in b.per_agency:
        exports.append_row(agencies, _figures_row(r.label, r.figures))
    agencies.column_dimensions["A"].width = 48

    skm = wb.create_sheet("SKM")
    if e.skm is not None:
        exports.append_row(skm, ["IKM", float(e.skm.ikm), e.skm.grade_label])
        exports.append_row(skm, ["Responden", e.skm.respondents, f"sampel minimal {e.skm.required_sample}"])
        exports.append_row(skm, [])
        exports.append_row(skm, ["Unsur", "Nilai konversi", "Mutu"])
        for u in e.skm.unsur:
            exports.append_row(skm, [u.label, float(u.converted), u.grade_label])
        exports.append_row(skm, [])
        exports.append_row(skm, ["Saran responden"])
        for text in e.skm.suggestions:
            exports.append_row(skm, [text])
    skm.column_dimensions["A"].width = 60

    complaints = wb.create_sheet("Pengaduan")
    exports.append_row(complaints, ["Jenis", "Diterima", "Selesai", "Masih terbuka", "Melewati tenggat"])
    for c in e.complaints_by_kind:
        exports.append_row(complaints, [c.label, c.received, c.finished, c.open, c.overdue])
    gaps = wb.create_sheet("Kekosongan loket")
    exports.append_row(gaps, ["Tanggal", "Mulai", "Selesai", "Temuan"])
    for g in e.staffing_gaps:
        exports.append_row(gaps, [g.day.isoformat(), g.start, g.end, g.message])
    advice = wb.create_sheet("Rekomendasi")
    exports.append_row(advice, ["No", "Rekomendasi"])
    for i, rec in enumerate(e.recommendations, 1):
        exports.append_row(advice, [i, rec.message])
    advice.column_dimensions["B"].width = 120
    return exports.xlsx_bytes(wb)
