"""Reading the catalogue spreadsheet: every bad cell is reported by row and column."""

import pytest

from satupintu.catalogue import spreadsheet
from satupintu.catalogue.spreadsheet import (
    HEADERS,
    merge_row,
    parse_rows,
    parse_rupiah,
    read_table,
    to_csv,
    to_xlsx,
)


def row(**values):
    base = {
        "kode_instansi": "DUKCAPIL", "kode_layanan": "X-01", "nama_layanan": "Akta Kelahiran",
        "persyaratan": "Surat keterangan lahir\nKartu Keluarga", "prosedur": "Ambil antrian\nSerahkan berkas",
        "waktu": "1", "satuan_waktu": "hari kerja", "biaya": "0", "produk": "Akta", "pengaduan": "Kotak saran",
    }
    base.update(values)
    return [base.get(h, "") for h in HEADERS]


def test_a_good_row_is_parsed_with_lists_and_numbers():
    rows, errors = parse_rows(list(HEADERS), [row()])
    assert errors == []
    r = rows[0]
    assert r.standard["requirements"] == ["Surat keterangan lahir", "Kartu Keluarga"]
    assert r.standard["time_unit"] == "working_days" and r.standard["fee"] == 0
    assert r.status == "published" and r.counters == []


def test_each_bad_cell_is_named_by_row_and_column_in_indonesian():
    rows = [row(), row(kode_layanan="X-02", biaya="lima ribu"), row(kode_layanan="X-01"),
            row(kode_layanan="X-03", satuan_waktu="jam", produk=""), row(kode_layanan="", loket="satu")]
    _, errors = parse_rows(list(HEADERS), rows)
    found = {(e.row, e.field) for e in errors}
    assert (3, "biaya") in found
    assert (4, "kode_layanan") in found  # duplicate of row 2
    assert (5, "satuan_waktu") in found
    assert (6, "kode_layanan") in found and (6, "loket") in found
    assert all(e.row != 2 for e in errors)
    dup = next(e for e in errors if e.row == 4)
    assert "sudah dipakai di baris 2" in dup.message


def test_a_draft_may_be_incomplete_but_a_published_row_may_not():
    rows, errors = parse_rows(list(HEADERS), [row(status="draf", produk="", persyaratan=""),
                                              row(kode_layanan="X-02", produk="")])
    assert errors == []
    assert merge_row(rows[0], None)[2] == []
    problems = merge_row(rows[1], None)[2]
    assert [(p.row, p.field) for p in problems] == [(3, "produk")]
    _, errors = parse_rows(list(HEADERS), [row(status="draf", biaya="-5")])
    assert [e.field for e in errors] == ["biaya"]


def test_absent_columns_keep_what_is_stored():
    headers = ["kode_instansi", "kode_layanan", "nama_layanan", "waktu", "satuan_waktu"]
    rows, errors = parse_rows(headers, [["DUKCAPIL", "X-01", "Akta Kelahiran Baru", "2", "hari kerja"]])
    assert errors == []
    stored = {"name": "Akta", "description": "d", "keywords": ["akte"], "requirements": ["KK"],
              "procedure": ["Datang"], "time_value": 1, "time_unit": "minutes", "fee": 0, "fee_legal_basis": "",
              "product": "Akta", "complaint_channel": "SP4N", "legal_basis": "", "facilities": "", "competence": "",
              "internal_supervision": "", "officer_count": "", "service_guarantee": "", "security_guarantee": "",
              "performance_evaluation": "", "status": "draft"}
    values, status, problems = merge_row(rows[0], stored)
    assert status == "draft" and problems == []  # no status column: the draft stays a draft
    assert values["name"] == "Akta Kelahiran Baru" and values["time_value"] == 2
    assert values["requirements"] == ["KK"] and values["keywords"] == ["akte"]


def test_rupiah_and_counts_are_read_strictly():
    for text, value in [("50000", 50000), ("50.000", 50000), ("Rp 50.000", 50000), ("Rp50.000,00", 50000),
                        ("gratis", 0), ("1.250.000", 1250000)]:
        assert parse_rupiah(text) == value
    for bad in ("Rp 50.000,50", "2,5", "50.00", "-5", "lima", "1.2.3"):
        try:
            parse_rupiah(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    _, errors = parse_rows(list(HEADERS), [row(waktu="2,5")])
    assert [e.field for e in errors] == ["waktu"]


def test_list_cells_split_on_lines_only():
    rows, _ = parse_rows(list(HEADERS), [row(persyaratan="Fotokopi KTP; KK asli\nPas foto")])
    assert rows[0].standard["requirements"] == ["Fotokopi KTP; KK asli", "Pas foto"]


def test_missing_and_unknown_columns_stop_before_rows():
    _, errors = parse_rows(["kode_layanan", "warna"], [["A", "merah"]])
    assert {e.field for e in errors} == {"warna", "kode_instansi", "nama_layanan"}


def test_csv_with_semicolons_and_xlsx_read_back_the_same_table():
    table = [list(HEADERS), row(), row(kode_layanan="X-02", biaya="Rp 50.000", dasar_biaya="Perda 1/2024")]
    csv_bytes = to_csv(table)
    assert read_table(csv_bytes, "a.csv") == (list(HEADERS), table[1:])
    semicolon = "\n".join(";".join(r) for r in [["kode_instansi", "kode_layanan"], ["A", "B"]]).encode()
    assert read_table(semicolon, "b.csv") == (["kode_instansi", "kode_layanan"], [["A", "B"]])
    assert read_table(to_xlsx(table), "c.xlsx") == (list(HEADERS), table[1:])
    rows, errors = parse_rows(*read_table(to_xlsx(table), "c.xlsx"))
    assert errors == [] and rows[1].standard["fee"] == 50000


def test_unreadable_files_say_why():
    huge_cell = ("kode_layanan\n\"" + "x" * 200_000 + "\"\n").encode()
    for data, name, words in [(b"x", "a.pdf", "csv atau .xlsx"), (b"not a zip", "a.xlsx", "tidak dapat dibaca"),
                              (b"", "a.csv", "kosong"), (b"kode_layanan\n\x81\x8d\n", "a.csv", "UTF-8"),
                              (huge_cell, "a.csv", "tidak dapat dibaca"),
                              (b"kode_instansi,kode_layanan\n", "a.csv", "tidak memuat baris")]:
        try:
            read_table(data, name)
        except spreadsheet.SpreadsheetError as exc:
            assert words in str(exc)
        else:
            raise AssertionError(name)


def cells_of(**values):
    """One data row (row 2) as the parser's steps see it, every column present."""
    return spreadsheet._Cells(row(**values), {h: i for i, h in enumerate(HEADERS)}, 2, [])


@pytest.mark.parametrize(("text", "fee", "error"), [
    ("", None, False),
    ("0", 0, False),
    ("Rp 50.000", 50_000, False),
    ("2.000.000.000", 2_000_000_000, False),
    ("lima ribu", None, True),
    ("50.000,50", None, True),
    # Too large: reported, yet kept so the standard's own checks see the amount that was written.
    ("2.000.000.001", 2_000_000_001, True),
])
def test_a_fee_cell_is_whole_rupiah_up_to_two_billion(text, fee, error):
    cells = cells_of(biaya=text)
    assert spreadsheet._fee(cells) == fee
    assert [e.field for e in cells.errors] == (["biaya"] if error else [])


@pytest.mark.parametrize(("text", "counters", "bad"), [
    ("", [], []),
    ("1; 2,3 4", [1, 2, 3, 4], []),
    ("1;;x; 2;y", [1, 2], ["x", "y"]),
])
def test_a_counter_cell_lists_numbers_and_names_each_part_that_is_not_one(text, counters, bad):
    cells = cells_of(loket=text)
    assert spreadsheet._counters(cells) == counters
    assert [e.message for e in cells.errors] == [f"Nomor loket '{p}' harus berupa angka." for p in bad]


def test_a_cell_with_a_control_character_gets_that_one_error_and_no_other():
    cells = cells_of(biaya="5\x07", waktu="x")
    spreadsheet._check_text(cells)
    spreadsheet._standard(cells)
    assert [(e.field, e.code) for e in cells.errors] == [("biaya", "control_character"), ("waktu", "invalid")]


@pytest.mark.parametrize(("headers", "problems"), [
    (list(HEADERS), []),
    (["kode_instansi", "kode_layanan", "nama_layanan", "", ""], []),
    (["kode_instansi", "kode_layanan", "nama_layanan", "harga"], [("harga", "unknown_column")]),
    (["kode_layanan", "nama_layanan", "foo"], [("foo", "unknown_column"), ("kode_instansi", "missing_column")]),
    (["kode_instansi", "kode_layanan", "nama_layanan", "kode_layanan"], [("header", "duplicate_column")]),
])
def test_column_titles_are_known_complete_and_given_once(headers, problems):
    assert [(e.field, e.code) for e in spreadsheet._column_problems(headers)] == problems
