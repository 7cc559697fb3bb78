"""Mobile service events (Pelayanan Bergerak) kept by their mall's manager, on a real SQLite file
and the real PostgreSQL: created with hours and services in one transaction (or not at all),
opened only when every service it brings has a counter, staffed by the mall's officers who are
never in two places at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.catalogue import service
from satupintu.catalogue.event_rules import can_change, open_problems, suggest_code
from satupintu.catalogue.models import EventStatus, Site
from satupintu.catalogue.schemas import CounterIn
from satupintu.errors import Conflict, Forbidden, ValidationFailed
from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD

HOURS = {"mon": ["08:00", "14:00"], "tue": ["08:00", "14:00"], "wed": ["08:00", "14:00"],
         "thu": ["08:00", "14:00"], "fri": ["08:00", "14:00"], "sat": ["08:00", "12:00"]}


def manager(db):
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


def event_in(db, code: str, days: int = 2, **changes):
    today = staffing.site_today(db, "lahat")
    fields = {"name": f"Pelayanan Bergerak {code}", "code": code, "address": "Lapangan Merdeka, Lahat",
              "starts_on": today, "ends_on": today + timedelta(days=days - 1), "opening_hours": HOURS,
              "services": ["DKC-01", "DKC-03"], **changes}
    return service.EventIn.model_validate(fields)


def site_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Site)) or 0


# ---------------------------------------------------------------- pure rules

def test_the_code_is_suggested_from_the_name_with_the_malls_code_first():
    assert suggest_code("Pelayanan Bergerak Plaza Lematang", "lahat") == "lahat-pelayanan-bergerak-plaza-lematang"
    assert suggest_code("Jemput Bola Kecamatan Merapi", "lahat") == "lahat-jemput-bola-kecamatan-merapi"
    assert suggest_code("MPP Lahat keliling", "lahat") == "lahat-mpp-keliling"  # the mall's name once
    assert suggest_code("Pasar Inpres — Sabtu Ceria!", "") == "pasar-inpres-sabtu-ceria"
    assert suggest_code("!!!", "") == ""


@given(st.text(max_size=300), st.sampled_from(["", "lahat", "kota-lubuklinggau"]))
def test_a_suggested_code_is_always_a_valid_site_code_or_empty(name, parent):
    code = suggest_code(name, parent)
    assert code == "" or (re.fullmatch(r"[a-z0-9][a-z0-9-]*", code) and 2 <= len(code) <= 64)


def test_status_changes_and_what_must_be_ready_before_opening():
    assert can_change("planned", "open") and can_change("planned", "closed") and can_change("open", "closed")
    assert can_change("closed", "open") and not can_change("open", "planned") and not can_change("open", "open")
    assert [f for f, _ in open_problems(0, 0)] == ["services"]
    assert [f for f, _ in open_problems(3, 2)] == ["counters"] and "1 layanan" in open_problems(3, 2)[0][1]
    assert open_problems(3, 3) == []


# ---------------------------------------------------------------- use cases on both databases

def test_an_event_is_created_planned_with_its_hours_services_and_the_malls_time_zone(demo_db):
    out = service.create_mobile_event(demo_db, manager(demo_db), "lahat", event_in(demo_db, "ev-create"))
    assert out.status is EventStatus.planned and out.parent_site == "lahat"
    assert out.timezone == "Asia/Jakarta" and out.zone_label == "WIB"  # the mall's, not given
    assert out.opening_hours["sat"] == ["08:00", "12:00"] and "sun" not in out.opening_hours
    assert out.service_count == 2 and out.counter_count == 0
    assert {s.code for s in service.list_services(demo_db, "ev-create")} == {"DKC-01", "DKC-03"}
    listed = {e.code: e for e in service.list_events(demo_db, manager(demo_db), "lahat")}
    assert listed["ev-create"].status is EventStatus.planned
    assert listed["plaza-lematang"].status is EventStatus.open  # the demo's event predates the status
    public = service.get_site(demo_db, "ev-create")
    assert public.kind.value == "mobile" and public.address == "Lapangan Merdeka, Lahat"
    wita = service.create_mobile_event(demo_db, manager(demo_db), "lahat",
                                       event_in(demo_db, "ev-wita", timezone="Asia/Makassar"))
    assert wita.zone_label == "WITA"


def test_every_mistake_is_reported_by_field_and_nothing_is_saved(demo_db):
    before = site_count(demo_db)
    bad = event_in(demo_db, "plaza-lematang", services=["DKC-01", "XXX-99"],
                   opening_hours={"mon": ["14:00", "08:00"], "tue": ["8 pagi", "12:00"]})
    bad = bad.model_copy(update={"ends_on": bad.starts_on - timedelta(days=1)})
    with pytest.raises(ValidationFailed) as err:
        service.create_mobile_event(demo_db, manager(demo_db), "lahat", bad)
    fields = {d.field for d in err.value.details}
    assert fields == {"code", "ends_on", "opening_hours.mon", "opening_hours.tue", "services"}
    assert site_count(demo_db) == before
    with pytest.raises(ValidationFailed) as err:
        service.create_mobile_event(demo_db, manager(demo_db), "lahat", event_in(demo_db, "ev-nohours",
                                                                                  opening_hours={}))
    assert err.value.details[0].field == "opening_hours" and site_count(demo_db) == before


def test_only_the_malls_manager_creates_and_opens_its_events(demo_db):
    officer = accounts.authenticate(demo_db, "petugas.dukcapil", DEMO_PASSWORD)
    admin = accounts.authenticate(demo_db, "admin.dukcapil", DEMO_PASSWORD)
    for actor in (officer, admin):
        with pytest.raises(Forbidden):
            service.create_mobile_event(demo_db, actor, "lahat", event_in(demo_db, "ev-refused"))
    service.create_mobile_event(demo_db, manager(demo_db), "lahat", event_in(demo_db, "ev-scope"))
    with pytest.raises(Forbidden):
        service.set_event_status(demo_db, admin, "ev-scope", EventStatus.closed)
    with pytest.raises(ValidationFailed) as err:  # an event is made from its mall, not from another event
        service.create_mobile_event(demo_db, manager(demo_db), "ev-scope", event_in(demo_db, "ev-nested"))
    assert err.value.field == "site"


def test_an_event_opens_only_when_each_service_it_brings_has_a_counter_there(demo_db):
    boss = manager(demo_db)
    service.create_mobile_event(demo_db, boss, "lahat", event_in(demo_db, "ev-open"))
    with pytest.raises(ValidationFailed) as err:
        service.set_event_status(demo_db, boss, "ev-open", EventStatus.open)
    assert err.value.field == "counters"
    with pytest.raises(ValidationFailed) as err:  # a counter serves only what the event brings
        service.create_counter(demo_db, boss, "ev-open", CounterIn(number=1, agency="DUKCAPIL",
                                                                  services=["DKC-01", "DKC-04"]))
    assert err.value.field == "services"
    service.create_counter(demo_db, boss, "ev-open", CounterIn(number=1, agency="DUKCAPIL",
                                                              services=["DKC-01", "DKC-03"]))
    view = service.event_view(demo_db, boss, "lahat", "ev-open")
    assert view.open_problems == () and view.next_statuses == ("open", "closed")
    dukcapil = next(a for a in view.agencies if a.code == "DUKCAPIL")
    assert {s.code: s.counters for s in dukcapil.services if s.chosen} == {"DKC-01": (1,), "DKC-03": (1,)}
    assert service.set_event_status(demo_db, boss, "ev-open", EventStatus.open).status is EventStatus.open
    with pytest.raises(Conflict) as err:
        service.set_event_status(demo_db, boss, "ev-open", EventStatus.planned)
    assert err.value.field == "status"
    assert service.set_event_status(demo_db, boss, "ev-open", EventStatus.closed).status is EventStatus.closed
    assert service.event_view(demo_db, boss, "lahat", "ev-open").next_statuses == ("open",)


def test_the_malls_officer_is_assigned_at_the_event_but_never_in_two_places_at_once(demo_db):
    boss = manager(demo_db)
    today = staffing.site_today(demo_db, "lahat")
    start = staffing.week_start(today)
    at_mall = staffing.list_assignments(demo_db, boss, "lahat", start, 7)[0]  # the demo's roster
    event = event_in(demo_db, "ev-staff", starts_on=at_mall.date, ends_on=at_mall.date + timedelta(days=1))
    service.create_mobile_event(demo_db, boss, "lahat", event)
    service.create_counter(demo_db, boss, "ev-staff", CounterIn(number=1, agency="DUKCAPIL", services=["DKC-01"]))

    def assign(day, start, end, officer=at_mall.officer_id):
        return staffing.assign_at_event(demo_db, boss, "ev-staff", staffing.AssignmentIn(
            officer_id=officer, counter=1, date=day, start=start, end=end))

    with pytest.raises(ValidationFailed) as err:  # already at the mall then
        assign(at_mall.date, at_mall.start, at_mall.end)
    assert err.value.field == "officer_id" and err.value.details[0].code == "double_booked"
    assert "dua tempat sekaligus" in err.value.message
    with pytest.raises(ValidationFailed) as err:  # outside the event's dates, and a bad time
        assign(at_mall.date + timedelta(days=5), "9 pagi", "12:00")
    assert {d.field for d in err.value.details} == {"date", "start"}
    other_day = at_mall.date + timedelta(days=1)
    made = assign(other_day, "20:00", "22:00")
    assert made.counter == 1 and made.officer == at_mall.officer
    roster = staffing.event_roster(demo_db, boss, "ev-staff")
    assert [a.id for a in roster.assignments] == [made.id]
    assert any(o.id == at_mall.officer_id for o in roster.officers)
    with pytest.raises(ValidationFailed):  # the same officer twice at the event
        assign(other_day, "21:00", "23:00")
    # The mall's roster refuses the officer while they are at the event.
    mall_counter = at_mall.counter
    with pytest.raises(ValidationFailed) as err:
        staffing.add_assignment(demo_db, boss, "lahat", staffing.AssignmentIn(
            officer_id=at_mall.officer_id, counter=mall_counter, date=other_day, start="21:30", end="23:30"))
    assert err.value.details[0].code == "double_booked"
    staffing.delete_assignment(demo_db, boss, "ev-staff", made.id)
    assert staffing.event_roster(demo_db, boss, "ev-staff").assignments == ()
