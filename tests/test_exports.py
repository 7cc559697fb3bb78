"""The one spreadsheet writer: no exported cell is ever a formula, and the catalogue import reads back
exactly what was exported."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from satupintu import exports
from satupintu.text import text_problem

CLEAN = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters=[chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]))
RISKY = st.builds(lambda start, rest: start + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "''", "'=",
                                                                     "'-", "'a", ""]), CLEAN)


@given(st.one_of(CLEAN, RISKY))
def test_a_csv_cell_never_starts_like_a_formula_and_restores_to_the_stored_text(value):
    written = exports.csv_text(value)
    assert not written.startswith(exports.FORMULA_START)
    assert exports.restore(written) == value


@given(st.one_of(CLEAN, RISKY))
def test_an_xlsx_text_cell_restores_to_the_stored_text(value):
    assert exports.restore(exports.xlsx_text(value)) == value


def test_owasp_prefixes_are_neutralised_with_a_quote_and_every_csv_cell_is_quoted():
    data = exports.csv_bytes([["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "aman",
                               "x;=1+1", 5]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith('"\'=HYPERLINK(""http://x"")","\'+1","\'-2+3","\'@SUM(A1)","\'\tTAB","\'\rCR","aman",')
    assert '"x;=1+1"' in text  # quoted: Excel with ';' as its list separator keeps it one cell
    assert next(csv.reader(io.StringIO(text)))[-1] == "5"


def test_xlsx_text_is_written_as_string_cells_never_as_formulas():
    wb = Workbook()
    exports.append_row(wb.active, ["=1+1", "-2", "@x", "teks", 7, 1.5, None])
    back = load_workbook(io.BytesIO(exports.xlsx_bytes(wb)))
    cells = list(back.active.iter_rows())[0]
    assert [c.value for c in cells[:6]] == ["=1+1", "-2", "@x", "teks", 7, 1.5]
    assert [c.data_type for c in cells[:6]] == ["s", "s", "s", "s", "n", "n"]


def test_text_stored_before_the_rule_is_exported_with_the_refused_characters_replaced():
    wb = Workbook()
    exports.append_row(wb.active, ["saran\x1b[31m", "nul\x00"])  # openpyxl itself refuses these characters
    values = [c.value for c in next(load_workbook(io.BytesIO(exports.xlsx_bytes(wb))).active.iter_rows())]
    assert values == ["saran\ufffd[31m", "nul\ufffd"] and not any(text_problem(v) for v in values)
    assert "\ufffd" in exports.csv_bytes([["a\x07b"]]).decode("utf-8-sig")
