"""What every capability's pages share: the database of the request, the signed-in staff
member of a management page, and a failed form's messages by field."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError

from ..db import Database
from ..errors import DomainError, Unauthenticated
from ..scope import Actor
from .security import session_actor

INVALID = "Isian tidak valid."


def db_of(request: Request) -> Database:
    return request.app.state.db


def staff_actor(request: Request) -> Actor:
    """The signed-in user of a management page (Unauthenticated sends others to sign in);
    templates see them as `actor`."""
    actor = session_actor(request)
    if actor is None:
        raise Unauthenticated()
    request.state.actor = actor
    return actor


def errors_of(exc: ValidationError | DomainError, invalid: str = INVALID) -> dict[str, str]:
    """The messages to show beside a form's fields: `invalid` for each field a schema refused,
    or the domain error's own messages (its details, else the one message)."""
    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for e in exc.errors():
            out.setdefault(".".join(str(p) for p in e["loc"]) or "_", invalid)
        return out
    return {d.field: d.message for d in exc.details} if exc.details else {exc.field or "_": exc.message}


def keep_once(request: Request, name: str, payload: dict[str, str | None]) -> None:
    """Keep a secret for the next page only (POST-redirect-GET): encrypted in the session."""
    import json

    from ..secretbox import encrypt

    request.session[name] = encrypt(json.dumps(payload))


def take_once(request: Request, name: str, owner: tuple[str, str] | None = None) -> dict[str, str | None] | None:
    """What `keep_once` kept, once: it leaves the session as it is read (a reload finds nothing).
    With `owner` (a key and its value, e.g. ("client", id)), only a payload kept for that page."""
    import json

    from cryptography.fernet import InvalidToken

    from ..secretbox import decrypt

    raw = request.session.pop(name, None)
    if not isinstance(raw, str):
        return None
    try:
        kept = json.loads(decrypt(raw))
    except (InvalidToken, ValueError):
        return None
    if not isinstance(kept, dict) or (owner is not None and kept.get(owner[0]) != owner[1]):
        return None
    return {str(k): None if v is None else str(v) for k, v in kept.items()}
