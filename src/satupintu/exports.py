"""The one writer of spreadsheet exports (CSV and XLSX), so no export runs a formula.

Text written to a spreadsheet may come from the public (complaint text, survey suggestions)
or from any officer. A cell that starts with '=', '+', '-', '@', tab or carriage return is
read by Excel and LibreOffice as a formula (OWASP, "CSV Injection"). Here:

- CSV: such a cell gets a single quote in front, and every cell is quoted, so a cell holding
  the other list separator (';' in Indonesian Excel) cannot start a new, unquoted cell.
- XLSX: every text cell is written as a string cell, never a formula, and is otherwise as
  stored (no quote is needed there).
- A cell that already starts with a quote followed by one of those characters (or a second
  quote) gets one more quote in both formats, so `restore` (what the catalogue import applies
  to every cell) gives back exactly what was exported: export then import changes nothing.
- Characters the text rule refuses (satupintu.text) are written as U+FFFD: text stored before
  the rule existed can still be exported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from .text import replace_forbidden

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _quoted(value: str) -> bool:
    """Whether a cell reads as a quote put in front of a formula character (or of another quote)."""
    return len(value) >= 2 and value[0] == QUOTE and (value[1] in FORMULA_START or value[1] == QUOTE)


def csv_text(value: str) -> str:
    """A text cell as written to a CSV: neutralised when a spreadsheet would read a formula."""
    value = replace_forbidden(value)
    return QUOTE + value if value.startswith(FORMULA_START) or _quoted(value) else value


def xlsx_text(value: str) -> str:
    """A text cell as written to an XLSX string cell (which is never a formula)."""
    value = replace_forbidden(value)
    return QUOTE + value if _quoted(value) else value


def restore(value: str) -> str:
    """The text a cell of our CSV or XLSX export stood for: the one quote the writer added is removed.
    A quote in front of a formula character typed by hand means the same (it is how Excel marks text)."""
    return value[1:] if _quoted(value) else value


class CsvWriter:
    """Rows in, CSV bytes out: UTF-8 with a byte order mark (so Excel reads it as UTF-8), every
    cell quoted and neutralised."""

    def __init__(self) -> None:
        self._buf = io.StringIO(newline="")
        self._writer = csv.writer(self._buf, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow(["" if v is None else csv_text(v if isinstance(v, str) else str(v)) for v in row])

    def to_bytes(self) -> bytes:
        return ("\ufeff" + self._buf.getvalue()).encode("utf-8")


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    writer = CsvWriter()
    for row in rows:
        writer.writerow(row)
    return writer.to_bytes()


def append_row(sheet: Any, row: Sequence[Any]) -> None:
    """Append a row to an openpyxl worksheet: numbers as numbers, every text as a string cell."""
    sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in row])
    for column, value in enumerate(row, 1):
        if isinstance(value, str):
            # openpyxl makes a formula of a leading '='; a string cell is only ever text.
            sheet.cell(row=sheet.max_row, column=column).data_type = "s"


def xlsx_bytes(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
