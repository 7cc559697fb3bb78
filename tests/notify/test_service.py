"""Enqueue inside the business transaction, claiming with leases, recording results,
and the development outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from satupintu.notify import service
from satupintu.notify.backoff import Backoff
from satupintu.notify.channels import build_channels
from satupintu.notify.models import Notification, mask_recipient
from satupintu.notify.worker import NotificationWorker
from tests.notify import T0, notify_db, settings  # noqa: F401

POLICY = Backoff(base=10, cap=60, max_attempts=3)


def _count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Notification))


def _enqueue(s, n: int = 0, **kw):
    args = dict(kind="ticket_called", channel="whatsapp", recipient=f"+62812000000{n:02d}",
                subject="Nomor antrean dipanggil", body=f"Nomor antrean A{n:03d} dipanggil ke Loket 1.",
                reference=f"tiket-{n}", now=T0)
    args.update(kw)
    return service.enqueue(s, **args)


def test_no_message_goes_out_when_the_ticket_call_itself_is_rolled_back(notify_db):
    with pytest.raises(RuntimeError):
        with notify_db.write() as s:
            _enqueue(s)
            s.flush()
            raise RuntimeError("the business change failed after enqueueing")
    assert _count(notify_db) == 0
    with notify_db.write() as s:
        nid = _enqueue(s)
    assert _count(notify_db) == 1
    view = service.get_notification(notify_db, nid)
    assert view.status == "pending" and view.attempts == 0 and view.next_attempt_at == T0


def test_a_reminder_scheduled_for_tomorrow_is_not_sent_today(notify_db):
    with notify_db.write() as s:
        _enqueue(s, kind="booking_reminder", not_before=T0 + timedelta(days=1))
    assert service.claim_due(notify_db, T0 + timedelta(hours=23), 10) == []
    assert len(service.claim_due(notify_db, T0 + timedelta(days=1), 10)) == 1


def test_nonsense_requests_are_refused_before_they_reach_the_queue(notify_db):
    with notify_db.write() as s:
        with pytest.raises(ValueError):
            _enqueue(s, channel="pigeon")
        with pytest.raises(ValueError):
            _enqueue(s, recipient="   ")


def test_a_crashed_worker_message_is_sent_by_another_after_the_lease_and_the_late_result_is_ignored(notify_db):
    with notify_db.write() as s:
        nid = _enqueue(s)
    [first] = service.claim_due(notify_db, T0, 10, lease_seconds=120)
    assert first.id == nid and first.attempt == 1
    # While the first worker holds the lease nobody else takes the message.
    assert service.claim_due(notify_db, T0 + timedelta(seconds=119), 10, lease_seconds=120) == []
    [second] = service.claim_due(notify_db, T0 + timedelta(seconds=120), 10, lease_seconds=120)
    assert second.id == nid and second.attempt == 2 and second.lease_token != first.lease_token
    # The first worker wakes up and reports: ignored, the message belongs to the second one now.
    assert service.record_result(notify_db, first, service.SENT, now=T0, policy=POLICY) is None
    assert service.get_notification(notify_db, nid).status == "sending"
    assert service.record_result(notify_db, second, service.Outcome(delivered_via="whatsapp"),
                                 now=T0 + timedelta(seconds=121), policy=POLICY) == "sent"
    view = service.get_notification(notify_db, nid)
    assert view.status == "sent" and view.sent_at == T0 + timedelta(seconds=121)
    assert service.record_result(notify_db, second, service.SENT, now=T0, policy=POLICY) is None


def test_a_message_that_keeps_crashing_its_workers_ends_as_failed(notify_db):
    with notify_db.write() as s:
        nid = _enqueue(s)
    at = T0
    for _ in range(3):
        assert len(service.claim_due(notify_db, at, 10, lease_seconds=60, max_attempts=3)) == 1
        at += timedelta(seconds=60)
    assert service.claim_due(notify_db, at, 10, lease_seconds=60, max_attempts=3) == []
    view = service.get_notification(notify_db, nid)
    assert view.status == "failed" and view.attempts == 3 and "lease expired" in view.last_error


def test_messages_go_out_oldest_first_and_a_batch_is_limited(notify_db):
    with notify_db.write() as s:
        ids = [_enqueue(s, n, now=T0 + timedelta(seconds=10 - n)) for n in range(5)]
    batch = service.claim_due(notify_db, T0 + timedelta(minutes=1), 3)
    assert [m.id for m in batch] == [ids[4], ids[3], ids[2]]


def test_a_stopping_worker_gives_back_what_it_did_not_try(notify_db):
    with notify_db.write() as s:
        nid = _enqueue(s)
    claimed = service.claim_due(notify_db, T0, 10)
    assert service.release(notify_db, claimed, now=T0) == 1
    view = service.get_notification(notify_db, nid)
    assert view.status == "pending" and view.attempts == 0
    assert len(service.claim_due(notify_db, T0, 10)) == 1


def test_stored_errors_never_keep_the_citizens_phone_or_email():
    phone, email = "+62 812-3456-7890", "Siti.Rahma@warga.example"
    for echoed in ("+62 812-3456-7890", "6281234567890", "081234567890", "81234567890"):
        out = service.scrub(f"rejected {echoed} (bad)", phone, mask_recipient(phone))
        assert "34567890" not in out and "rejected" in out
    out = service.scrub("550 siti.rahma@warga.example unknown; user SITI.RAHMA", email, mask_recipient(email))
    assert "siti.rahma" not in out.lower() and "550" in out
    assert len(service.scrub("x" * 5000, phone, "m")) == service.MAX_ERROR


def test_tester_reads_in_the_outbox_what_the_citizen_would_have_received(notify_db):
    with notify_db.write() as s:
        nid = _enqueue(s, 7, channel="email", recipient="budi@warga.example", reference="BK-7Q2M",
                       body="Kode booking Anda: BK-7Q2M.")
        _enqueue(s, 8, channel="sms", recipient="+6281299990000", reference="BK-OTHER")
    channels = build_channels(settings(notify_db, notify_channels="outbox"))
    assert set(channels) == {"email", "whatsapp", "sms", "outbox"}
    counts = NotificationWorker(notify_db, channels, settings(notify_db)).run_once(T0)
    assert counts["sent"] == 2
    [mine] = service.outbox_messages(notify_db, recipient="budi@warga.example")
    assert mine.id == nid and mine.body == "Kode booking Anda: BK-7Q2M." and mine.channel == "email"
    assert mine.recipient == "b***@w***.example" and mine.delivered_via == "outbox"
    assert [m.reference for m in service.outbox_messages(notify_db)] == ["BK-OTHER", "BK-7Q2M"]  # newest first
    assert service.outbox_messages(notify_db, kind="booking_reminder") == []
    assert [v.id for v in service.list_notifications(notify_db, reference="BK-7Q2M")] == [nid]


def test_a_channel_that_is_not_configured_fails_visibly_instead_of_vanishing(notify_db):
    with notify_db.write() as s:
        nid = _enqueue(s, channel="sms")
    channels = build_channels(settings(notify_db, notify_channels="email", smtp_host="127.0.0.1"))
    assert set(channels) == {"email"}
    assert NotificationWorker(notify_db, channels, settings(notify_db)).run_once(T0)["failed"] == 1
    view = service.get_notification(notify_db, nid)
    assert view.status == "failed" and "no channel configured" in view.last_error


def test_unknown_channel_names_in_settings_are_refused_at_start(notify_db):
    with pytest.raises(ValueError, match="pigeon"):
        build_channels(settings(notify_db, notify_channels="email,pigeon"))
    with pytest.raises(ValueError, match="GATEWAY_URL"):
        build_channels(settings(notify_db, notify_channels="whatsapp"))


def test_lists_for_another_site_do_not_show_this_sites_messages(notify_db):
    with notify_db.write() as s:
        nid = _enqueue(s, site_id=None)
    assert service.list_notifications(notify_db, site_id=uuid.uuid4()) == []
    assert [v.id for v in service.list_notifications(notify_db)] == [nid]
