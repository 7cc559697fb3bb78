"""WhatsApp/SMS through a real local HTTP gateway that checks the bearer token and the
Standard Webhooks signature (with the `standardwebhooks` library, as a provider would), and
answers what each test scripts (500 then 200, 400, slow, ...)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from satupintu import signing
from satupintu.notify import service
from satupintu.notify.channels import (
    HttpGatewayChannel,
    OutgoingMessage,
    PermanentSendError,
    TransientSendError,
)
from satupintu.notify.models import mask_recipient
from satupintu.notify.worker import NotificationWorker
from tests.notify import T0, notify_db, settings  # noqa: F401

TOKEN = "token-gateway-uji"
SECRET = "rahasia-hmac-uji"
PHONE = "+6281234567890"


class Gateway:
    """A provider: checks auth, then answers the next scripted (status, text), 200 when none left."""

    def __init__(self) -> None:
        self.script: list[tuple[int, str]] = []
        self.requests: list[dict] = []
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    Webhook(signing.as_whsec(SECRET)).verify(raw, dict(self.headers.items()))
                    signed = True
                except WebhookVerificationError:
                    signed = False
                authorised = self.headers.get("Authorization") == f"Bearer {TOKEN}" and signed
                gateway.requests.append({"body": json.loads(raw), "authorised": authorised,
                                         "idempotency_key": self.headers.get("Idempotency-Key"),
                                         "webhook_id": self.headers.get("webhook-id")})
                if gateway.delay:
                    time.sleep(gateway.delay)
                status, text = (401, "unauthorised") if not authorised else (
                    gateway.script.pop(0) if gateway.script else (200, '{"status":"queued"}'))
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def channel(self, token: str = TOKEN, secret: str = SECRET, timeout: float = 5) -> HttpGatewayChannel:
        return HttpGatewayChannel(self.url, token=token, secret=secret, timeout=timeout, name="whatsapp")


@pytest.fixture
def gateway():
    g = Gateway()
    g.thread.start()
    yield g
    g.httpd.shutdown()
    g.httpd.server_close()


def outgoing(recipient: str = PHONE) -> OutgoingMessage:
    return OutgoingMessage(id=uuid.uuid4(), kind="booking_reminder", channel="whatsapp", recipient=recipient,
                           recipient_masked=mask_recipient(recipient), subject="Pengingat",
                           body="Pengingat: jadwal Anda besok pukul 09.30 WIB. Kode booking: BK-7Q2M.",
                           reference="BK-7Q2M", lease_token=uuid.uuid4(), attempt=1)


def test_citizen_gets_the_whatsapp_text_posted_signed_to_the_provider(gateway):
    m = outgoing()
    gateway.channel().send(m)
    [req] = gateway.requests
    assert req["authorised"]
    assert req["body"] == {"to": PHONE, "text": m.body, "reference": "BK-7Q2M"}
    assert req["idempotency_key"] == str(m.id) and req["webhook_id"] == str(m.id)


def test_a_gateway_secret_in_the_whsec_form_signs_the_same(gateway):
    """A deployment that sets SATUPINTU_SMS_GATEWAY_SECRET to the whsec_ form of its secret (as
    the README advises): the provider verifies under that same value."""
    gateway.channel(secret=signing.as_whsec(SECRET)).send(outgoing())
    assert gateway.requests[-1]["authorised"]


def test_a_provider_error_means_try_again_and_a_rejection_means_give_up(gateway):
    gateway.script = [(503, "busy"), (429, "slow down"), (400, '{"error":"invalid number"}')]
    with pytest.raises(TransientSendError, match="503"):
        gateway.channel().send(outgoing())
    with pytest.raises(TransientSendError, match="429"):
        gateway.channel().send(outgoing())
    with pytest.raises(PermanentSendError, match="400"):
        gateway.channel().send(outgoing())


def test_wrong_credentials_are_refused_by_the_provider(gateway):
    with pytest.raises(PermanentSendError, match="401"):
        gateway.channel(secret="bukan-rahasianya").send(outgoing())
    assert gateway.requests[0]["authorised"] is False


def test_a_provider_that_does_not_answer_in_time_means_try_again(gateway):
    gateway.delay = 1.0
    with pytest.raises(TransientSendError, match="timed out"):
        gateway.channel(timeout=0.2).send(outgoing())


def test_a_provider_that_is_down_means_try_again():
    from tests.conftest import free_port

    with pytest.raises(TransientSendError, match="unreachable"):
        HttpGatewayChannel(f"http://127.0.0.1:{free_port()}/x", timeout=2).send(outgoing())


def _enqueue_reminder(db, recipient: str = PHONE) -> uuid.UUID:
    with db.write() as s:
        return service.enqueue(s, kind="booking_reminder", channel="whatsapp", recipient=recipient,
                               subject="Pengingat jadwal", body="Jadwal Anda besok 09.30 WIB. Kode: BK-7Q2M.",
                               reference="BK-7Q2M", now=T0)


def test_citizen_still_gets_the_reminder_when_the_provider_fails_once_then_recovers(notify_db, gateway):
    gateway.script = [(500, "internal error")]
    nid = _enqueue_reminder(notify_db)
    worker = NotificationWorker(notify_db, {"whatsapp": gateway.channel()}, settings(notify_db))
    assert worker.run_once(T0)["retry"] == 1
    view = service.get_notification(notify_db, nid)
    assert view.status == "pending" and view.attempts == 1 and "500" in view.last_error
    assert T0 + timedelta(seconds=8) <= view.next_attempt_at <= T0 + timedelta(seconds=10)
    assert worker.run_once(T0 + timedelta(seconds=5))["claimed"] == 0  # not hammered before its time
    assert worker.run_once(view.next_attempt_at)["sent"] == 1
    view = service.get_notification(notify_db, nid)
    assert view.status == "sent" and view.attempts == 2 and view.delivered_via == "whatsapp"
    assert len(gateway.requests) == 2 and all(r["authorised"] for r in gateway.requests)
    assert {r["idempotency_key"] for r in gateway.requests} == {str(nid)}  # the provider can drop a duplicate


def test_officer_sees_a_rejected_number_as_failed_masked_and_it_is_not_retried(notify_db, gateway):
    # The provider echoes the number back in its error; the stored error must not keep it.
    gateway.script = [(400, '{"error":"nomor 6281234567890 tidak terdaftar di WhatsApp"}')]
    nid = _enqueue_reminder(notify_db)
    worker = NotificationWorker(notify_db, {"whatsapp": gateway.channel()}, settings(notify_db))
    assert worker.run_once(T0)["failed"] == 1
    view = service.get_notification(notify_db, nid)
    assert view.status == "failed" and view.attempts == 1
    assert "400" in view.last_error and "tidak terdaftar" in view.last_error
    assert "6281234567890" not in view.last_error and "81234567890" not in view.last_error
    assert view.recipient == "+628*******890"
    for later in (timedelta(minutes=1), timedelta(days=2)):
        assert worker.run_once(T0 + later)["claimed"] == 0
    assert len(gateway.requests) == 1
