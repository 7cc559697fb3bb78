"""Online bookings: slots from opening hours, no duplicate per person, never overbooked."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from satupintu.catalogue import service as catalogue
from satupintu.errors import Conflict, DomainError, ValidationFailed
from satupintu.queueing import bookings
from satupintu.queueing import service as queue
from satupintu.queueing.models import Ticket
from satupintu.queueing.policy import Channel
from satupintu.queueing.schemas import BookingIn
from tests.dayclock import next_local_weekday, restore_demo_hours


def next_weekday() -> date:
    return next_local_weekday()


@pytest.fixture
def db(fresh_demo_db):
    return fresh_demo_db


def nik(i: int) -> str:
    """A valid NIK (Kabupaten Muara Enim, born 12-08-1985) with serial i."""
    return f"160301120885{i:04d}"


def test_slots_follow_the_opening_hours_and_quota(db):
    restore_demo_hours(db)
    day = next_weekday()
    slots = bookings.slots(db, "lahat", "DKC-01", day)
    assert len(slots) == 14  # 08:00-15:00 in 30-minute slots
    assert all(s.quota == 4 and s.available == 4 for s in slots)
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    assert bookings.slots(db, "lahat", "DKC-01", saturday) == []
    with pytest.raises(Conflict) as err:
        bookings.slots(db, "lahat", "KES-01", day)  # this service takes no bookings
    assert err.value.code == "booking_disabled"


def test_a_booking_masks_personal_data_and_refuses_a_second_one_that_day(db):
    slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[2]
    b = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti Aminah",
                                             nik=nik(1), phone="0812-3456-7890"))
    assert len(b.code) == 8 and b.nik_masked == "************0001" and b.phone_masked == "0812*****890"
    assert nik(1) not in b.model_dump_json()
    other_slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[5]
    for same_person in ({"nik": nik(1)}, {"phone": "+62 812 3456 7890"}):
        with pytest.raises(Conflict) as err:
            bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=other_slot.start, name="Siti",
                                                 **same_person))
        assert err.value.code == "duplicate_booking"
    # The same person may book another service the same day.
    bookings.book(db, "lahat", BookingIn(service="DKC-04", slot_start=other_slot.start, name="Siti", nik=nik(1)))


def test_bad_booking_input_names_the_field(db):
    slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[0]
    for data, field in [({"nik": "123"}, "nik"), ({"nik": "1603011213850001"}, "nik"),  # 13th month
                        ({"phone": "12345"}, "phone"), ({}, "nik"), ({"nik": nik(3), "remind": True}, "phone")]:
        with pytest.raises(ValidationFailed) as err:
            bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Budi", **data))
        assert err.value.field == field
    with pytest.raises(ValidationFailed) as err:
        bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start + timedelta(minutes=7),
                                             name="Budi", nik=nik(2)))
    assert err.value.field == "slot_start"


def test_concurrent_bookings_never_exceed_the_quota(db):
    slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[3]

    def attempt(i: int) -> str:
        try:
            bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name=f"Warga {i}",
                                                 nik=nik(100 + i)))
            return "ok"
        except DomainError as exc:
            return exc.code

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert outcomes.count("ok") == 4 and set(outcomes) == {"ok", "slot_full"}
    assert [s for s in bookings.slots(db, "lahat", "DKC-01", next_weekday()) if s.start == slot.start][0].booked == 4


def test_check_in_turns_a_booking_into_a_ticket_called_at_its_slot(db):
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios:lobi", site_id=site.id)
    now = datetime.now(UTC)
    with db.write() as s:  # a booking for a slot later today, made directly (slots already past are closed)
        from sqlalchemy import select

        from satupintu.catalogue.models import Service
        from satupintu.queueing.models import Booking

        svc = s.scalar(select(Service).where(Service.code == "DKC-01"))
        from satupintu.queueing.policy import local_day

        s.add(Booking(site_id=site.id, service_id=svc.id, on_date=local_day(now, "Asia/Jakarta"),
                      slot_start=now + timedelta(minutes=20), code="TESTCODE", name="Rina", nik_hash=None,
                      phone_hash=None, status="booked"))
    t = bookings.check_in(db, kiosk, "lahat", "testcode")
    assert t.channel is Channel.booking and t.number.startswith("A-")
    with db.read() as s:
        ready = s.get(Ticket, t.id).ready_at
    assert abs((ready - (now + timedelta(minutes=20))).total_seconds()) < 1  # waits for its slot
    with pytest.raises(Conflict) as err:
        bookings.check_in(db, kiosk, "lahat", "TESTCODE")
    assert err.value.code == "already_checked_in"


def test_booking_page_from_slots_to_code_and_qr(fresh_server):
    import re

    day = next_weekday().isoformat()
    with fresh_server.client() as c:
        page = c.get("/mpp/lahat/pesan", params={"layanan": "DKC-04", "tanggal": day})
        assert page.status_code == 200 and "Pesan antrean daring" in page.text
        slot = re.search(r'name="slot" value="([^"]+)"', page.text).group(1)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        bad = c.post("/mpp/lahat/pesan", data={"csrf": csrf, "layanan": "DKC-04", "slot": slot, "name": "Dewi",
                                                "nik": "123"})
        assert bad.status_code == 422 and 'id="nik-error"' in bad.text and "NIK harus 16 digit" in bad.text
        ok = c.post("/mpp/lahat/pesan", data={"csrf": csrf, "layanan": "DKC-04", "slot": slot, "name": "Dewi",
                                               "nik": "1603015505900001"})
        assert ok.status_code == 303
        done = c.get(ok.headers["location"])
        assert "Pemesanan berhasil" in done.text and "<svg" in done.text
        assert "1603015505900001" not in done.text and "************0001" in done.text
        weekend = c.get("/mpp/lahat/pesan", params={"layanan": "DKC-04", "tanggal": "2026-11-29"})
        assert "Tidak ada slot tersisa" in weekend.text


def test_a_citizen_who_asks_is_reminded_the_day_before_and_told_when_called(db):
    from sqlalchemy import select

    from satupintu.accounts import service as accounts
    from satupintu.notify.models import Notification
    from tests.conftest import DEMO_PASSWORD

    slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[6]
    b = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti",
                                             phone="0812 1111 2222", remind=True))
    with db.read() as s:
        reminder = s.scalar(select(Notification).where(Notification.reference == b.code))
        assert reminder.kind == "booking_reminder" and b.code in reminder.body
        assert reminder.next_attempt_at < slot.start  # 16:00 the day before, or two hours before the slot
        assert reminder.recipient_masked == "0812*****222"
    # Today's booking, checked in and called: the citizen gets a message naming the counter.
    site = catalogue.get_site(db, "lahat")
    now = datetime.now(UTC)
    with db.write() as s:
        from satupintu.catalogue.models import Service
        from satupintu.queueing.models import Booking
        from satupintu.queueing.policy import local_day

        svc = s.scalar(select(Service).where(Service.code == "DKC-01"))
        s.add(Booking(site_id=site.id, service_id=svc.id, on_date=local_day(now, "Asia/Jakarta"),
                      slot_start=now - timedelta(minutes=1), code="CALLME01", name="Rina", status="booked",
                      notify_to="081233334444"))
    t = bookings.check_in(db, queue.Issuer(label="kios", site_id=site.id), "lahat", "CALLME01")
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    queue.open_counter(db, officer, "lahat", 4)
    called = queue.call_next(db, officer, "lahat", 4)
    assert called.id == t.id
    with db.read() as s:
        msg = s.scalar(select(Notification).where(Notification.kind == "ticket_called"))
        assert msg.reference == t.number and "Loket 4" in msg.body and msg.recipient_masked == "0812*****444"


def test_no_reminder_is_queued_for_a_citizen_who_did_not_ask(db):
    from sqlalchemy import func, select

    from satupintu.notify.models import Notification

    slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[7]
    bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Budi", phone="081255556666"))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Notification)) == 0
