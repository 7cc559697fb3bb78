"""The catalogue's named read queries, as other capabilities see them: plain values."""

from __future__ import annotations

from datetime import date

import pytest

from satupintu.catalogue import queries, service
from satupintu.catalogue import service as catalogue
from satupintu.errors import NotFound
from tests.dayclock import restore_demo_hours


def test_agencies_and_counters_of_a_site_come_as_plain_values_in_order(demo_db):
    site = catalogue.get_site(demo_db, "lahat")
    with demo_db.read() as s:
        agencies = catalogue.site_agencies(s, site.id)
        dukcapil = catalogue.agency_by_code(s, site.id, "DUKCAPIL")
        unknown = catalogue.agency_by_code(s, site.id, "dukcapil")  # exact code: callers normalise
        counters = catalogue.site_counters(s, site.id)
        four = catalogue.counter_by_number(s, site.id, 4)
        missing = catalogue.counter_by_number(s, site.id, 999)
        services = catalogue.counter_service_codes(s, [c.id for c in counters])
        codes = catalogue.agency_service_codes(s, dukcapil.id) if dukcapil else set()
    assert [a.code for a in agencies] == sorted(a.code for a in agencies)
    assert dukcapil in agencies and unknown is None and missing is None
    assert [c.number for c in counters] == sorted(c.number for c in counters)
    assert four in counters and four.agency_code == "DUKCAPIL" and four.agency_id == dukcapil.id
    shown = {c.number: c.services for c in catalogue.list_counters(demo_db, "lahat")}
    assert {c.number: sorted(services.get(c.id, [])) for c in counters} == shown
    assert set(shown[4]) <= codes and all(code.startswith("DKC-") for code in codes)


def test_service_codes_name_each_service_and_its_agency(demo_db):
    ids = {code: catalogue.get_service(demo_db, "lahat", code).id for code in ("DKC-01", "DPM-01")}
    with demo_db.read() as s:
        found = catalogue.service_codes(s, [ids["DKC-01"], ids["DPM-01"], ids["DKC-01"]])
        none = catalogue.service_codes(s, [])
    assert found == {ids["DKC-01"]: ("DKC-01", "DUKCAPIL"), ids["DPM-01"]: ("DPM-01", "DPMPTSP")}
    assert found[ids["DPM-01"]].agency_code == "DPMPTSP" and none == {}


def test_opening_minutes_follow_the_weekday_hours_and_the_closed_dates(fresh_demo_db):
    demo_db = fresh_demo_db
    restore_demo_hours(demo_db)  # the demo's real week (tests load it open all day): closed on Sunday
    site = catalogue.get_site(demo_db, "lahat")
    closed = site.closed_dates[0].date
    monday = date(2026, 1, 12)
    with demo_db.read() as s:
        weekday = catalogue.site_weekday_opening_minutes(s, site.id, 0)
        sunday = catalogue.site_weekday_opening_minutes(s, site.id, 6)
        on_monday = catalogue.site_opening_minutes(s, site.id, monday)
        on_closed = catalogue.site_opening_minutes(s, site.id, closed)
        closed_days = catalogue.closed_dates(s, [site.id])
    opens, closes = site.opening_hours["mon"]
    assert weekday == (int(opens[:2]) * 60 + int(opens[3:]), int(closes[:2]) * 60 + int(closes[3:]))
    assert sunday is None and on_monday == weekday
    assert on_closed is None and closed in closed_days
    assert sorted(closed_days) == sorted(c.date for c in site.closed_dates)



def test_a_site_is_read_by_code_or_id_as_plain_facts(demo_db):
    with demo_db.read() as s:
        site = queries.require_site(s, "lahat")
        assert queries.site_by_code(s, "lahat") == queries.site(s, site.id) == site
        assert site.name == "MPP Kabupaten Lahat" and site.timezone == "Asia/Jakarta"
        assert site.parent_site_id is None and site.home_id == site.id and site.ref.id == site.id
        event = queries.require_site(s, "plaza-lematang")
        assert event.parent_site_id == site.id and event.home_id == site.id
        assert queries.site_by_code(s, "nowhere") is None
        with pytest.raises(NotFound) as caught:
            queries.require_site(s, "nowhere")
        assert caught.value.field == "site"


def test_services_and_agencies_are_found_at_the_home_site(demo_db):
    code = service.list_services(demo_db, "lahat")[0].code
    with demo_db.read() as s:
        home = queries.require_site(s, "plaza-lematang").home_id
        svc = queries.service_by_code(s, home, code)
        assert svc is not None and svc.code == code and queries.service(s, svc.id) == svc
        assert queries.services(s, {svc.id}) == {svc.id: svc} and queries.services(s, set()) == {}
        agency = queries.agency(s, svc.agency_id)
        assert agency is not None and queries.agency_by_code(s, home, agency.code) == agency
        assert queries.agency_codes(s, home)[agency.id] == agency.code
        assert queries.agency_names(s, [agency.id]) == {agency.id: agency.name}
        assert queries.first_agency_id_with_code(s, agency.code) == agency.id
        assert svc.id in queries.service_ids_of_agency(s, agency.id)
        assert queries.service_by_code(s, home, "NO-SUCH") is None


def test_a_mobile_event_without_its_own_hours_keeps_its_malls(demo_db):
    with demo_db.read() as s:
        mall = queries.require_site(s, "lahat")
        hours = queries.opening_hours(s, mall.id)
        assert hours and 0 in hours
        assert queries.opening_hours(s, mall.id, None) == hours
        assert isinstance(queries.closed_dates(s, [mall.id]), list)
def test_the_queue_reads_counters_and_offered_services_as_plain_facts(demo_db):
    """What the queue's cache loads: a counter by id with its services and agency short name, the
    counters serving a service, an offered service by code (an event offers only its choice),
    and every site's time zone."""
    site = catalogue.get_site(demo_db, "lahat")
    event = catalogue.get_site(demo_db, "plaza-lematang")
    with demo_db.read() as s:
        mall, ev = catalogue.require_site(s, "lahat"), catalogue.require_site(s, "plaza-lematang")
        four = catalogue.counter_by_number(s, site.id, 4)
        assert four is not None
        by_id = catalogue.counter(s, four.id)
        served = catalogue.counter_service_ids(s, four.id)
        serving = catalogue.counter_ids_serving(s, served[0])
        number = catalogue.counter_number(s, four.id)
        dkc = catalogue.published_offered_service(s, mall, "dkc-01")
        at_event = catalogue.published_offered_service(s, ev, "DKC-01")
        not_at_event = catalogue.published_offered_service(s, ev, "SAM-01")
        shorts = catalogue.service_agency_short_names(s, served)
        served_codes = {catalogue.service(s, sid).code for sid in served}
        zones = dict(catalogue.site_timezones(s))
    assert by_id == four and number == 4 and four.id in serving
    assert four.agency_short_name and set(shorts.values()) == {four.agency_short_name}
    assert served_codes == set(next(c.services for c in catalogue.list_counters(demo_db, "lahat") if c.number == 4))
    assert dkc is not None and dkc.code == "DKC-01" and at_event is not None and at_event.id == dkc.id
    assert not_at_event is None and not mall.is_event and ev.is_event and ev.starts_on == event.starts_on
    assert zones[site.id] == site.timezone and zones[event.id] == event.timezone
