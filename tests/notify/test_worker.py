"""The background worker: retries with backoff, gives up after the last attempt, never
sends one message twice with several workers, runs in a thread, logs without personal data."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select
from structlog.testing import capture_logs

from satupintu.db import Database
from satupintu.notify import service
from satupintu.notify.backoff import base_delay
from satupintu.notify.channels import OutgoingMessage, TransientSendError
from satupintu.notify.models import Notification
from satupintu.notify.worker import NotificationWorker
from satupintu.timeutil import utcnow
from tests.notify import T0, RecordingChannel, notify_db, settings  # noqa: F401

PHONE = "+6281377778888"


class DownProvider:
    """A provider that is down the whole time; counts the attempts."""

    name = "whatsapp"

    def __init__(self) -> None:
        self.attempts: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> None:
        self.attempts.append(message)
        raise TransientSendError(f"gateway HTTP 503 for {message.recipient}")  # careless provider text


class BuggyChannel:
    name = "whatsapp"

    def send(self, message: OutgoingMessage) -> None:
        raise KeyError("a bug in the channel")


def _enqueue(db: Database, n: int = 1, recipient: str = PHONE) -> list:
    with db.write() as s:
        return [service.enqueue(s, kind="ticket_called", channel="whatsapp", recipient=recipient,
                                subject="Nomor antrean dipanggil", body=f"Nomor antrean A{i:03d} dipanggil.",
                                reference=f"tiket-{i}", now=T0) for i in range(n)]


def test_citizen_message_is_retried_with_growing_waits_then_marked_failed_after_the_last_attempt(notify_db):
    [nid] = _enqueue(notify_db)
    provider = DownProvider()
    cfg = settings(notify_db, notify_max_attempts=4, notify_backoff_base_seconds=10, notify_backoff_cap_seconds=25)
    worker = NotificationWorker(notify_db, {"whatsapp": provider}, cfg)
    now, waits = T0, []
    for attempt in range(1, 5):
        counts = worker.run_once(now)
        view = service.get_notification(notify_db, nid)
        assert view.attempts == attempt and len(provider.attempts) == attempt
        if attempt < 4:
            assert counts["retry"] == 1 and view.status == "pending"
            wait = (view.next_attempt_at - now).total_seconds()
            assert base_delay(attempt, worker.backoff) * 0.8 <= wait <= base_delay(attempt, worker.backoff) <= 25
            waits.append(wait)
            assert worker.run_once(view.next_attempt_at - timedelta(seconds=1))["claimed"] == 0
            now = view.next_attempt_at
        else:
            assert counts["failed"] == 1 and view.status == "failed"
    assert waits[0] < waits[1]  # 10 s then 20 s (less jitter), then capped at 25 s
    assert "503" in view.last_error and "77778888" not in view.last_error
    assert worker.run_once(now + timedelta(days=30))["claimed"] == 0
    assert len(provider.attempts) == 4


def test_a_bug_in_a_channel_does_not_stop_the_other_messages(notify_db):
    ids = _enqueue(notify_db, 2)
    with notify_db.write() as s:
        service.enqueue(s, kind="ticket_called", channel="email", recipient="ani@warga.example", subject="x",
                        body="y", now=T0)
    email = RecordingChannel("email")
    counts = NotificationWorker(notify_db, {"whatsapp": BuggyChannel(), "email": email},
                                settings(notify_db)).run_once(T0)
    assert counts == {"claimed": 3, "sent": 1, "retry": 2, "failed": 0, "lost": 0}
    assert len(email.sent) == 1
    assert "unexpected KeyError" in service.get_notification(notify_db, ids[0]).last_error


def test_two_workers_at_once_never_send_a_citizen_the_same_message_twice(notify_db):
    total = 120
    _enqueue(notify_db, total)
    # Two Database objects: like two worker processes, each with its own pool and locks.
    other = Database(notify_db.url)
    provider = RecordingChannel("whatsapp")

    class SlowProvider(RecordingChannel):
        def send(self, message: OutgoingMessage) -> None:
            time.sleep(0.002)  # overlap the workers' claims and sends
            provider.send(message)

    try:
        workers = [NotificationWorker(db, {"whatsapp": SlowProvider()}, settings(db, notify_batch_size=7))
                   for db in (notify_db, notify_db, other, other)]
        start = threading.Barrier(len(workers))
        errors: list[BaseException] = []

        def drain(w: NotificationWorker) -> None:
            try:
                start.wait()
                idle = 0
                while idle < 3:
                    idle = idle + 1 if w.run_once(T0)["claimed"] == 0 else 0
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
    finally:
        other.dispose()
    assert len(provider.sent) == total
    assert max(provider.count.values()) == 1
    with notify_db.read() as s:
        rows = s.execute(select(Notification.status, Notification.attempts)).all()
    assert len(rows) == total and set(rows) == {("sent", 1)}


def test_the_background_thread_sends_soon_after_the_request_committed_and_stops_cleanly(notify_db):
    provider = RecordingChannel("whatsapp")
    worker = NotificationWorker(notify_db, {"whatsapp": provider}, settings(notify_db, notify_poll_seconds=0.05))
    worker.start()
    try:
        assert worker.running
        with notify_db.write() as s:
            nid = service.enqueue(s, kind="ticket_called", channel="whatsapp", recipient=PHONE, subject="s",
                                  body="Nomor antrean A001 dipanggil ke Loket 2.", now=utcnow())
        worker.wake()
        deadline = time.monotonic() + 10
        while service.get_notification(notify_db, nid).status != "sent":
            assert time.monotonic() < deadline, "not sent within 10 s"
            time.sleep(0.02)
    finally:
        worker.stop()
    assert not worker.running
    assert [m.id for m in provider.sent] == [nid]


def test_a_database_outage_does_not_kill_the_background_thread(notify_db, tmp_path):
    broken = Database(f"sqlite:///{tmp_path / 'missing' / 'no-table.db'}")  # no notifications table
    provider = RecordingChannel("whatsapp")
    worker = NotificationWorker(broken, {"whatsapp": provider}, settings(notify_db, notify_poll_seconds=0.02))
    with capture_logs() as logs:
        worker.start()
        time.sleep(0.2)
        assert worker.running
        worker.stop()
    broken.dispose()
    assert any(e["event"] == "notification_worker_error" for e in logs)


def test_worker_logs_show_only_masked_phone_numbers_and_emails(notify_db):
    _enqueue(notify_db, 1)
    with notify_db.write() as s:
        service.enqueue(s, kind="ticket_called", channel="email", recipient="siti.rahma@warga.example",
                        subject="x", body="y", now=T0)
    channels = {"whatsapp": DownProvider(), "email": RecordingChannel("email")}
    with capture_logs() as logs:
        NotificationWorker(notify_db, channels, settings(notify_db)).run_once(T0)
    text = repr(logs)
    assert len(logs) == 2
    assert "77778888" not in text and "6281377778888" not in text and "siti.rahma" not in text
    assert "+628*******888" in text and "si***@w***.example" in text
