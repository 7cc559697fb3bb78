"""Signatures on what SatuPintu POSTs to other systems, by the Standard Webhooks specification
(standardwebhooks.com): webhooks to client systems and the WhatsApp/SMS gateway alike.

Three headers: `webhook-id` (the message id, the same on every retry, so a receiver drops
duplicates), `webhook-timestamp` (Unix seconds of this attempt; a receiver refuses old ones,
which stops replays) and `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of
`<id>.<timestamp>.<body>`. The key is the base64 part of a `whsec_...` secret, decoded; a
secret set without that prefix (older gateway settings) is used as its UTF-8 bytes, which a
Standard Webhooks library accepts as `whsec_` + base64 of those bytes (`as_whsec`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


def secret_key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX):])
    return secret.encode()


def as_whsec(secret: str) -> str:
    """The secret in the form a Standard Webhooks library takes."""
    return secret if secret.startswith(SECRET_PREFIX) else SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def sign(msg_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """The `webhook-signature` header's value."""
    digest = hmac.new(secret_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(msg_id: str, timestamp: int, body: bytes, secret: str) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(msg_id, timestamp, body, secret)}
