"""The SKM report as XLSX and PDF, laid out the way agencies publish it."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import exports
from ..timeutil import long_date
from .letterhead import Letterhead
from .schemas import SkmReport

PROFILE_TITLES = (("age", "Usia"), ("sex", "Jenis kelamin"), ("education", "Pendidikan terakhir"),
                  ("occupation", "Pekerjaan utama"))

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                   autoescape=select_autoescape(["html"]))


def to_xlsx(r: SkmReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "IKM"
    exports.append_row(ws, ["LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT"])
    exports.append_row(ws, [r.scope])
    exports.append_row(ws, [f"Periode {r.starts_on:%d-%m-%Y} s.d. {r.ends_on:%d-%m-%Y}"])
    ws.append([])
    exports.append_row(ws, ["No", "Unsur pelayanan", "Responden", "NRR", "Nilai konversi", "Mutu"])
    header_row = ws.max_row
    for i, u in enumerate(r.unsur, 1):
        exports.append_row(ws, [f"U{i}", u.label, u.respondents, float(u.nrr), float(u.converted),
                                f"{u.grade} ({u.grade_label})"])
        if u.key == r.lowest_unsur:
            for cell in ws[ws.max_row]:
                cell.fill = PatternFill("solid", fgColor="FDE2E1")
    ws.append([])
    exports.append_row(ws, ["", "IKM", "", "", float(r.ikm), f"{r.grade} ({r.grade_label})"])
    exports.append_row(ws, ["", "Jumlah responden", r.respondents])
    exports.append_row(ws, ["", "Populasi (penerima layanan)", r.population])
    exports.append_row(ws, ["", "Sampel minimal (Krejcie dan Morgan)", r.required_sample])
    exports.append_row(ws, ["", "Kecukupan sampel", "Memenuhi" if r.sample_sufficient else "Belum memenuhi"])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["B"].width = 42
    s = wb.create_sheet("Saran")
    exports.append_row(s, ["No", "Saran dan masukan"])
    for i, text in enumerate(r.suggestions, 1):
        exports.append_row(s, [i, text])
    s.column_dimensions["B"].width = 90
    p = wb.create_sheet("Profil responden")
    exports.append_row(p, ["Profil responden survei daring", f"{r.profile.online} responden"])
    if r.profile.paper:
        exports.append_row(p, ["Responden kuesioner kertas (tanpa data profil)", r.profile.paper])
    for name, title in PROFILE_TITLES:
        p.append([])
        exports.append_row(p, [title, "Jumlah"])
        for g in getattr(r.profile, name):
            exports.append_row(p, [g.label, g.count])
    p.column_dimensions["A"].width = 48
    return exports.xlsx_bytes(wb)


def to_html(r: SkmReport, head: Letterhead | None = None) -> str:
    return _env.get_template("skm_report.html").render(r=r, head=head, profile_titles=PROFILE_TITLES,
                                                       long_date=long_date)


def to_pdf(r: SkmReport, head: Letterhead | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(r, head)).write_pdf()
