"""Catalogue exports never carry a formula or a control character, and still round-trip through
the import; control characters are refused on the way in, by the API and by the import."""

import csv
import io
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.catalogue import service, transfer
from satupintu.catalogue.models import Service, ServiceStatus
from satupintu.catalogue.schemas import ServiceIn
from satupintu.catalogue.spreadsheet import HEADERS
from satupintu.demo.synthetic import synthetic_table
from satupintu.errors import ValidationFailed
from tests.conftest import DEMO_PASSWORD, token_for

RISKY = dict(
    code="UJI-01", agency="DUKCAPIL", name="=Layanan uji formula",
    description='=HYPERLINK("http://contoh.invalid","klik")',
    requirements=["- KTP asli", "- Kartu Keluarga", "=1+1"], procedure=["+ Ambil nomor", "@loket 4"],
    time_value=1, time_unit="working_days", fee=0, product="-Akta", complaint_channel="+62 811 000 111",
    legal_basis="'=sudah diberi kutip", facilities="'biasa",
)


def raw_csv(table):
    """A CSV as another program writes it (our writer would not let a control character through)."""
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(table)
    return buf.getvalue().encode("utf-8")


@pytest.fixture
def manager(fresh_demo_db):
    return accounts.authenticate(fresh_demo_db, "pengelola", DEMO_PASSWORD)


def test_text_that_starts_like_a_formula_is_exported_as_text_and_imports_back_unchanged(fresh_demo_db, manager):
    db = fresh_demo_db
    service.create_service(db, manager, "lahat", ServiceIn(**RISKY), ServiceStatus.published)
    stored = service.get_service(db, "lahat", "UJI-01", manager)

    xlsx = transfer.export_catalogue(db, manager, "lahat", "xlsx")
    sheet = load_workbook(BytesIO(xlsx)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("kode_layanan")].value == "UJI-01")
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]  # no formula at all
    assert row[header.index("nama_layanan")].value == "=Layanan uji formula"
    assert row[header.index("persyaratan")].value == "- KTP asli\n- Kartu Keluarga\n=1+1"

    csv_text = transfer.export_catalogue(db, manager, "lahat", "csv").decode("utf-8-sig")
    assert '"\'=Layanan uji formula"' in csv_text and '"\'- KTP asli\n- Kartu Keluarga\n=1+1"' in csv_text
    assert '"\'\'=sudah diberi kutip"' in csv_text and '"\'biasa"' in csv_text

    for fmt, data in (("xlsx", xlsx), ("csv", csv_text.encode("utf-8"))):
        result = transfer.import_catalogue(db, manager, "lahat", data, f"katalog.{fmt}")
        assert result.created == 0 and result.updated == 0, fmt
        assert service.get_service(db, "lahat", "UJI-01", manager) == stored


def test_text_stored_before_the_rule_still_exports(fresh_demo_db, manager):
    """A service name holding an ESC character (accepted before the rule) made the XLSX export fail."""
    db = fresh_demo_db
    with db.write() as s:
        svc = s.scalars(select(Service).order_by(Service.code)).first()
        svc.name = "Akta\x1b[2J Kelahiran"
        code = svc.code
    sheet = load_workbook(BytesIO(transfer.export_catalogue(db, manager, "lahat", "xlsx"))).active
    names = {r[HEADERS.index("kode_layanan")]: r[HEADERS.index("nama_layanan")]
             for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert names[code] == "Akta\ufffd[2J Kelahiran"
    assert "Akta\ufffd[2J" in transfer.export_catalogue(db, manager, "lahat", "csv").decode("utf-8-sig")


def test_a_service_name_with_control_characters_is_refused_by_the_api_naming_the_field(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        base = {"code": "T-9", "agency": "DUKCAPIL", "name": "Contoh layanan"}
        resp = c.post("/api/v1/sites/lahat/services", headers=auth, json={**base, "name": "Contoh\x1b[31m layanan"})
        assert resp.status_code == 422
        error = resp.json()["error"]
        assert error["field"] == "name" and error["details"][0]["code"] == "control_character"
        assert "U+001B" in error["message"]
        lone = c.post("/api/v1/sites/lahat/services", headers={**auth, "content-type": "application/json"},
                      content=b'{"code": "T-9", "agency": "DUKCAPIL", "name": "Contoh \\ud800 layanan"}')
        assert lone.status_code == 422 and lone.json()["error"]["field"] == "name"
        assert c.get("/api/v1/sites/lahat/services/T-9", headers=auth).status_code == 404  # nothing stored
        assert c.get("/api/v1/sites/lahat/catalogue.xlsx", headers=auth).status_code == 200


def test_a_nul_or_escape_in_an_imported_csv_is_an_error_by_row_and_column_and_nothing_is_stored(
        fresh_demo_db, manager):
    db = fresh_demo_db
    table = synthetic_table(5, 1)
    table[2][HEADERS.index("nama_layanan")] = "Izin\x00 usaha"  # row 3
    table[4][HEADERS.index("persyaratan")] = "KTP\nKK\x1b"      # row 5
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(Service))
    with pytest.raises(ValidationFailed) as err:
        transfer.import_catalogue(db, manager, "lahat", raw_csv(table), "katalog.csv")
    found = [(d.row, d.field, d.code) for d in err.value.details]
    assert found == [(3, "nama_layanan", "control_character"), (5, "persyaratan", "control_character")]
    assert "U+0000" in err.value.details[0].message
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Service)) == before


def test_a_control_character_in_a_header_is_named_by_its_position():
    from satupintu.catalogue.spreadsheet import parse_rows

    _, errors = parse_rows(["kode_instansi", "kode\x07layanan"], [["A", "B"]])
    assert [(e.row, e.field, e.code) for e in errors] == [(1, "header", "control_character")]
    assert "ke-2" in errors[0].message
