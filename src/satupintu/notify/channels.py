"""Ways to reach a citizen. A channel sends one message or says why it could not:
TransientSendError (try again later) or PermanentSendError (give up on this message).

Error messages from a channel may be stored and logged, so they never carry the recipient;
the service scrubs them again before storing, in case a provider echoes the address.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol, runtime_checkable

import httpx

from .. import signing
from ..config import Settings

LOGICAL_CHANNELS = ("email", "whatsapp", "sms")


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel gets: one claimed notification."""

    id: uuid.UUID
    kind: str
    channel: str
    recipient: str
    recipient_masked: str
    subject: str
    body: str
    reference: str
    lease_token: uuid.UUID
    attempt: int  # 1 for the first attempt


class SendError(Exception):
    """Why a message was not sent; the text is stored, so it never holds the recipient."""


class TransientSendError(SendError):
    """The provider may accept it later (timeout, 5xx, rate limit, connection refused)."""


class PermanentSendError(SendError):
    """Retrying will not help (invalid address, 4xx rejection)."""


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> None: ...


def _one_line(text: str) -> str:
    return " ".join(text.split())


class EmailChannel:
    """Plain-text e-mail through an SMTP server (STARTTLS and login optional)."""

    name = "email"

    def __init__(self, host: str, port: int, sender: str, *, user: str | None = None,
                 password: str | None = None, starttls: bool = True, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password = user, password
        self.starttls, self.timeout = starttls, timeout
        self.ssl_context = ssl_context

    def _build(self, message: OutgoingMessage) -> EmailMessage:
        to = message.recipient.strip()
        if "@" not in to or any(c in to for c in "\r\n,;<> "):
            raise PermanentSendError(f"invalid e-mail address {message.recipient_masked}")
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = to
        mail["Subject"] = _one_line(message.subject) or "SatuPintu"
        mail["Message-ID"] = make_msgid(idstring=message.id.hex, domain="satupintu")
        if message.reference:
            mail["X-SatuPintu-Reference"] = _one_line(message.reference)
        mail.set_content(message.body)
        return mail

    def send(self, message: OutgoingMessage) -> None:
        mail = self._build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if self.starttls:
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            error = f"SMTP refused the recipient {message.recipient_masked} (codes {codes})"
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentSendError(error) from None
            raise TransientSendError(error) from None
        except smtplib.SMTPAuthenticationError as exc:
            # Wrong credentials are the deployment's problem, not the message's: retry.
            raise TransientSendError(f"SMTP login failed ({exc.smtp_code})") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            error = f"SMTP {exc.smtp_code} {type(exc).__name__}"
            # 530/534/535/538: the server wants TLS or a login: our configuration, so retry.
            if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 534, 535, 538):
                raise PermanentSendError(error) from None
            raise TransientSendError(error) from None
        except smtplib.SMTPNotSupportedError:
            raise TransientSendError("SMTP server does not offer STARTTLS") from None
        except (smtplib.SMTPException, OSError) as exc:  # connection refused, timeout, TLS, 4xx
            raise TransientSendError(f"SMTP {type(exc).__name__}") from None


class HttpGatewayChannel:
    """A WhatsApp/SMS provider behind a JSON POST {"to", "text", "reference"}.

    Authorization: Bearer <token>; signed like every outgoing webhook, by the Standard Webhooks
    scheme (satupintu/signing.py): webhook-id (the notification id), webhook-timestamp and
    webhook-signature over id.timestamp.body under the gateway secret. Idempotency-Key is the
    notification id too, so a provider can drop a duplicate when a worker died after sending
    but before recording it.
    2xx: sent. 5xx, 408, 425, 429, timeouts, connection errors: try again. Other 4xx: give up.
    """

    TRANSIENT_4XX = frozenset({408, 425, 429})

    def __init__(self, url: str, *, token: str | None = None, secret: str | None = None,
                 timeout: float = 10.0, name: str = "gateway", client: httpx.Client | None = None) -> None:
        self.url, self.token, self.secret = url, token, secret
        self.name = name
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, message: OutgoingMessage) -> None:
        body = json.dumps({"to": message.recipient.strip(), "text": message.body,
                           "reference": message.reference}, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": str(message.id)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.secret:
            headers.update(signing.headers(str(message.id), int(time.time()), body, self.secret))
        try:
            resp = self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise TransientSendError("gateway timed out") from None
        except httpx.HTTPError as exc:
            raise TransientSendError(f"gateway unreachable ({type(exc).__name__})") from None
        if resp.is_success:
            return
        detail = _one_line(resp.text[:200])
        error = f"gateway HTTP {resp.status_code}: {detail}"
        if resp.status_code >= 500 or resp.status_code in self.TRANSIENT_4XX:
            raise TransientSendError(error)
        raise PermanentSendError(error)

    def close(self) -> None:
        self._client.close()


class OutboxChannel:
    """Development and testing: nothing leaves the machine. The notification row itself is
    marked sent with delivered_via="outbox", and service.outbox_messages() lists them."""

    name = "outbox"

    def send(self, message: OutgoingMessage) -> None:
        if not message.recipient.strip():
            raise PermanentSendError("empty recipient")


def build_channels(settings: Settings) -> dict[str, Channel]:
    """The channel for each logical channel name, from settings.notify_channels.

    "email" -> SMTP; "whatsapp"/"sms" -> the HTTP gateway; "outbox" routes every logical
    channel not listed to the outbox. A logical channel with no entry fails permanently.
    """
    wanted = {c.strip().lower() for c in settings.notify_channels.split(",") if c.strip()}
    unknown = wanted - {*LOGICAL_CHANNELS, "outbox"}
    if unknown:
        raise ValueError(f"unknown notify channels: {sorted(unknown)}")
    channels: dict[str, Channel] = {}
    if "email" in wanted:
        channels["email"] = EmailChannel(
            settings.smtp_host, settings.smtp_port, settings.smtp_from, user=settings.smtp_user,
            password=settings.smtp_password, starttls=settings.smtp_starttls, timeout=settings.smtp_timeout)
    gateway_names = [c for c in ("whatsapp", "sms") if c in wanted]
    if gateway_names:
        if not settings.sms_gateway_url:
            raise ValueError("SATUPINTU_SMS_GATEWAY_URL is required for the whatsapp/sms channels")
        gateway = HttpGatewayChannel(settings.sms_gateway_url, token=settings.sms_gateway_token,
                                     secret=settings.sms_gateway_secret, timeout=settings.sms_gateway_timeout)
        for c in gateway_names:
            channels[c] = gateway
    if "outbox" in wanted:
        outbox = OutboxChannel()
        channels["outbox"] = outbox
        for name in LOGICAL_CHANNELS:
            channels.setdefault(name, outbox)
    return channels
