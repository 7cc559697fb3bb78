"""Catalogue use cases, defects found in review: what a mobile service's (an event's) staff may not
reach of the parent mall, and a service moved to another agency. To be folded into test_service.py."""

from datetime import date

import pytest

from satupintu.accounts import service as accounts
from satupintu.catalogue import service
from satupintu.catalogue.schemas import AgencyIn, AgreementIn, ServiceIn, SiteIn
from satupintu.errors import ValidationFailed
from satupintu.roles import Role
from satupintu.scope import SYSTEM
from tests.conftest import DEMO_PASSWORD


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
