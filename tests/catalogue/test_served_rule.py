"""The floor set-up rule, on SQLite and PostgreSQL: a service that no open or planned counter of
the site serves is not offered at the kiosk and cannot be booked; counters carry their floor,
location and status; a refused counter names every field at fault and writes nothing."""

from __future__ import annotations

from datetime import date, time

import pytest

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.catalogue.models import CounterStatus, ServiceStatus
from satupintu.catalogue.schemas import CounterIn, ServiceIn
from satupintu.errors import Conflict, ValidationFailed
from satupintu.queueing import service as queue
from tests.conftest import DEMO_PASSWORD
from tests.dayclock import next_local_weekday


def next_weekday() -> date:
    return next_local_weekday()


def _manager(db):
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


def _new_service(db, manager, code="TST-01"):
    """A published Dukcapil service as an import leaves it: no counter serves it yet."""
    catalogue.create_service(db, manager, "lahat", ServiceIn.model_validate(dict(
        code=code, agency="DUKCAPIL", name="Legalisir Dokumen Kependudukan", requirements=["Dokumen asli"],
        procedure=["Ambil antrean", "Serahkan dokumen"], time_value=15, time_unit="minutes", fee=0,
        product="Salinan terlegalisir", complaint_channel="SP4N-LAPOR!")), ServiceStatus.published)
    queue.configure_service_queue(db, manager, "lahat", code, "L", slot_quota=4)


def _kiosk_codes(db, site="lahat", agency="DUKCAPIL"):
    return {s.code for s in queue.kiosk_screen(db, site, instansi=agency).services}


def test_a_service_without_a_counter_is_listed_in_the_catalogue_but_never_at_the_kiosk_or_for_booking(fresh_demo_db):
    """The manager imports a service: the public catalogue shows it and says no counter here
    serves it; the kiosk does not list it, a ticket or a booking for it is refused. A planned
    counter makes it offered; retiring that counter takes it away again."""
    db = fresh_demo_db
    manager = _manager(db)
    _new_service(db, manager)
    kiosk = queue.Issuer(label="kios:lobi", site_id=catalogue.get_site(db, "lahat").id)

    assert "TST-01" in {s.code for s in catalogue.list_services(db, "lahat")}  # the catalogue shows it
    assert catalogue.served_at(db, "lahat", "TST-01") == []
    assert "TST-01" not in _kiosk_codes(db) and "DKC-01" in _kiosk_codes(db)
    with pytest.raises(Conflict) as refused:
        queue.issue_ticket(db, kiosk, "lahat", "TST-01")
    assert (refused.value.code, refused.value.field) == ("not_served", "service")
    with pytest.raises(Conflict) as refused:
        queue.slots(db, "lahat", "TST-01", next_weekday())
    assert refused.value.code == "not_served"
    assert "TST-01" not in {s.code for s in queue.bookable_services(db, "lahat")}

    catalogue.create_counter(db, manager, "lahat", CounterIn(
        number=40, agency="DUKCAPIL", services=["TST-01"], floor="Lantai 2", location="sayap timur",
        status=CounterStatus.planned))
    assert "TST-01" in _kiosk_codes(db)
    ticket = queue.issue_ticket(db, kiosk, "lahat", "TST-01")
    assert ticket.number.startswith("L-") and ticket.service_code == "TST-01"
    assert any(s.available for s in queue.slots(db, "lahat", "TST-01", next_weekday()))
    assert "TST-01" in {s.code for s in queue.bookable_services(db, "lahat")}
    [where] = catalogue.served_at(db, "lahat", "TST-01")
    assert (where.here, where.name, where.floor, where.location) == (True, "Loket 40", "Lantai 2", "sayap timur")

    catalogue.update_counter(db, manager, "lahat", 40, CounterIn(
        number=40, agency="DUKCAPIL", services=["TST-01"], status=CounterStatus.retired))
    assert "TST-01" not in _kiosk_codes(db)
    with pytest.raises(Conflict):
        queue.issue_ticket(db, kiosk, "lahat", "TST-01")
    listed = {c.number: c for c in catalogue.list_counters(db, "lahat")}
    assert listed[40].status is CounterStatus.retired and listed[40].floor == ""


def test_a_mobile_event_counts_its_own_counters_and_the_catalogue_says_where_else_a_service_is(fresh_demo_db):
    """The event's desk for Dukcapil is retired: the mall's Dukcapil counters do not make the
    service offered at the event; the event's catalogue page points to the mall's counters."""
    db = fresh_demo_db
    manager = _manager(db)
    desk = next(c for c in catalogue.list_counters(db, "plaza-lematang") if "DKC-01" in c.services)
    assert "DKC-01" in _kiosk_codes(db, "plaza-lematang")
    catalogue.update_counter(db, manager, "plaza-lematang", desk.number, CounterIn(
        number=desk.number, agency="DUKCAPIL", services=desk.services, status=CounterStatus.retired))
    assert "DKC-01" not in _kiosk_codes(db, "plaza-lematang")
    assert "DKC-01" in _kiosk_codes(db, "lahat")
    event_kiosk = queue.Issuer(label="kios:plaza", site_id=catalogue.get_site(db, "plaza-lematang").id)
    with pytest.raises(Conflict):
        queue.issue_ticket(db, event_kiosk, "plaza-lematang", "DKC-01")
    elsewhere = catalogue.served_at(db, "plaza-lematang", "DKC-01")
    assert elsewhere and {w.site for w in elsewhere} == {"lahat"} and not any(w.here for w in elsewhere)
    mall_counters = {c.number for c in catalogue.list_counters(db, "lahat") if "DKC-01" in c.services}
    assert {w.number for w in elsewhere} == mall_counters
    # An agency without any served service is not shown at the event's kiosk at all.
    others = [c for c in catalogue.list_counters(db, "plaza-lematang") if c.agency_code == "DINKES"]
    for c in others:
        catalogue.update_counter(db, manager, "plaza-lematang", c.number, CounterIn(
            number=c.number, agency="DINKES", services=c.services, status=CounterStatus.retired))
    assert "DINKES" not in {a.code for a in queue.kiosk_screen(db, "plaza-lematang").agencies}


def test_a_refused_counter_names_every_field_at_fault_and_writes_nothing(fresh_demo_db):
    """Number taken, an unknown service and another agency's service: all three refusals come
    back at once, each with its field; the counters are as before."""
    db = fresh_demo_db
    manager = _manager(db)
    before = catalogue.list_counters(db, "lahat")
    taken = before[0].number
    with pytest.raises(ValidationFailed) as refused:
        catalogue.create_counter(db, manager, "lahat", CounterIn(
            number=taken, agency="DUKCAPIL", services=["DKC-01", "DPM-01", "NOPE-9"], floor="Lantai 2"))
    fields = [d.field for d in refused.value.details]
    assert sorted(fields) == ["number", "services", "services"]
    assert any("DPM-01" in d.message for d in refused.value.details)
    assert any("NOPE-9" in d.message for d in refused.value.details)
    with pytest.raises(ValidationFailed) as refused:
        catalogue.create_counter(db, manager, "lahat", CounterIn(number=77, agency="TIDAKADA", services=["DKC-01"]))
    assert [d.field for d in refused.value.details] == ["agency"]
    with pytest.raises(ValidationFailed) as refused:
        catalogue.create_counter(db, manager, "lahat", CounterIn(number=77, agency="DUKCAPIL", services=[]))
    assert [d.field for d in refused.value.details] == ["services"]  # an open counter serves something
    with pytest.raises(ValidationFailed) as refused:
        catalogue.update_counter(db, manager, "lahat", taken, CounterIn(
            number=before[1].number, agency=before[0].agency_code, services=before[0].services, floor="Lantai 9"))
    assert [d.field for d in refused.value.details] == ["number"]
    assert catalogue.list_counters(db, "lahat") == before
    # A planned counter may wait for its services.
    made = catalogue.create_counter(db, manager, "lahat", CounterIn(number=77, agency="DUKCAPIL",
                                                                    status=CounterStatus.planned))
    assert (made.status, made.services, made.agency_name) == (CounterStatus.planned, [], "Dinas Kependudukan dan "
                                                              "Pencatatan Sipil Kabupaten Lahat")


def test_queue_settings_store_the_quota_last_issue_time_and_booking_switch_and_show_shared_letters(fresh_demo_db):
    """Booking off: no slots and the service is not among the bookable ones. The daily quota
    and Dukcapil's 14:00 are stored; giving a Dukcapil service DPMPTSP's letter makes one
    numbering for two agencies, which the groups flag."""
    db = fresh_demo_db
    manager = _manager(db)
    assert "DKC-01" in {s.code for s in queue.bookable_services(db, "lahat")}
    out = queue.configure_service_queue(db, manager, "lahat", "DKC-01", "A", slot_quota=4, booking_enabled=False,
                                        daily_quota=120, last_issue_time=time(14, 0))
    assert (out.booking_enabled, out.daily_quota, out.last_issue_time) == (False, 120, time(14, 0))
    with pytest.raises(Conflict) as refused:
        queue.slots(db, "lahat", "DKC-01", next_weekday())
    assert refused.value.code == "booking_disabled"
    assert "DKC-01" not in {s.code for s in queue.bookable_services(db, "lahat")}
    rows, groups = queue.site_queue_settings(db, manager, "lahat")
    stored = next(r for r in rows if r.service == "DKC-01")
    assert (stored.daily_quota, stored.last_issue_time, stored.booking_enabled) == (120, time(14, 0), False)
    a = next(g for g in groups if g.prefix == "A")
    assert "DKC-01" in a.services and a.agencies == ["DUKCAPIL"] and not a.shared_across_agencies

    queue.configure_service_queue(db, manager, "lahat", "DKC-02", "B")
    groups = queue.site_queue_settings(db, manager, "lahat")[1]
    b = next(g for g in groups if g.prefix == "B")
    assert "DKC-02" in b.services and "DPM-01" in b.services and b.shared_across_agencies
    assert b.agencies == ["DPMPTSP", "DUKCAPIL"]
    assert sorted(code for g in groups for code in g.services) == sorted(r.service for r in rows)

    with pytest.raises(ValidationFailed) as refused:
        queue.configure_service_queue(db, manager, "lahat", "DKC-01", "a1", slot_minutes=1, slot_quota=-1,
                                      daily_quota=-5)
    assert {d.field for d in refused.value.details} == {"prefix", "slot_minutes", "slot_quota", "daily_quota"}
    assert next(r for r in queue.site_queue_settings(db, manager, "lahat")[0]
                if r.service == "DKC-01").daily_quota == 120  # nothing half-saved


def test_the_demo_mall_and_its_event_serve_every_service_they_publish(demo_db):
    """A new user opens the demo: every published service of the mall, and every service the
    mobile event offers, is at the kiosk because a counter (at the event: a desk) serves it."""
    for site in ("lahat", "plaza-lematang"):
        published = {s.code for s in catalogue.list_services(demo_db, site)}
        served = {s.code for s in catalogue.list_services(demo_db, site, served_only=True)}
        assert published and served == published
        assert all(catalogue.served_at(demo_db, site, code)[0].here for code in published)
    desks = catalogue.list_counters(demo_db, "plaza-lematang")
    assert desks and all(c.status is CounterStatus.open for c in desks)
