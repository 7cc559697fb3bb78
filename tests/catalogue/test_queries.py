"""The catalogue's named reads for other capabilities (catalogue/queries.py), on the demo data."""

import pytest

from satupintu.catalogue import queries, service
from satupintu.errors import NotFound


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
