"""The SKM report as XLSX and PDF, laid out the way agencies publish it."""

from __future__ import annotations

import io
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .schemas import SkmReport

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                   autoescape=select_autoescape(["html"]))


def to_xlsx(r: SkmReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "IKM"
    ws.append(["LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT"])
    ws.append([r.scope])
    ws.append([f"Periode {r.starts_on:%d-%m-%Y} s.d. {r.ends_on:%d-%m-%Y}"])
    ws.append([])
    ws.append(["No", "Unsur pelayanan", "Responden", "NRR", "Nilai konversi", "Mutu"])
    header_row = ws.max_row
    for i, u in enumerate(r.unsur, 1):
        ws.append([f"U{i}", u.label, u.respondents, float(u.nrr), float(u.converted), f"{u.grade} ({u.grade_label})"])
        if u.key == r.lowest_unsur:
            for cell in ws[ws.max_row]:
                cell.fill = PatternFill("solid", fgColor="FDE2E1")
    ws.append([])
    ws.append(["", "IKM", "", "", float(r.ikm), f"{r.grade} ({r.grade_label})"])
    ws.append(["", "Jumlah responden", r.respondents])
    ws.append(["", "Populasi (penerima layanan)", r.population])
    ws.append(["", "Sampel minimal (Krejcie dan Morgan)", r.required_sample])
    ws.append(["", "Kecukupan sampel", "Memenuhi" if r.sample_sufficient else "Belum memenuhi"])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["B"].width = 42
    s = wb.create_sheet("Saran")
    s.append(["No", "Saran dan masukan"])
    for i, text in enumerate(r.suggestions, 1):
        s.append([i, text])
    s.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_html(r: SkmReport) -> str:
    return _env.get_template("skm_report.html").render(r=r)


def to_pdf(r: SkmReport) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(r)).write_pdf()
