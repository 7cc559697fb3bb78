"""Catalogue import and export: 470 services from a spreadsheet, all or nothing, idempotent."""

import io
import re
import zipfile
from io import BytesIO
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.audit import AuditEntry
from satupintu.catalogue import service, transfer
from satupintu.catalogue.models import Agency, Service
from satupintu.catalogue.spreadsheet import HEADERS, to_csv, to_xlsx
from satupintu.demo.synthetic import synthetic_table
from satupintu.errors import FieldError, ValidationFailed
from tests.conftest import DEMO_PASSWORD


def counts(db):
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Service)), s.scalar(select(func.count()).select_from(Agency)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.fixture
def manager(fresh_demo_db):
    return accounts.authenticate(fresh_demo_db, "pengelola", DEMO_PASSWORD)


def test_470_services_load_from_xlsx_and_a_reimport_changes_nothing(fresh_demo_db, manager):
    db = fresh_demo_db
    before = counts(db)
    data = to_xlsx(synthetic_table(470, 25))
    result = transfer.import_catalogue(db, manager, "lahat", data, "katalog.xlsx")
    assert (result.created, result.updated, result.unchanged, result.agencies_created) == (470, 0, 0, 25)
    after = counts(db)
    assert after[0] == before[0] + 470 and after[1] == before[1] + 25
    published = [s for s in service.list_services(db, "lahat") if s.code.startswith("L-")]
    assert len(published) == 423  # every tenth row is a draft
    again = transfer.import_catalogue(db, manager, "lahat", data, "katalog.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 470)
    assert counts(db) == after  # not even an audit entry


def test_export_then_import_is_a_no_op_in_both_formats(fresh_demo_db, manager):
    db = fresh_demo_db
    for fmt in ("csv", "xlsx"):
        exported = transfer.export_catalogue(db, manager, "lahat", fmt)
        before = counts(db)
        result = transfer.import_catalogue(db, manager, "lahat", exported, f"katalog.{fmt}")
        assert result.created == 0 and result.updated == 0 and result.unchanged >= 30
        assert counts(db) == before


def test_the_export_has_one_row_per_service_with_indonesian_headers(fresh_demo_db, manager):
    wb = load_workbook(BytesIO(transfer.export_catalogue(fresh_demo_db, manager, "lahat", "xlsx")))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) - 1 == len(service.list_services(fresh_demo_db, "lahat", actor=manager, include_unpublished=True))


def test_one_bad_row_rejects_the_whole_file_and_every_error_is_listed(fresh_demo_db, manager):
    db = fresh_demo_db
    table = synthetic_table(50, 5)
    col = {h: i for i, h in enumerate(HEADERS)}
    table[10][col["biaya"]] = "gratis dong"      # row 11
    table[20][col["satuan_waktu"]] = "jam"       # row 21
    table[30][col["kode_layanan"]] = "L-0001"    # row 31, duplicate of row 2
    table[40][col["loket"]] = "99"               # row 41, no such counter
    table[45][col["produk"]] = ""                # row 46, published without product
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        transfer.import_catalogue(db, manager, "lahat", to_csv(table), "katalog.csv")
    found = {(d.row, d.field) for d in err.value.details}
    assert found == {(11, "biaya"), (21, "satuan_waktu"), (31, "kode_layanan"), (41, "loket"), (46, "produk")}
    assert "Tidak ada data yang diubah" in err.value.message
    assert counts(db) == before


def test_an_update_in_the_spreadsheet_updates_and_audits_that_service_only(fresh_demo_db, manager):
    db = fresh_demo_db
    table = synthetic_table(20, 2)
    transfer.import_catalogue(db, manager, "lahat", to_csv(table), "a.csv")
    table[5][HEADERS.index("waktu")] = "9"
    table[5][HEADERS.index("satuan_waktu")] = "hari kerja"
    before = counts(db)
    result = transfer.import_catalogue(db, manager, "lahat", to_csv(table), "a.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 19)
    assert counts(db)[2] == before[2] + 1
    assert service.get_service(db, "lahat", "L-0005", manager).time_value == 9


def test_a_new_agency_needs_its_name_and_kind(fresh_demo_db, manager):
    table = synthetic_table(3, 1)
    table[1][HEADERS.index("nama_instansi")] = ""
    table[1][HEADERS.index("jenis_instansi")] = ""
    with pytest.raises(ValidationFailed) as err:
        transfer.import_catalogue(fresh_demo_db, manager, "lahat", to_csv(table), "a.csv")
    assert {(d.row, d.field) for d in err.value.details} == {(2, "nama_instansi"), (2, "jenis_instansi")}


def test_an_unreadable_file_is_refused_with_the_file_field(fresh_demo_db, manager):
    with pytest.raises(ValidationFailed) as err:
        transfer.import_catalogue(fresh_demo_db, manager, "lahat", b"%PDF-1.4", "katalog.pdf")
    assert err.value.field == "file"


COUNTERS = {1: SimpleNamespace(agency_id="dukcapil"), 2: SimpleNamespace(agency_id="dukcapil"),
            7: SimpleNamespace(agency_id="bpjs")}


@pytest.mark.parametrize(("stored", "agency", "wanted", "current", "result"), [
    ("dukcapil", "dukcapil", None, [1, 2], None),  # no counter column, same agency: left alone
    ("dukcapil", "dukcapil", [1, 2], [1, 2], None),  # the same counters: no change
    ("dukcapil", "dukcapil", [1], [1, 2], [1]),
    ("dukcapil", "dukcapil", [], [1, 2], []),
    ("dukcapil", "bpjs", None, [1, 2, 7], [7]),  # moved to another agency: only that agency's counters stay
    ("dukcapil", "bpjs", None, [7], None),
    ("bpjs", "bpjs", [1], [7], [1]),  # a counter column is taken as written (its owners are checked before)
])
def test_the_counters_a_service_ends_up_on(stored, agency, wanted, current, result):
    svc = SimpleNamespace(agency_id=stored)
    assert transfer._counters_to_set(svc, agency, wanted, current, COUNTERS) == result


def test_a_refused_file_lists_its_errors_by_row_then_by_column_order():
    errors = [FieldError("loket", "a", row=3), FieldError("biaya", "b", row=2), FieldError("file", "c"),
              FieldError("kode_layanan", "d", row=3), FieldError("kode_instansi", "e", row=3)]
    refused = transfer._rejected(errors)
    assert [(e.row, e.field) for e in refused.details] == [
        (None, "file"), (2, "biaya"), (3, "kode_instansi"), (3, "kode_layanan"), (3, "loket")]
    assert refused.message == "Impor dibatalkan: 5 kesalahan pada berkas. Tidak ada data yang diubah."


def test_an_xlsx_declaring_a_wrong_size_still_imports_every_row(fresh_demo_db):
    db = fresh_demo_db
    m = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    data = to_xlsx(synthetic_table(3, 1))
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:C1"/>', body)
                assert b'ref="A1:C1"' in body
            dst.writestr(item, body)
    assert transfer.import_catalogue(db, m, "lahat", out.getvalue(), "k.xlsx").created == 3


def test_a_partial_spreadsheet_leaves_other_fields_and_drafts_alone(fresh_demo_db):
    db = fresh_demo_db
    m = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    transfer.import_catalogue(db, m, "lahat", to_csv(synthetic_table(10, 1)), "full.csv")
    draft = service.get_service(db, "lahat", "L-0001", m)
    assert draft.status.value == "draft"
    partial = [["kode_instansi", "kode_layanan", "nama_layanan", "waktu"], ["UK01", "L-0001", "Nama Baru", "3"],
               ["UK01", "L-0002", "Nama Baru Dua", "4"]]
    result = transfer.import_catalogue(db, m, "lahat", to_csv(partial), "partial.csv")
    assert result.updated == 2
    after = service.get_service(db, "lahat", "L-0001", m)
    assert after.status.value == "draft" and after.name == "Nama Baru" and after.time_value == 3
    assert after.requirements == draft.requirements and after.product == draft.product
