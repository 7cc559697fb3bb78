"""Reading the catalogue spreadsheet: every bad cell is reported by row and column."""

from satupintu.catalogue import spreadsheet
from satupintu.catalogue.spreadsheet import HEADERS, parse_rows, read_table, to_csv, to_xlsx


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
    assert (5, "satuan_waktu") in found and (5, "produk") in found
    assert (6, "kode_layanan") in found and (6, "loket") in found
    assert all(e.row != 2 for e in errors)
    dup = next(e for e in errors if e.row == 4)
    assert "sudah dipakai di baris 2" in dup.message


def test_a_draft_may_be_incomplete_but_not_wrong():
    _, errors = parse_rows(list(HEADERS), [row(status="draf", produk="", persyaratan="")])
    assert errors == []
    _, errors = parse_rows(list(HEADERS), [row(status="draf", biaya="-5")])
    assert [e.field for e in errors] == ["biaya"]


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
    for data, name, words in [(b"x", "a.pdf", "csv atau .xlsx"), (b"not a zip", "a.xlsx", "tidak dapat dibaca"),
                              (b"", "a.csv", "kosong")]:
        try:
            read_table(data, name)
        except spreadsheet.SpreadsheetError as exc:
            assert words in str(exc)
        else:
            raise AssertionError(name)
