"""Outgoing webhooks end to end on SQLite and PostgreSQL: a real HTTP receiver (http.server in
a thread) gets what a client system would, verified with the `standardwebhooks` library as a
receiver would; retries after a 500 and after a timeout; per-entity order; manual redelivery;
switching off after sustained failure (the owner told); an outbox row never outlives a change
that rolled back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from satupintu import domain_events
from satupintu.accounts import service as accounts
from satupintu.audit import AuditEntry
from satupintu.config import get_settings
from satupintu.errors import ValidationFailed
from satupintu.feedback import complaint_service
from satupintu.feedback.complaint_schemas import ComplaintIn
from satupintu.integration import service, webhook_service, webhooks
from satupintu.integration.models import WebhookDelivery
from satupintu.integration.webhook_worker import WebhookWorker
from satupintu.notify import service as notify
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD
from tests.integration.webhook_receiver import Receiver

ALL_SCOPES = ["queue:read", "complaints:read", "applications:read", "catalogue:read", "stats:read"]


@pytest.fixture
def db(demo_db):
    if webhook_service.write_outbox not in demo_db.before_commit:
        demo_db.before_commit.append(webhook_service.write_outbox)
    return demo_db


def manager(db):
    return accounts.authenticate(db, "pengelola", DEMO_PASSWORD)


class Hook:
    """A client system with a key and one endpoint pointing at a receiver."""

    def __init__(self, db, url: str, types: list[str]) -> None:
        self.db, self.actor = db, manager(db)
        self.client = service.register_client(db, self.actor, "lahat", service.ClientIn.model_validate(
            {"name": f"Portal {uuid.uuid4().hex[:6]}", "owner_agency": "Dinas Kominfo", "contact_name": "Rina",
             "contact_email": "rina@lahatkab.go.id"}))
        service.create_key(db, self.actor, "lahat", self.client.id,
                           service.KeyIn.model_validate({"scopes": ALL_SCOPES}))
        issued = webhook_service.subscribe(db, self.actor, "lahat", self.client.id,
                                           webhook_service.EndpointIn(url=url, event_types=types),
                                           allow_http_loopback=True)
        self.secret, self.endpoint = issued.secret, issued.info

    def deliveries(self):
        return webhook_service.list_deliveries(self.db, self.actor, "lahat", self.client.id, self.endpoint.id)

    def state(self):
        return webhook_service.get_endpoint(self.db, self.actor, "lahat", self.client.id, self.endpoint.id)

    def close(self) -> None:
        webhook_service.delete_endpoint(self.db, self.actor, "lahat", self.client.id, self.endpoint.id)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def hook(db, receiver) -> Iterator[Hook]:
    h = Hook(db, receiver.url, list(webhooks.EVENT_TYPES))
    yield h
    h.close()


def worker(db, **kw) -> WebhookWorker:
    settings = get_settings().model_copy(update={"webhook_batch_size": 50, **kw})
    return WebhookWorker(db, settings, client=httpx.Client(timeout=kw.get("webhook_timeout_seconds", 5.0)))


def event(db, entity: str, n: int) -> None:
    """A change of the test's own making whose transaction notes one event."""
    with db.write() as s:
        site = s.scalar(select(AuditEntry.site_id).where(AuditEntry.site_id.is_not(None)).limit(1))
        domain_events.record(s, "ticket.called", site_id=site, entity=entity,
                             data={"ticket_id": entity, "number": f"A-{n:03d}", "status": "called"})


def test_a_complaint_reaches_the_receiver_signed_so_standardwebhooks_verifies_it_and_without_personal_data(
        db, hook, receiver):
    """The client's receiver gets complaint.received: the standardwebhooks library accepts the
    signature under the secret shown once, the payload is versioned, and neither the reporter's
    name nor contact nor the complaint text is in it."""
    assert hook.secret.startswith("whsec_")
    complaint_service.file_complaint(db, "lahat", ComplaintIn(
        title="Antrean terlalu lama", body="Saya menunggu dua jam di loket Dukcapil.",
        reporter_name="Budi Santoso", reporter_contact="081234567890"), "web")
    counts = worker(db).run_once()
    assert counts["delivered"] >= 1
    got = [r for r in receiver.received if json.loads(r.body)["type"] == "complaint.received"]
    assert len(got) == 1
    body = Webhook(hook.secret).verify(got[0].body, got[0].headers)
    assert body["version"] == 1 and body["type"] == "complaint.received"
    assert set(body["data"]) <= set(webhooks.FIELDS["complaint.received"])
    raw = got[0].body.decode()
    for personal in ("Budi", "081234567890", "menunggu dua jam"):
        assert personal not in raw
    with pytest.raises(WebhookVerificationError):  # another secret does not verify
        Webhook(webhooks.new_secret()).verify(got[0].body, got[0].headers)
    log = [d for d in hook.deliveries() if d.event_type == "complaint.received"][0]
    assert log.status == "delivered" and log.last_status_code == 200 and log.last_duration_ms is not None


def test_a_500_is_retried_later_with_the_same_message_id_and_then_delivered(db, hook, receiver):
    receiver.script = [500]
    event(db, "ticket:retry", 1)
    w = worker(db)
    now = utcnow()
    assert w.run_once(now)["pending"] == 1
    first = hook.deliveries()[0]
    assert first.status == "pending" and first.last_status_code == 500 and first.next_attempt_at > now
    assert w.run_once(now)["claimed"] == 0  # not yet: the backoff holds it
    assert w.run_once(first.next_attempt_at)["delivered"] == 1
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids == [str(first.id), str(first.id)]
    done = hook.deliveries()[0]
    assert done.status == "delivered" and done.attempts == 2
    assert hook.state().consecutive_failures == 0


def test_a_receiver_that_answers_too_late_counts_as_a_failure_and_is_tried_again(db, hook, receiver):
    receiver.script = [("sleep", 2.0, 200)]
    event(db, "ticket:slow", 1)
    w = worker(db, webhook_timeout_seconds=0.5)
    w.run_once(utcnow())
    d = hook.deliveries()[0]
    assert d.status == "pending" and d.last_status_code is None and "timeout" in (d.last_error or "")
    assert w.run_once(d.next_attempt_at)["delivered"] == 1


def test_a_later_event_of_the_same_ticket_waits_until_the_earlier_one_is_delivered(db, hook, receiver):
    """Ticket X called then finished: while the first fails, the second is not sent; another
    ticket's event is not held up."""
    receiver.script = [500]
    event(db, "ticket:X", 1)
    event(db, "ticket:X", 2)
    event(db, "ticket:Y", 3)
    w = worker(db)
    now = utcnow()
    w.run_once(now)
    numbers = [json.loads(r.body)["data"]["number"] for r in receiver.received]
    assert numbers == ["A-001", "A-003"]  # X's second waits behind X's first
    retry_at = max(d.next_attempt_at for d in hook.deliveries())
    w.run_once(retry_at)
    w.run_once(retry_at)
    numbers = [json.loads(r.body)["data"]["number"] for r in receiver.received]
    assert numbers == ["A-001", "A-003", "A-001", "A-002"]


def test_the_manager_redelivers_a_delivered_event_and_the_receiver_gets_it_again(db, hook, receiver):
    event(db, "ticket:again", 1)
    w = worker(db)
    w.run_once(utcnow())
    d = hook.deliveries()[0]
    assert d.status == "delivered"
    again = webhook_service.redeliver(db, hook.actor, "lahat", hook.client.id, hook.endpoint.id, d.id)
    assert again.status == "pending"
    w.run_once(utcnow())
    assert [r.headers["webhook-id"] for r in receiver.received] == [str(d.id), str(d.id)]
    assert hook.deliveries()[0].status == "delivered"


def test_an_endpoint_failing_again_and_again_is_switched_off_and_its_owner_told(db, hook, receiver):
    receiver.default = 503
    event(db, "ticket:down", 1)
    w = worker(db, webhook_disable_after_failures=3)
    now = utcnow()
    for _ in range(3):
        w.run_once(now)
        now = max(now, hook.deliveries()[0].next_attempt_at)
    state = hook.state()
    assert not state.enabled and "gagal" in (state.disabled_reason or "")
    assert w.run_once(now + timedelta(days=1))["claimed"] == 0  # nothing goes to a switched-off endpoint
    told = notify.list_notifications(db, reference=str(hook.endpoint.id))
    assert told and told[0].kind == "webhook_disabled" and told[0].recipient != "rina@lahatkab.go.id"
    # Switched on again: what waited goes out.
    receiver.default = 200
    webhook_service.set_enabled(db, hook.actor, "lahat", hook.client.id, hook.endpoint.id, True)
    assert w.run_once(now + timedelta(days=1))["delivered"] == 1


def test_an_outbox_row_is_rolled_back_with_its_change(db, hook):
    before = len(hook.deliveries())
    with pytest.raises(RuntimeError), db.write() as s:
        site = s.scalar(select(AuditEntry.site_id).where(AuditEntry.site_id.is_not(None)).limit(1))
        domain_events.record(s, "ticket.called", site_id=site, entity="ticket:gone", data={})
        raise RuntimeError("the change fails")
    with pytest.raises(ValidationFailed):  # a refused complaint writes no complaint and no webhook
        complaint_service.file_complaint(db, "lahat", ComplaintIn(
            title="Tanpa nama", body="Pengaduan tanpa nama pelapor."), "web")
    assert len(hook.deliveries()) == before
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(WebhookDelivery)
                        .where(WebhookDelivery.entity == "ticket:gone")) == 0


def test_a_subscription_needs_https_known_types_and_a_key_with_their_scope(db):
    actor = manager(db)
    client = service.register_client(db, actor, "lahat", service.ClientIn.model_validate(
        {"name": f"Tanpa kunci {uuid.uuid4().hex[:6]}", "owner_agency": "Dinas", "contact_name": "Rina",
         "contact_email": "rina@lahatkab.go.id"}))
    with pytest.raises(ValidationFailed) as bad:
        webhook_service.subscribe(db, actor, "lahat", client.id, webhook_service.EndpointIn(
            url="http://contoh.go.id/hook", event_types=["ticket.called"]), allow_http_loopback=True)
    assert {e.field for e in bad.value.details} == {"url", "event_types"}  # http, and no key with queue:read
    with pytest.raises(ValidationFailed) as unknown:
        webhook_service.subscribe(db, actor, "lahat", client.id, webhook_service.EndpointIn(
            url="https://contoh.go.id/hook", event_types=["ticket.eaten"]))
    assert unknown.value.field == "event_types"


def test_a_ticket_issued_called_and_finished_reaches_the_receiver_in_that_order(db, hook, receiver):
    """On PostgreSQL these three are single statements (the queue's hot path) that write their
    outbox rows themselves; on SQLite the before-commit hook does: the receiver sees the same."""
    from satupintu.catalogue import service as catalogue
    from satupintu.queueing import service as queue

    site = catalogue.get_site(db, "lahat")
    mine = queue.issue_ticket(db, queue.Issuer(label="kios:lobi", site_id=site.id), "lahat", "DKC-01")
    officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    number = next(c.number for c in catalogue.list_counters(db, "lahat") if c.agency_code == "DUKCAPIL"
                  and "DKC-01" in c.services)
    queue.open_counter(db, officer, "lahat", number)
    called = queue.call_next(db, officer, "lahat", number)
    assert called is not None
    queue.start_serving(db, officer, "lahat", number)
    queue.finish(db, officer, "lahat", number)
    w = worker(db)
    for _ in range(4):
        w.run_once(utcnow())
    got = [Webhook(hook.secret).verify(r.body, r.headers) for r in receiver.received]
    issued = [b for b in got if b["type"] == "ticket.issued" and b["data"]["ticket_id"] == str(mine.id)]
    assert len(issued) == 1 and issued[0]["data"]["number"] == mine.number
    assert issued[0]["data"]["status"] == "waiting" and issued[0]["data"]["site"] == "lahat"
    of_called = [b["type"] for b in got if b["data"].get("ticket_id") == str(called.id)]
    assert of_called[-2:] == ["ticket.called", "ticket.finished"]
    finished = [b for b in got if b["type"] == "ticket.finished"][-1]
    assert finished["data"]["counter"] == number and finished["version"] == 1
    assert set(finished["data"]) <= set(webhooks.FIELDS["ticket.finished"])


def test_through_the_api_a_manager_subscribes_sees_the_secret_once_and_a_bad_url_names_its_field(db, server):
    from tests.conftest import token_for

    actor = manager(db)
    client = service.register_client(db, actor, "lahat", service.ClientIn.model_validate(
        {"name": f"API {uuid.uuid4().hex[:6]}", "owner_agency": "Dinas", "contact_name": "Rina",
         "contact_email": "rina@lahatkab.go.id"}))
    service.create_key(db, actor, "lahat", client.id, service.KeyIn.model_validate({"scopes": ["queue:read"]}))
    base = f"/api/v1/sites/lahat/clients/{client.id}/webhooks"
    with server.client() as api:
        auth = token_for(api, "pengelola")
        bad = api.post(base, json={"url": "http://127.0.0.1:9/hook", "event_types": ["ticket.called"]}, headers=auth)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "url"
        scope = api.post(base, json={"url": "https://sistem.lahatkab.go.id/hook",
                                     "event_types": ["complaint.received"]}, headers=auth)
        assert scope.status_code == 422 and scope.json()["error"]["field"] == "event_types"
        ok = api.post(base, json={"url": "https://sistem.lahatkab.go.id/hook", "event_types": ["ticket.called"]},
                      headers=auth)
        assert ok.status_code == 201 and ok.headers["cache-control"] == "no-store"
        secret, endpoint = ok.json()["secret"], ok.json()["info"]
        assert secret.startswith("whsec_") and endpoint["secret_prefix"] == secret[:12] + "…"
        listed = api.get(base, headers=auth).json()
        assert [e["id"] for e in listed] == [endpoint["id"]] and secret not in json.dumps(listed)
        assert api.get(f"{base}/{endpoint['id']}/deliveries", headers=auth).json() == []
        off = api.post(f"{base}/{endpoint['id']}/disable", headers=auth)
        assert off.status_code == 200 and off.json()["enabled"] is False
        assert api.get(base).status_code == 401


def test_the_background_worker_thread_delivers_without_anyone_asking(db, hook, receiver):
    """As in each app process (started in the app's lifespan): the thread polls and sends."""
    import time

    w = worker(db, webhook_poll_seconds=0.1)
    w.start()
    try:
        event(db, "ticket:thread", 1)
        w.wake()
        for _ in range(200):  # waits for the delivery; not a timed assertion
            if receiver.received:
                break
            time.sleep(0.1)
    finally:
        w.stop()
    assert [json.loads(r.body)["data"]["number"] for r in receiver.received] == ["A-001"]
    assert hook.deliveries()[0].status == "delivered"


def test_bookings_and_catalogue_changes_reach_the_receiver_without_the_citizens_name_nik_or_phone(db, hook, receiver):
    from satupintu.catalogue import service as catalogue
    from satupintu.catalogue.models import ServiceStatus
    from satupintu.queueing import bookings
    from satupintu.queueing import service as queue
    from satupintu.queueing.schemas import BookingIn
    from tests.queueing.test_bookings import next_weekday, nik

    slot = bookings.slots(db, "lahat", "DKC-01", next_weekday())[7]
    b = bookings.book(db, "lahat", BookingIn(service="DKC-01", slot_start=slot.start, name="Siti Aminah",
                                             nik=nik(901), phone="0812 3456 7890", remind=True))
    queue.cancel_booking(db, b.code)
    catalogue.set_service_status(db, hook.actor, "lahat", "DKC-01", ServiceStatus.draft)
    catalogue.set_service_status(db, hook.actor, "lahat", "DKC-01", ServiceStatus.published)
    w = worker(db)
    for _ in range(3):
        w.run_once(utcnow())
    got = [Webhook(hook.secret).verify(r.body, r.headers) for r in receiver.received]
    assert [g["type"] for g in got if g["type"].startswith("booking.")] == ["booking.made", "booking.cancelled"]
    made = next(g for g in got if g["type"] == "booking.made")["data"]
    assert made["service"] == "DKC-01" and made["status"] == "booked" and "booking_id" in made
    changes = [g["data"]["action"] for g in got if g["type"] == "catalogue.changed"]
    assert changes == ["service.draft", "service.published"]  # in order: one entity
    raw = b"".join(r.body for r in receiver.received)
    for personal in (b"Siti", nik(901).encode(), b"081234567890", b"6281234567890", b.code.encode()):
        assert personal not in raw


def test_old_settled_deliveries_leave_the_log_but_a_waiting_one_stays(db, hook, receiver):
    receiver.script = [200, 500]
    event(db, "ticket:old-a", 1)
    event(db, "ticket:old-b", 2)
    w = worker(db, webhook_keep_days=30)
    w.run_once(utcnow())
    assert sorted(d.status for d in hook.deliveries()) == ["delivered", "pending"]
    assert w.keep_house(utcnow() + timedelta(days=29)) == 0
    w.keep_house(utcnow() + timedelta(days=31))
    assert [d.status for d in hook.deliveries()] == ["pending"]
