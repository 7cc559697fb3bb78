"""Agreements (MoU/PKS) and UMKM booths against a real database (SQLite file and PostgreSQL), and
their pure rules directly and with hypothesis: an agency whose agreements have all ended stops
taking online bookings until one is renewed; a booth's rota never has two occupants on a day."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.accounts import service as accounts
from satupintu.catalogue import service
from satupintu.catalogue.agreement_schemas import BoothTurnIn
from satupintu.catalogue.agreements import (
    MAX_FILE_BYTES,
    file_problems,
    in_force,
    lapsed,
    renewal_problems,
    safe_filename,
    sniff_file_type,
)
from satupintu.catalogue.booths import Turn, current_and_next, overlaps, turn_problems
from satupintu.catalogue.models import AgencyKind, ServiceStatus
from satupintu.catalogue.schemas import AgencyIn, AgreementIn, BoothIn, CounterIn, ServiceIn
from satupintu.errors import Conflict, Forbidden, ValidationFailed
from satupintu.queueing import service as queue
from satupintu.queueing.schemas import BookingIn
from satupintu.roles import Role
from satupintu.scope import SYSTEM, Actor
from satupintu.timeutil import to_local, utcnow
from tests.conftest import DEMO_PASSWORD, token_for

DEMO = Path(__file__).resolve().parents[2] / "src" / "satupintu" / "demo" / "lahat.json"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AGENCY = "KEMENAG"
SERVICE = "KMG-01"


def today_at_lahat() -> date:
    return to_local(utcnow(), "Asia/Jakarta").date()


def add_bookable_agency(db) -> None:  # type: ignore[no-untyped-def]
    """A new agency with no agreement recorded and one published, bookable service (KMG-01),
    built from a demo service's standard and served at its own counter (Loket 30)."""
    service.create_agency(db, SYSTEM, "lahat", AgencyIn(
        code=AGENCY, name="Kantor Kementerian Agama Kabupaten Lahat", short_name="Kemenag",
        kind=AgencyKind.vertical_institution))
    base = json.loads(DEMO.read_text())["services"][0]
    base.update(code=SERVICE, agency=AGENCY, name="Pendaftaran Haji Reguler")
    service.create_service(db, SYSTEM, "lahat", ServiceIn.model_validate(base), ServiceStatus.published)
    queue.configure_service_queue(db, SYSTEM, "lahat", SERVICE, "K", slot_minutes=30, slot_quota=4)
    service.create_counter(db, SYSTEM, "lahat", CounterIn(number=30, name="Kemenag", agency=AGENCY,
                                                          services=[SERVICE]))


def bookable_day(db) -> tuple[date, list]:  # type: ignore[no-untyped-def]
    """The first day from tomorrow on with free slots for KMG-01."""
    day = today_at_lahat() + timedelta(days=1)
    for _ in range(14):
        free = [sl for sl in queue.slots(db, "lahat", SERVICE, day) if sl.available > 0]
        if free:
            return day, free
        day += timedelta(days=1)
    raise AssertionError("no bookable day in two weeks")


def manager(db):  # type: ignore[no-untyped-def]
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


def expired_pks(number: str = "PKS/09/MPP-LHT/I/2024") -> AgreementIn:
    return AgreementIn(kind="PKS", number=number, title="Penyelenggaraan Layanan Keagamaan",
                       starts_on=date(2024, 1, 2), ends_on=today_at_lahat() - timedelta(days=1))


# ---------------------------------------------------------------- pure rules

spans = st.lists(st.tuples(st.dates(date(2020, 1, 1), date(2030, 12, 31)),
                           st.integers(0, 2000)).map(lambda p: (p[0], p[0] + timedelta(days=p[1]))), max_size=5)


@given(spans, st.dates(date(2020, 1, 1), date(2031, 12, 31)))
def test_lapsed_means_something_ended_and_nothing_is_in_force(periods, today):
    expected = bool(periods) and any(end < today for _, end in periods) and not any(
        start <= today <= end for start, end in periods)
    assert lapsed(periods, today) is expected
    # Adding an agreement in force today always lifts the lapse (a renewal works at once).
    assert lapsed([*periods, (today, today + timedelta(days=30))], today) is False


def test_an_agency_without_agreements_or_with_only_a_future_one_has_not_lapsed():
    today = date(2026, 12, 2)
    assert lapsed([], today) is False
    assert lapsed([(date(2027, 1, 1), date(2028, 1, 1))], today) is False
    assert lapsed([(date(2024, 1, 1), date(2026, 12, 1))], today) is True  # ended yesterday
    assert lapsed([(date(2024, 1, 1), date(2026, 12, 2))], today) is False  # its last day is today
    assert in_force(date(2026, 12, 2), date(2026, 12, 2), today)


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 3000), st.integers(-400, 400),
       st.integers(0, 3000))
def test_a_renewal_starts_after_the_old_one_ends(old_start, length, gap, new_length):
    old_end = old_start + timedelta(days=length)
    new_start = old_end + timedelta(days=gap)
    problems = renewal_problems(old_start, old_end, new_start, new_start + timedelta(days=new_length))
    assert ("starts_on" in {f for f, _ in problems}) is (gap <= 0)


def test_files_are_told_by_their_content_not_their_name():
    assert sniff_file_type(PDF) == "application/pdf"
    assert sniff_file_type(b"\xff\xd8\xff\xe0" + b"0" * 20) == "image/jpeg"
    assert sniff_file_type(b"\x89PNG\r\n\x1a\n" + b"0" * 20) == "image/png"
    assert sniff_file_type(b"<html><script>alert(1)</script>") is None
    assert file_problems(b"MZ\x90\x00 an exe named scan.pdf")[0][0] == "file"
    assert file_problems(b"") and file_problems(PDF + b"0" * MAX_FILE_BYTES)
    assert file_problems(PDF) == []
    assert safe_filename("C:\\Users\\x\\PKS 2024 <final>.exe", "application/pdf") == "PKS 2024 _final.pdf"


turns = st.lists(st.tuples(st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(0, 40)), max_size=6)


@given(turns, st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(0, 40))
def test_a_rota_accepts_a_turn_only_when_it_shares_no_day(existing, start, length):
    spans_ = [(s, s + timedelta(days=n)) for s, n in existing]
    end = start + timedelta(days=length)
    clash = any(not (end < s or e < start) for s, e in spans_)
    assert bool(turn_problems(start, end, spans_)) is clash
    assert overlaps(start, end, start, end)


def test_today_and_next_turn():
    rota = [Turn(date(2026, 12, 1), date(2026, 12, 7), "Ibu Rina"),
            Turn(date(2026, 12, 15), date(2026, 12, 21), "Pak Ujang"),
            Turn(date(2026, 12, 8), date(2026, 12, 14), "Ibu Sari")]
    now, later = current_and_next(rota, date(2026, 12, 2))
    assert now and now.owner_name == "Ibu Rina" and later and later.owner_name == "Ibu Sari"
    assert current_and_next(rota, date(2026, 11, 1))[0] is None


# ---------------------------------------------------------------- the effect on bookings (both databases)

def test_an_expired_pks_stops_bookings_and_its_renewal_restores_them(fresh_demo_db):
    """What the citizen sees: the agency's service can be booked; once its only PKS has ended the
    slots are refused with the reason; the day the renewal is saved they can book again."""
    db = fresh_demo_db
    add_bookable_agency(db)
    day, free = bookable_day(db)  # no agreement recorded: unaffected
    m = manager(db)
    old = service.add_agreement(db, m, "lahat", AGENCY, expired_pks())
    assert old.state == "expired"
    with pytest.raises(Conflict) as refused:
        queue.slots(db, "lahat", SERVICE, day)
    assert (refused.value.code, refused.value.field) == ("agreement_expired", "service")
    assert "perjanjian kerja sama" in refused.value.message
    with pytest.raises(Conflict) as refused:
        queue.book(db, "lahat", BookingIn(service=SERVICE, slot_start=free[0].start, name="Siti",
                                          phone="081234567890"))
    assert refused.value.code == "agreement_expired"
    page = service.agreements_page(db, m, "lahat")
    assert next(a for a in page.agencies if a.code == AGENCY).lapsed
    assert any(g.number == old.number for _, g in service.agreement_warnings(db, m, "lahat"))
    # Another agency's services are not touched.
    assert [sl for sl in queue.slots(db, "lahat", "DKC-04", day) if sl.available > 0]

    with pytest.raises(ValidationFailed) as bad:  # a renewal must start after the old one ends
        service.renew_agreement(db, m, "lahat", old.id, expired_pks("PKS/10").model_copy(
            update={"starts_on": old.ends_on, "ends_on": old.ends_on + timedelta(days=365)}))
    assert bad.value.details[0].field == "starts_on"
    assert not next(a for a in service.agreements_page(db, m, "lahat").agencies if a.code == AGENCY).rows[1:]
    renewal = service.renew_agreement(db, m, "lahat", old.id, AgreementIn(
        kind="PKS", number="PKS/10/MPP-LHT/XII/2026", starts_on=old.ends_on + timedelta(days=1),
        ends_on=old.ends_on + timedelta(days=3 * 365)))
    assert renewal.renews_id == old.id and renewal.state == "active"
    booked = queue.book(db, "lahat", BookingIn(service=SERVICE, slot_start=free[0].start, name="Siti",
                                               phone="081234567890"))
    assert booked.service_code == SERVICE
    # The renewed agreement leaves the warning panel; renewing it twice is refused.
    assert not any(g.number == old.number for _, g in service.agreement_warnings(db, m, "lahat"))
    with pytest.raises(ValidationFailed) as twice:
        service.renew_agreement(db, m, "lahat", old.id, AgreementIn(
            kind="PKS", number="PKS/11", starts_on=old.ends_on + timedelta(days=1),
            ends_on=old.ends_on + timedelta(days=30)))
    assert "agreement" in {d.field for d in twice.value.details}


def test_a_scan_is_stored_with_its_hash_and_only_staff_of_the_site_download_it(fresh_demo_db):
    db = fresh_demo_db
    m = manager(db)
    agreement = service.add_agreement(db, m, "lahat", "BPJS", AgreementIn(
        kind="PKS", number="PKS/12/MPP-LHT/XII/2026", starts_on=date(2026, 11, 1), ends_on=date(2028, 10, 31)))
    with pytest.raises(ValidationFailed) as bad:
        service.add_agreement_file(db, m, "lahat", agreement.id, "scan.pdf", b"<html>not a pdf</html>")
    assert bad.value.details[0].field == "file"
    stored = service.add_agreement_file(db, m, "lahat", agreement.id, "../../PKS BPJS.pdf", PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.filename == "PKS BPJS.pdf"
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert service.agreement_file(db, m, "lahat", stored.id).data == PDF
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    assert service.agreement_file(db, officer, "lahat", stored.id).data == PDF  # staff of the site read it
    with pytest.raises(Forbidden):
        service.add_agreement_file(db, officer, "lahat", agreement.id, "x.pdf", PDF)  # but do not change it
    outsider = Actor(user_id=None, username="other-mall", role=Role.site_manager, site_id=uuid.uuid4())
    with pytest.raises(Forbidden):
        service.agreement_file(db, outsider, "lahat", stored.id)
    page = service.agreements_page(db, m, "lahat")
    row = next(r for a in page.agencies for r in a.rows if r.agreement.id == agreement.id)
    assert [f.sha256 for f in row.files] == [stored.sha256]


def test_a_booth_rota_refuses_an_overlap_and_the_public_sees_who_is_in_today(fresh_demo_db):
    db = fresh_demo_db
    m = manager(db)
    today = today_at_lahat()
    booth = service.create_booth(db, m, "lahat", BoothIn(name="Gerai Bergilir A", owner_name="Pengelola MPP",
                                                         products="Aneka produk UMKM", location="Lobi, Lantai 1"))
    service.add_booth_turn(db, m, "lahat", booth.id, BoothTurnIn(
        starts_on=today, ends_on=today + timedelta(days=6), owner_name="Ibu Rina", products="Songket Lahat"))
    service.add_booth_turn(db, m, "lahat", booth.id, BoothTurnIn(
        starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=13), owner_name="Pak Ujang"))
    with pytest.raises(ValidationFailed) as clash:
        service.add_booth_turn(db, m, "lahat", booth.id, BoothTurnIn(
            starts_on=today + timedelta(days=6), ends_on=today + timedelta(days=8), owner_name="Ibu Sari"))
    assert clash.value.details[0].field == "starts_on" and clash.value.details[0].code == "overlap"
    row = next(r for r in service.booths_page(db, m, "lahat").booths if r.booth.id == booth.id)
    assert row.today and row.today.owner_name == "Ibu Rina" and row.next and row.next.owner_name == "Pak Ujang"
    assert len(row.turns) == 2  # the refused turn wrote nothing
    public = {b.name: b for b in service.booths_today(db, "lahat")}
    assert public["Gerai Bergilir A"].owner_name == "Ibu Rina"
    assert public["Kopi Bukit Barisan Lahat"].owner_name == "Budi Santoso (demo)"  # no rota: its owner
    assert "Gerai Bergilir A" not in {b.name for b in service.booths_today(db, "lahat", today + timedelta(days=30))}
    edited = service.update_booth(db, m, "lahat", booth.id, BoothIn(
        name="Gerai Bergilir Lobi", owner_name="Pengelola MPP", location="Lobi, Lantai 1"))
    assert edited.name == "Gerai Bergilir Lobi"
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    with pytest.raises(Forbidden):
        service.update_booth(db, officer, "lahat", booth.id, BoothIn(name="X Y", owner_name="Z Z"))


def test_over_http_an_expired_pks_refuses_slots_with_its_code_and_a_renewal_lifts_it(fresh_server):
    """An agency system asking for slots gets 409 agreement_expired naming the field `service`;
    after the manager's renewal through the API the same request answers the day's slots."""
    db = fresh_server.app.state.db
    add_bookable_agency(db)
    day, _ = bookable_day(db)
    with fresh_server.client() as api:
        auth = token_for(api, "pengelola")
        made = api.post(f"/api/v1/sites/lahat/agencies/{AGENCY}/agreements", headers=auth,
                        json=expired_pks().model_dump(mode="json"))
        assert made.status_code == 201 and made.json()["state"] == "expired"
        slots = api.get(f"/api/v1/sites/lahat/services/{SERVICE}/slots", params={"date": day.isoformat()})
        assert slots.status_code == 409
        assert (slots.json()["error"]["code"], slots.json()["error"]["field"]) == ("agreement_expired", "service")
        ended = date.fromisoformat(made.json()["ends_on"])
        early = api.post(f"/api/v1/sites/lahat/agreements/{made.json()['id']}/renewal", headers=auth, json={
            "kind": "PKS", "number": "PKS/13", "starts_on": ended.isoformat(), "ends_on": "2030-01-01"})
        assert early.status_code == 422 and early.json()["error"]["field"] == "starts_on"
        renewed = api.post(f"/api/v1/sites/lahat/agreements/{made.json()['id']}/renewal", headers=auth, json={
            "kind": "PKS", "number": "PKS/13", "starts_on": (ended + timedelta(days=1)).isoformat(),
            "ends_on": "2030-01-01"})
        assert renewed.status_code == 201 and renewed.json()["renews_id"] == made.json()["id"]
        slots = api.get(f"/api/v1/sites/lahat/services/{SERVICE}/slots", params={"date": day.isoformat()})
        assert slots.status_code == 200 and any(s["available"] > 0 for s in slots.json())
