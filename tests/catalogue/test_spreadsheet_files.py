"""Spreadsheet files as they arrive: a small XLSX that unpacks to a huge sheet is refused before or
while it is read, never parsed to the end; CSVs in UTF-16 are read; other encodings are named."""

import codecs
import io
import zipfile

import pytest

from satupintu.catalogue import spreadsheet
from satupintu.catalogue.spreadsheet import MAX_ROWS, SpreadsheetError, read_table, to_xlsx

TABLE = [["kode_instansi", "kode_layanan", "nama_layanan"], ["DUKCAPIL", "A-1", "Akta Kelahiran"],
         ["DUKCAPIL", "A-2", "Kartu Keluarga, baru"]]


def with_sheet(write_sheet) -> bytes:
    """A real workbook whose first sheet is replaced by what write_sheet writes (streamed into the zip)."""
    source = zipfile.ZipFile(io.BytesIO(to_xlsx([["kode_layanan"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with target.open(item.filename, "w") as sheet:
                    write_sheet(sheet)
            else:
                target.writestr(item, source.read(item))
    return out.getvalue()


def rows_xml(sheet, count, start=1):
    for n in range(start, start + count):
        sheet.write(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>X-{n}</t></is></c></row>'.encode())


# As Excel writes it: the declared size first (openpyxl reads the whole sheet to find it when it is missing,
# which the unpacked-size limit bounds), then the rows.
HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:A1048576"/><sheetData>')


def code_of(data, name="katalog.xlsx"):
    with pytest.raises(SpreadsheetError) as err:
        read_table(data, name)
    return err.value.code, str(err.value)


def test_reading_stops_at_the_first_row_past_the_limit_without_parsing_the_rest():
    """A sheet of a million rows took minutes before the row limit was checked. Here the XML is
    broken after the limit: only a reader that stops there answers 'too many rows'."""
    def sheet(out):
        out.write(HEAD)
        rows_xml(out, MAX_ROWS + 20_000)  # the parser reads ahead a little
        out.write(b"<row r=\"99999\"><c <<< this is not XML and never ends")

    data = with_sheet(sheet)
    assert len(data) < 200_000
    code, message = code_of(data)
    assert code == "too_many_rows" and f"maksimal {MAX_ROWS}" in message


def test_empty_rows_below_the_data_are_tolerated_but_not_a_million_of_them():
    def some_blank(out):
        out.write(HEAD)
        rows_xml(out, 10)
        for n in range(11, 11 + 500):
            out.write(f'<row r="{n}"><c r="A{n}" s="0"/></row>'.encode())
        out.write(b"</sheetData></worksheet>")

    headers, rows = read_table(with_sheet(some_blank), "k.xlsx")
    assert headers == ["x-1"] and len(rows) == 9

    def a_million_blank(out):
        out.write(HEAD)
        rows_xml(out, 10)
        out.write(b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>ujung</t></is></c></row>')
        out.write(b"</sheetData></worksheet>")

    assert code_of(with_sheet(a_million_blank))[0] == "too_many_rows"


def test_rows_are_taken_from_a_stream_and_no_more_are_pulled_than_needed():
    from satupintu.catalogue.spreadsheet import take_rows

    pulled = []

    def endless():
        yield ["kode_layanan"]
        while True:
            pulled.append(1)
            yield [f"X-{len(pulled)}"]

    with pytest.raises(SpreadsheetError) as err:
        take_rows(endless())
    assert err.value.code == "too_many_rows" and len(pulled) == MAX_ROWS + 1


def test_an_archive_that_unpacks_too_large_is_refused_before_it_is_opened():
    def padded(out):  # valid XML: whitespace inside the sheet, 60 MB of it
        out.write(HEAD)
        rows_xml(out, 3)
        for _ in range(60):
            out.write(b" " * (1024 * 1024))
        out.write(b"</sheetData></worksheet>")

    data = with_sheet(padded)
    assert len(data) < 500_000
    code, message = code_of(data)
    assert code == "too_large" and "setelah dibuka" in message

    def dense(out):  # under the total, but packed a thousand times: a bomb's signature
        out.write(HEAD)
        rows_xml(out, 3)
        out.write(b" " * (8 * 1024 * 1024))
        out.write(b"</sheetData></worksheet>")

    assert code_of(with_sheet(dense))[0] == "too_large"


def tab_text(table):
    return "\r\n".join("\t".join(r) for r in table) + "\r\n"


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-16"),  # Excel's "Unicode Text": UTF-16 LE with a byte order mark
    lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    lambda t: t.encode("utf-16-le"),  # no mark
    lambda t: t.encode("utf-32"),
], ids=["utf-16", "utf-16-be", "utf-16-le-no-bom", "utf-32"])
def test_a_csv_saved_as_utf_16_is_read_as_the_same_table(encode):
    assert read_table(encode(tab_text(TABLE)), "katalog.csv") == (TABLE[0], TABLE[1:])
    accents = [TABLE[0], ["DUKCAPIL", "A-3", "Surat keterangan pindah (Café Ōtsuka — ½)"]]
    assert read_table(encode(tab_text(accents)), "katalog.csv") == (accents[0], accents[1:])


def test_a_csv_in_windows_1252_is_refused_naming_the_encoding_and_the_line():
    text = "kode_instansi,kode_layanan,nama_layanan\nDUKCAPIL,A-1,Pengesahan akta café\n"
    code, message = code_of(text.encode("cp1252"), "katalog.csv")
    assert code == "encoding"
    assert "UTF-8" in message and "baris 2" in message and "0xE9" in message


def test_a_nul_byte_in_a_utf_8_csv_reaches_the_row_check_instead_of_the_database():
    headers, rows = read_table(b"kode_instansi,kode_layanan,nama_layanan\nDUKCAPIL,A-1,Akta\x00\n", "k.csv")
    _, errors = spreadsheet.parse_rows(headers, rows)
    assert [(e.row, e.field, e.code) for e in errors] == [(2, "nama_layanan", "control_character")]
