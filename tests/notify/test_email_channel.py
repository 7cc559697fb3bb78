"""E-mail through a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import ssl
import subprocess
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from satupintu.notify import service
from satupintu.notify.channels import EmailChannel, OutgoingMessage, PermanentSendError, TransientSendError
from satupintu.notify.models import mask_recipient
from satupintu.notify.templates import Kind, render
from satupintu.notify.worker import NotificationWorker
from tests.conftest import free_port
from tests.notify import T0, notify_db, settings  # noqa: F401

CITIZEN = "siti.rahma@warga.example"


class Mailbox:
    """The SMTP server's side: what it accepted, and which recipients it refuses."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], object]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@ditolak.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def outgoing(recipient: str = CITIZEN, subject: str = "Nomor antrean A012 dipanggil",
             body: str = "Nomor antrean A012 dipanggil ke Loket 3.") -> OutgoingMessage:
    return OutgoingMessage(id=uuid.uuid4(), kind="ticket_called", channel="email", recipient=recipient,
                           recipient_masked=mask_recipient(recipient), subject=subject, body=body,
                           reference="tiket-1", lease_token=uuid.uuid4(), attempt=1)


def test_citizen_receives_an_email_with_their_address_the_subject_and_the_text(smtp):
    box, port = smtp
    EmailChannel("127.0.0.1", port, "MPP Lahat <noreply@mpp.example>", starttls=False, timeout=5).send(
        outgoing(body="Nomor antrean A012 dipanggil ke Loket 3. Silakan menuju loket — terima kasih."))
    [(rcpts, mail)] = box.received
    assert rcpts == [CITIZEN]
    assert mail["To"] == CITIZEN and mail["From"] == "MPP Lahat <noreply@mpp.example>"
    assert mail["Subject"] == "Nomor antrean A012 dipanggil"
    assert mail["X-SatuPintu-Reference"] == "tiket-1"
    assert "Silakan menuju loket — terima kasih." in mail.get_content()


def test_a_subject_with_line_breaks_cannot_inject_extra_headers(smtp):
    box, port = smtp
    EmailChannel("127.0.0.1", port, "noreply@mpp.example", starttls=False).send(
        outgoing(subject="Halo\r\nBcc: orang.lain@example.com"))
    [(rcpts, mail)] = box.received
    assert rcpts == [CITIZEN] and mail["Bcc"] is None
    assert mail["Subject"] == "Halo Bcc: orang.lain@example.com"


def test_an_address_the_mail_server_refuses_is_given_up_without_showing_the_address(smtp):
    _box, port = smtp
    with pytest.raises(PermanentSendError) as err:
        EmailChannel("127.0.0.1", port, "noreply@mpp.example", starttls=False).send(
            outgoing("budi.santoso@ditolak.example"))
    assert "550" in str(err.value) and "budi.santoso" not in str(err.value)


def test_a_malformed_address_is_given_up_at_once():
    with pytest.raises(PermanentSendError):
        EmailChannel("127.0.0.1", 1, "noreply@mpp.example").send(outgoing("bukan-alamat"))


def test_a_mail_server_that_is_down_means_try_again_later():
    with pytest.raises(TransientSendError):
        EmailChannel("127.0.0.1", free_port(), "noreply@mpp.example", starttls=False, timeout=2).send(outgoing())


def test_email_goes_over_starttls_with_login_when_the_server_requires_both(tls_files):
    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"mpp" and auth_data.password == b"rahasia-smtp")

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), tls_context=server_ctx,
                            require_starttls=True, authenticator=authenticator, auth_required=True)
    controller.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        EmailChannel("127.0.0.1", controller.port, "noreply@mpp.example", user="mpp", password="rahasia-smtp",
                     starttls=True, ssl_context=client_ctx, timeout=5).send(outgoing())
        assert logins == [(b"mpp", b"rahasia-smtp")]
        assert box.received[0][0] == [CITIZEN]
        # The same server without STARTTLS configured: a deployment problem, so retried later.
        with pytest.raises(TransientSendError):
            EmailChannel("127.0.0.1", controller.port, "noreply@mpp.example", starttls=False, timeout=5).send(
                outgoing())
        # Wrong password: also the deployment's problem, retried once it is fixed.
        with pytest.raises(TransientSendError):
            EmailChannel("127.0.0.1", controller.port, "noreply@mpp.example", user="mpp", password="salah",
                         starttls=True, ssl_context=client_ctx, timeout=5).send(outgoing())
    finally:
        controller.stop()


def test_citizen_gets_the_called_ticket_email_sent_by_the_background_worker(notify_db, smtp):
    box, port = smtp
    text = render(Kind.ticket_called, number="A012", counter=3, site="MPP Lahat")
    with notify_db.write() as s:
        nid = service.enqueue(s, kind=Kind.ticket_called, channel="email", recipient=CITIZEN,
                              subject=text.subject, body=text.body, reference="tiket-A012", now=T0)
    assert box.received == []  # committing the business change sends nothing by itself
    channels = {"email": EmailChannel("127.0.0.1", port, "noreply@mpp.example", starttls=False, timeout=5)}
    counts = NotificationWorker(notify_db, channels, settings(notify_db)).run_once(T0)
    assert counts["sent"] == 1
    [(rcpts, mail)] = box.received
    assert rcpts == [CITIZEN] and mail["Subject"] == "Nomor antrean A012 dipanggil"
    assert "Loket 3" in mail.get_content()
    view = service.get_notification(notify_db, nid)
    assert view.status == "sent" and view.delivered_via == "email" and view.sent_at == T0
    assert view.recipient == "si***@w***.example"
