"""Idempotency-Key for POST requests: the rules, pure (no I/O).

Follows the IETF draft "The Idempotency-Key HTTP Header Field" (draft-ietf-httpapi-idempotency-
key-header): a client sends a unique key with a POST; the server remembers the first answer and
returns it again for a retry with the same key and the same request, so a retried "issue a
ticket" never issues two. What the server answers:

- a new key: the request runs; its answer is kept (a 5xx is not kept: the retry runs again);
- the same key and the same request, answered: the kept answer, with `Idempotent-Replayed: true`;
- the same key and the same request still running: 409 (`idempotency_in_progress`);
- the same key with a different request (another path or body): 422 (`idempotency_key_reused`);
- a key that is empty or longer than 255 characters: 400 (`invalid_idempotency_key`).

Keys are per caller (`principal`): two clients that happen to pick the same key never see each
other's answers. A kept answer lives `RETENTION` (24 hours), after which the key is new again.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import timedelta

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
MAX_KEPT_BODY = 1_000_000  # larger answers are not kept (the retry runs again)


class Decision(str, enum.Enum):
    run = "run"  # new key: run the request and keep its answer
    replay = "replay"  # same request answered before: send the kept answer
    in_progress = "in_progress"  # same request still running: 409
    mismatch = "mismatch"  # the key was used for another request: 422


def valid_key(key: str) -> bool:
    """A key is 1-255 visible ASCII characters (the draft leaves the format to the server)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same": method, path, query and body, hashed."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def principal(authorization: str, api_key: str, device_token: str, session: str, address: str) -> str:
    """Who is asking, hashed (no credential is stored): the first credential present, else the
    client address for anonymous callers (a citizen filing a complaint)."""
    for kind, value in (("auth", authorization), ("key", api_key), ("device", device_token),
                        ("session", session)):
        if value:
            return kind + ":" + hashlib.sha256(value.encode()).hexdigest()[:40]
    return "addr:" + hashlib.sha256(address.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Kept:
    """What is stored about a key: the request's fingerprint and, once answered, the answer."""

    fingerprint: str
    status: int | None  # None while the first request runs


def decide(kept: Kept | None, request_fingerprint: str) -> Decision:
    if kept is None:
        return Decision.run
    if kept.fingerprint != request_fingerprint:
        return Decision.mismatch
    return Decision.in_progress if kept.status is None else Decision.replay


def keep_answer(status: int, body_size: int) -> bool:
    """Whether an answer is kept for retries: not a server error, not too large."""
    return status < 500 and body_size <= MAX_KEPT_BODY
