"""Contact data at rest, on SQLite and PostgreSQL: phone numbers and e-mail addresses of
bookings, applications, the notification outbox and complaints are unreadable in the database
(encrypted with the data key), still reach the citizen, and are erased once no message can
follow. Migration 0010 converts rows written in the clear before it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from satupintu import secretbox
from satupintu.applications import service as apps
from satupintu.applications.models import Application
from satupintu.catalogue import service as catalogue
from satupintu.catalogue.models import Service
from satupintu.config import Settings, get_settings
from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.feedback import complaint_service
from satupintu.feedback.complaint_schemas import ComplaintIn
from satupintu.feedback.models import Complaint
from satupintu.migrate import alembic_config, upgrade
from satupintu.notify import service as notify
from satupintu.notify.channels import build_channels
from satupintu.notify.models import Notification
from satupintu.notify.worker import NotificationWorker
from satupintu.queueing import bookings
from satupintu.queueing.models import Booking
from satupintu.queueing.policy import local_day
from satupintu.queueing.schemas import BookingIn
from tests.applications.test_application_service import opened
from tests.conftest import DEMO_PASSWORD
from tests.queueing.test_bookings import next_weekday

PLAIN = ["081211112222", "0812 1111 2222", "081234567890", "0812-3456-7890", "siti.aminah", "081355556666",
         "0813-5555-6666"]
COLUMNS = [("bookings", "notify_to"), ("applications", "phone"), ("applications", "email"),
           ("notifications", "recipient"), ("complaints", "reporter_contact")]


def _raw(db: Database) -> dict[tuple[str, str], list[str]]:
    """What someone reading the database files or a backup sees in the contact columns."""
    with db.engine.connect() as conn:
        return {(table, column): [v for (v,) in conn.execute(text(f"SELECT {column} FROM {table}"))]
                for table, column in COLUMNS}


def _worker(db: Database) -> NotificationWorker:
    settings = Settings(database_url=db.url, secret_key="uji", notify_channels="outbox")
    return NotificationWorker(db, build_channels(settings), settings, housekeeping=[bookings.forget_past_contacts])


@pytest.fixture
def db(bare_demo_db):
    return bare_demo_db


def test_phones_and_email_are_unreadable_in_the_database_yet_the_citizen_gets_the_messages(db):
    # A slot far enough ahead that its reminder is still to come (the test demo is open all day,
    # so tomorrow's first slots can be minutes away when the suite runs near midnight WIB).
    soon = datetime.now(UTC) + timedelta(hours=3)
    slot = next(s for s in bookings.slots(db, "lahat", "DKC-01", next_weekday()) if s.start > soon)
    booked = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti",
                                                  phone="0812 1111 2222", remind=True))
    _, application = opened(db, phone="0812-3456-7890", email="siti.aminah@warga.example", notify=True)
    complaint_service.file_complaint(db, "lahat", ComplaintIn(
        title="Kursi rusak", body="Kursi ruang tunggu banyak yang patah.", reporter_name="Siti",
        reporter_contact="0813-5555-6666"), "web")

    raw = _raw(db)
    stored = [v for values in raw.values() for v in values if v]
    assert stored and all(secretbox.is_token(v) for v in stored)
    assert not [v for v in stored for p in PLAIN if p in v]

    with db.read() as s:  # the application reads them back as given
        assert s.scalar(select(Booking.notify_to).where(Booking.code == booked.code)) == "081211112222"
        app = s.scalar(select(Application).where(Application.tracking_number == application.tracking_number))
        assert (app.phone, app.email) == ("081234567890", "siti.aminah@warga.example")
        assert s.scalar(select(Complaint.reporter_contact)) == "0813-5555-6666"

    # The application's message goes out to the real address, which is then erased.
    counts = _worker(db).run_once()
    assert counts["sent"] == 2  # sms + e-mail of the application; the reminder waits for the day before
    [sms] = notify.outbox_messages(db, recipient="081234567890")  # still found by address, through its hash
    assert sms.reference == application.tracking_number and sms.recipient == "0812*****890"
    with db.read() as s:
        sent = s.scalars(select(Notification).where(Notification.status == "sent")).all()
        assert sent and all(n.recipient == "" for n in sent)
        waiting = s.scalar(select(Notification).where(Notification.reference == booked.code))
        assert waiting.status == "pending" and waiting.recipient == "081211112222"


def test_an_applications_contact_is_erased_when_it_reaches_its_last_state(db):
    officer, out = opened(db, phone="0812-3456-7890", email="siti.aminah@warga.example", notify=True)
    app_id = out.application.id
    for action in ("verifikasi", "proses", "selesaikan"):
        apps.take_action(db, officer, "lahat", app_id, action)
    with db.read() as s:  # ready for collection: a later message may still need the number
        assert s.get(Application, app_id).phone == "081234567890"
    view = apps.take_action(db, officer, "lahat", app_id, "serahkan")
    assert view.state == "diambil"
    with db.read() as s:
        app = s.get(Application, app_id)
        assert (app.phone, app.email) == ("", "")
        last = s.scalars(select(Notification).where(Notification.reference == out.tracking_number)
                         .order_by(Notification.created_at.desc())).first()
        assert last.recipient in ("081234567890", "siti.aminah@warga.example")  # the last message still goes
    _worker(db).run_once()
    raw = _raw(db)
    assert not any(raw[("applications", "phone")] + raw[("applications", "email")]
                   + raw[("notifications", "recipient")])


def test_a_bookings_phone_is_erased_by_the_worker_once_its_day_is_over(db):
    site = catalogue.get_site(db, "lahat")
    now = datetime.now(UTC)
    today = local_day(now, site.timezone)
    with db.write() as s:
        svc = s.scalar(select(Service).where(Service.code == "DKC-01"))
        for code, day, phone in (("PAST0001", today - timedelta(days=1), "081200000001"),
                                 ("TODAY001", today, "081200000002")):
            s.add(Booking(site_id=site.id, service_id=svc.id, on_date=day, slot_start=now, code=code, name="Rina",
                          status="booked", notify_to=phone))
    _worker(db).keep_house()
    with db.read() as s:
        left = dict(s.execute(select(Booking.code, Booking.notify_to)
                              .where(Booking.code.in_(["PAST0001", "TODAY001"]))).all())
    assert left == {"PAST0001": "", "TODAY001": "081200000002"}  # today's may still hear "you are called"


def test_a_message_that_failed_for_good_keeps_no_address(db):
    with db.write() as s:
        notify.enqueue(s, kind="ticket_called", channel="whatsapp", recipient="+6281355556666", subject="x",
                       body="Nomor A-001 dipanggil.", reference="A-001")
    settings = Settings(database_url=db.url, secret_key="uji", notify_channels="outbox,sms")
    NotificationWorker(db, {}, settings).run_once()  # no channel configured for whatsapp: failed at once
    with db.read() as s:
        row = s.scalar(select(Notification).where(Notification.reference == "A-001"))
        assert row.status == "failed" and row.recipient == "" and row.recipient_masked == "+628*******666"


def test_data_keys_rotate_newest_first_and_the_key_derived_from_the_secret_stays_readable(monkeypatch):
    base = get_settings()
    old_token = secretbox.encrypt("081234567890")  # under the key derived from the secret key
    first, second = secretbox.new_key(), secretbox.new_key()
    monkeypatch.setattr(secretbox, "get_settings", lambda: base.model_copy(update={"data_keys": second}))
    token_b = secretbox.encrypt("081234567890")
    assert Fernet(second.encode()).decrypt(token_b.encode()) == b"081234567890"  # the configured key encrypts
    assert secretbox.decrypt(old_token) == "081234567890"  # rows from before still open
    monkeypatch.setattr(secretbox, "get_settings", lambda: base.model_copy(update={"data_keys": f"{first},{second}"}))
    assert secretbox.decrypt(token_b) == "081234567890"
    rotated = secretbox.rotate(token_b)
    assert Fernet(first.encode()).decrypt(rotated.encode()) == b"081234567890"
    with pytest.raises(ValueError):
        secretbox.keyring("bukan-kunci", base.secret_key)


def test_a_value_no_key_opens_reads_as_empty_instead_of_breaking_the_page():
    stranger = Fernet(Fernet.generate_key()).encrypt(b"081234567890").decode()
    assert secretbox.EncryptedText().process_result_value(stranger, None) == ""
    assert secretbox.EncryptedText().process_bind_param("", None) == ""


def test_migration_0010_encrypts_contacts_written_in_the_clear_and_erases_settled_ones(backend):
    url = backend.new_url()
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD, history=False)
    command.downgrade(alembic_config(url), "0009")  # as the database was before this revision
    with db.engine.begin() as conn:
        site_id, service_id = conn.execute(text("SELECT site_id, id FROM services WHERE code = 'DKC-01'")).one()
        agency_id = conn.execute(text("SELECT agency_id FROM services WHERE id = :s"), {"s": service_id}).scalar()
        now = datetime.now(UTC).replace(tzinfo=None)
        conn.execute(text("DELETE FROM notifications"))
        conn.execute(text(
            "INSERT INTO bookings (id, site_id, service_id, on_date, slot_start, code, name, nik_masked, "
            "phone_masked, notify_to, status, created_at) VALUES (:id, :site, :svc, :day, :now, 'OLDBOOK1', 'Rina', "
            "'', '0812*****222', '081211112222', 'booked', :now)"),
            {"id": _id(db, 1), "site": site_id, "svc": service_id, "day": now.date(), "now": now})
        for i, (status, to) in enumerate((("pending", "081234567890"), ("sent", "siti.aminah@warga.example"))):
            conn.execute(text(
                "INSERT INTO notifications (id, kind, channel, recipient, recipient_masked, subject, body, reference,"
                " status, attempts, next_attempt_at, created_at) VALUES (:id, 'application', 'sms', :to, 'x', '', "
                "'b', :ref, :status, 0, :now, :now)"),
                {"id": _id(db, 10 + i), "to": to, "ref": f"OLD-{i}", "status": status, "now": now})
        conn.execute(text(
            "INSERT INTO complaints (id, site_id, tracking_code, channel, kind, privacy, severity, title, body, "
            "reporter_name, reporter_contact, state, received_at, verify_due_at, answer, reason) VALUES "
            "(:id, :site, 'ADU-OLD00001', 'web', 'pengaduan', 'normal', 'sedang', 'Judul', 'Isi aduan lama', 'Ani',"
            " '0813-5555-6666', 'diterima', :now, :now, '', '')"), {"id": _id(db, 20), "site": site_id, "now": now})
        for i, closed in enumerate((None, now)):
            conn.execute(text(
                "INSERT INTO applications (id, site_id, agency_id, service_id, tracking_number, applicant_name, "
                "nik_hash, nik_masked, phone, email, notify, state, origin_state, received_at, closed_at) VALUES "
                "(:id, :site, :agency, :svc, :num, 'Siti', 'h', 'm', '0812-3456-7890', 'siti.aminah@warga.example', "
                ":t, 'diterima', '', :now, :closed)"),
                {"id": _id(db, 30 + i), "site": site_id, "agency": agency_id, "svc": service_id,
                 "num": f"PRM-OLD{i}", "t": True, "now": now, "closed": closed})
    assert any("081211112222" in v for v in _raw(db)[("bookings", "notify_to")])  # in the clear before 0010

    upgrade(url)
    stored = [v for values in _raw(db).values() for v in values if v]
    assert stored and all(secretbox.is_token(v) for v in stored)
    assert not [v for v in stored for p in PLAIN if p in v]
    with db.read() as s:
        assert s.scalar(select(Booking.notify_to).where(Booking.code == "OLDBOOK1")) == "081211112222"
        assert s.scalar(select(Complaint.reporter_contact).where(Complaint.tracking_code == "ADU-OLD00001")) \
            == "0813-5555-6666"
        phones = dict(s.execute(select(Application.tracking_number, Application.phone)
                                .where(Application.tracking_number.like("PRM-OLD%"))).all())
        assert phones == {"PRM-OLD0": "0812-3456-7890", "PRM-OLD1": ""}  # a closed one keeps no contact
        outbox = dict(s.execute(select(Notification.reference, Notification.recipient)).all())
        assert outbox == {"OLD-0": "081234567890", "OLD-1": ""}  # a sent one keeps no address
    assert [m.reference for m in notify.list_notifications(db, recipient="siti.aminah@warga.example")] == ["OLD-1"]
    db.dispose()


def _id(db: Database, n: int) -> object:
    """A fixed record id, bound as each backend stores a UUID column."""
    value = uuid.UUID(int=n)
    return value.hex if db.dialect == "sqlite" else value
