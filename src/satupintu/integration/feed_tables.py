"""The feeds as files: XLSX with SIPPN's headers, CSV and XLSX of the open data."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..exports import append_row, csv_bytes, xlsx_bytes
from . import feeds


def _sheet(title: str, rows: list[list[Any]], widths: dict[int, int] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        append_row(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in (widths or {}).items():
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    sheet.freeze_panes = "A2"
    return xlsx_bytes(book)


def sippn_xlsx(document: dict[str, Any]) -> bytes:
    widths = {i: 40 for i in range(1, len(feeds.SIPPN_FIELDS) + 1)} | {1: 12, 2: 36}
    return _sheet("Standar Pelayanan", feeds.sippn_table(document), widths)


def open_data_csv(document: dict[str, Any]) -> bytes:
    return csv_bytes(feeds.open_data_table(document["records"]))


def open_data_xlsx(document: dict[str, Any]) -> bytes:
    return _sheet(f"Data {document['year']}", feeds.open_data_table(document["records"]))
