"""Defects found in review, each pinned by what the user would have seen."""

import io
import re
import zipfile
from datetime import date

import pytest

from satupintu.accounts import service as accounts
from satupintu.accounts.models import Role
from satupintu.accounts.scope import SYSTEM
from satupintu.catalogue import service, transfer
from satupintu.catalogue.schemas import AgencyIn, AgreementIn, ServiceIn, SiteIn
from satupintu.catalogue.spreadsheet import HEADERS, to_csv, to_xlsx
from satupintu.demo.synthetic import synthetic_table
from satupintu.errors import ValidationFailed
from tests.conftest import DEMO_PASSWORD, token_for


def event_manager(db):
    accounts.create_user(db, SYSTEM, accounts.UserIn(username="pengelola.plaza", full_name="Pengelola Plaza",
                                                     password="sandi-plaza-1234", role=Role.site_manager,
                                                     site="plaza-lematang"))
    return accounts.authenticate(db, "pengelola.plaza", "sandi-plaza-1234")


def test_an_events_parent_cannot_be_changed_to_reach_another_malls_catalogue(fresh_demo_db):
    db = fresh_demo_db
    service.create_site(db, SYSTEM, SiteIn(code="muara", name="MPP Muara Enim", opening_hours={}))
    actor = event_manager(db)
    event = service.get_site(db, "plaza-lematang")
    data = SiteIn(code=event.code, name=event.name, kind="mobile", address=event.address, parent_site="muara",
                  starts_on=event.starts_on, ends_on=event.ends_on, opening_hours=event.opening_hours)
    with pytest.raises(ValidationFailed) as err:
        service.update_site(db, actor, "plaza-lematang", data)
    assert err.value.field == "parent_site"
    assert service.get_site(db, "plaza-lematang").parent_site == "lahat"


def test_event_staff_cannot_change_the_parent_malls_agencies_through_the_event(fresh_demo_db):
    db = fresh_demo_db
    actor = event_manager(db)
    with pytest.raises(ValidationFailed):
        service.update_agency(db, actor, "plaza-lematang", "DUKCAPIL",
                              AgencyIn(code="DUKCAPIL", name="Diganti", kind="bank"))
    with pytest.raises(ValidationFailed):
        service.add_agreement(db, actor, "plaza-lematang", "DUKCAPIL",
                              AgreementIn(kind="PKS", number="X", starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1)))
    assert service.get_agency(db, "lahat", "DUKCAPIL").name.startswith("Dinas Kependudukan")


def test_moving_a_service_to_another_agency_takes_it_off_the_old_agencys_counters(fresh_demo_db):
    db = fresh_demo_db
    m = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    svc = service.get_service(db, "lahat", "DKC-02")
    assert svc.counters
    data = ServiceIn.model_validate({**svc.model_dump(include=set(ServiceIn.model_fields) - {"agency"}),
                                     "agency": "DPMPTSP"})
    moved = service.update_service(db, m, "lahat", "DKC-02", data)
    assert moved.counters == [] and moved.agency_code == "DPMPTSP"


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


def test_bad_input_over_http_is_a_4xx_naming_the_field(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        r = c.post("/api/v1/auth/token", json={"username": "a\u0000b", "password": "x"})
        assert r.status_code == 422
        assert c.get("/api/v1/sites/lahat/services/X%00").status_code == 400
        assert c.get("/api/v1/sites/lahat/services", params={"agency": "A\x00"}).status_code == 400
        r = c.put("/api/v1/sites/lahat/counters/99999999999999999999", headers=auth,
                  json={"number": 1, "agency": "DUKCAPIL"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "number"
        r = c.post("/api/v1/sites/lahat/services", headers=auth,
                   json={"code": "T-9", "agency": "DUKCAPIL", "name": "Layanan Mahal", "fee": 3_000_000_000})
        assert r.status_code == 422 and r.json()["error"]["field"] == "fee"
        r = c.post("/api/v1/sites/lahat/booths", headers={**auth, "content-type": "application/json"},
                   content=b"{not json")
        assert r.status_code == 422 and r.json()["error"]["field"] == "body"
        r = c.post("/api/v1/sites", headers=auth, json={"code": "ev2", "name": "Acara", "kind": "mobile",
                                                        "starts_on": "2026-12-01", "ends_on": "2026-12-02"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "parent_site"
        r = c.put("/api/v1/sites/lahat", headers=auth, json={"code": "lahat", "name": "MPP Kabupaten Lahat",
                                                             "opening_hours": {"mon": ["99999999999999999999:00", "15:00"]}})
        assert r.status_code == 422 and r.json()["error"]["field"] == "opening_hours.mon"
        table = synthetic_table(2, 1)
        table[1][HEADERS.index("nama_instansi")] = "x" * 300
        r = c.post("/api/v1/sites/lahat/catalogue/import", headers=auth,
                   files={"file": ("k.csv", to_csv(table), "text/csv")})
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "nama_instansi"
