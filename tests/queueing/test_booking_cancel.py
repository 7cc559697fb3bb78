"""A citizen cancels a booking by its code: the seat returns, the data goes, no reminder follows."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from satupintu.catalogue import service as catalogue
from satupintu.errors import Conflict, NotFound
from satupintu.notify import service as notify
from satupintu.notify.models import Notification
from satupintu.queueing import bookings
from satupintu.queueing import service as queue
from satupintu.queueing.models import Booking
from satupintu.queueing.schemas import BookingIn
from tests.queueing.test_bookings import next_weekday, nik


@pytest.fixture
def db(fresh_demo_db):
    return fresh_demo_db


def _fill(db, slot, n, start=200):
    return [bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name=f"Warga {i}",
                                                 nik=nik(start + i))) for i in range(n)]


def _slot(db, index):
    return bookings.slots(db, "lahat", "DKC-01", next_weekday())[index]


def _available(db, slot):
    return [s for s in bookings.slots(db, "lahat", "DKC-01", next_weekday()) if s.start == slot.start][0].available


def test_cancelling_frees_the_seat_so_a_full_slot_becomes_bookable_again(db):
    slot = _slot(db, 4)
    taken = _fill(db, slot, slot.quota)
    assert _available(db, slot) == 0
    with pytest.raises(Conflict) as err:
        _fill(db, slot, 1, start=300)
    assert err.value.code == "slot_full"
    done = queue.cancel_booking(db, taken[0].code.lower())
    assert done.status == "cancelled" and not done.already_cancelled and done.cancelled_at is not None
    assert _available(db, slot) == 1
    _fill(db, slot, 1, start=300)  # someone else takes the seat
    assert _available(db, slot) == 0


def test_cancelling_erases_the_contact_data_and_the_person_may_book_that_day_again(db):
    slot = _slot(db, 5)
    b = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti Aminah",
                                             nik=nik(1), phone="0812 3456 7890", remind=True))
    queue.cancel_booking(db, b.code)
    with db.read() as s:
        row = s.scalar(select(Booking).where(Booking.code == b.code))
        assert (row.name, row.nik_hash, row.phone_hash, row.nik_masked, row.phone_masked, row.notify_to) == (
            "", None, None, "", "", "")
    again = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti Aminah",
                                                 nik=nik(1)))
    assert again.status == "booked"


def test_cancelling_twice_says_it_is_already_cancelled_and_gives_back_one_seat(db):
    slot = _slot(db, 6)
    b = _fill(db, slot, 2)[0]
    first = queue.cancel_booking(db, b.code)
    second = queue.cancel_booking(db, b.code)
    assert not first.already_cancelled and second.already_cancelled and second.status == "cancelled"
    assert second.cancelled_at == first.cancelled_at
    assert _available(db, slot) == slot.quota - 1
    with pytest.raises(NotFound):
        queue.cancel_booking(db, "ZZZZZZZZ")


def _booking_today(db, code, minutes_from_now):
    site = catalogue.get_site(db, "lahat")
    now = datetime.now(UTC)
    with db.write() as s:
        from satupintu.catalogue.models import Service
        from satupintu.queueing.policy import local_day

        svc = s.scalar(select(Service).where(Service.code == "DKC-01"))
        s.add(Booking(site_id=site.id, service_id=svc.id, on_date=local_day(now, "Asia/Jakarta"),
                      slot_start=now + timedelta(minutes=minutes_from_now), code=code, name="Rina", status="booked"))
    return site


def test_a_checked_in_booking_cannot_be_cancelled(db):
    site = _booking_today(db, "CHECKED1", 20)
    queue.check_in(db, queue.Issuer(label="kios:lobi", site_id=site.id), "lahat", "CHECKED1")
    with pytest.raises(Conflict) as err:
        queue.cancel_booking(db, "CHECKED1")
    assert err.value.code == "booking_checked_in" and err.value.field == "code"
    assert "tidak dapat dibatalkan" in err.value.message


def test_a_booking_whose_slot_has_started_cannot_be_cancelled(db):
    _booking_today(db, "STARTED1", -1)
    with pytest.raises(Conflict) as err:
        queue.cancel_booking(db, "STARTED1")
    assert err.value.code == "slot_started" and "sebelum jadwalnya" in err.value.message
    slot = _slot(db, 8)
    b = _fill(db, slot, 1)[0]
    with pytest.raises(Conflict):
        queue.cancel_booking(db, b.code, now=slot.start)  # at the slot's start it is too late
    assert queue.cancel_booking(db, b.code, now=slot.start - timedelta(seconds=1)).status == "cancelled"


def test_the_reminder_carries_the_cancel_link_and_is_not_sent_after_cancelling(db):
    slot = _slot(db, 9)
    b = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti",
                                             phone="0812 1111 2222", remind=True))
    with db.read() as s:
        reminder = s.scalar(select(Notification).where(Notification.reference == b.code))
        assert re.search(rf"Batalkan: https?://\S+/pesan/{b.code}/batal$", reminder.body)
    queue.cancel_booking(db, b.code)
    with db.read() as s:
        reminder = s.scalar(select(Notification).where(Notification.reference == b.code))
        assert reminder.status == "cancelled" and reminder.recipient == ""
    # Even when the reminder falls due, no worker gets it.
    assert notify.claim_due(db, slot.start, 100) == []


def test_api_cancels_by_code_and_answers_machine_readable_errors(fresh_server):
    with fresh_server.client() as c:
        slots = c.get("/api/v1/sites/lahat/services/DKC-04/slots", params={"date": next_weekday().isoformat()}).json()
        booked = c.post("/api/v1/sites/lahat/bookings", json={"service": "DKC-04", "slot_start": slots[2]["start"],
                                                               "name": "Dewi", "phone": "081234567890"}).json()
        first = c.post(f"/api/v1/bookings/{booked['code']}/cancel")
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "cancelled" and first.json()["already_cancelled"] is False
        assert first.json()["name"] == "" and "081234567890" not in first.text
        again = c.post(f"/api/v1/bookings/{booked['code']}/cancel")
        assert again.status_code == 200 and again.json()["already_cancelled"] is True
        missing = c.post("/api/v1/bookings/ZZZZZZZZ/cancel")
        assert missing.status_code == 404 and missing.json()["error"]["field"] == "code"
        after = c.get("/api/v1/sites/lahat/services/DKC-04/slots", params={"date": next_weekday().isoformat()})
        assert after.json()[2]["booked"] == 0


def test_cancel_page_asks_first_then_says_the_booking_is_cancelled(fresh_server):
    with fresh_server.client() as c:
        slots = c.get("/api/v1/sites/lahat/services/DKC-04/slots", params={"date": next_weekday().isoformat()}).json()
        code = c.post("/api/v1/sites/lahat/bookings", json={"service": "DKC-04", "slot_start": slots[3]["start"],
                                                             "name": "Dewi", "nik": "1603015505900001"}).json()["code"]
        done = c.get(f"/pesan/{code}")
        assert f'href="/pesan/{code}/batal"' in done.text and "Batalkan pemesanan" in done.text
        ask = c.get(f"/pesan/{code}/batal")
        assert ask.status_code == 200 and "Batalkan pemesanan?" in ask.text and "Ya, batalkan pemesanan" in ask.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', ask.text).group(1)
        assert c.post(f"/pesan/{code}/batal", data={"csrf": "salah"}).status_code == 403
        ok = c.post(f"/pesan/{code}/batal", data={"csrf": csrf})
        assert ok.status_code == 303 and ok.headers["location"] == f"/pesan/{code}/batal"
        result = c.get(ok.headers["location"])
        assert "Pemesanan dibatalkan" in result.text and "Ya, batalkan" not in result.text
        assert "Pemesanan dibatalkan" in c.get(f"/pesan/{code}").text
