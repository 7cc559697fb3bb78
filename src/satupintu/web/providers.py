"""What the web edge asks of the capabilities behind it, handed in once at start-up.

The edge needs to know who a caller is (the accounts capability answers) and which site a
route's `{site}` names (the catalogue answers), but it imports no capability: app.py builds
the implementations and `install`s them on the application; the edge looks them up per request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

from fastapi import FastAPI, Request

from ..scope import Actor, SiteRef


class Credentials(Protocol):
    """The caller behind a session, a bearer token or a device token, and the sign-in steps."""

    def actor_for_session(self, user_id: uuid.UUID, epoch: int) -> Actor | None:
        """The actor of a session issued under `epoch`; None once it has been ended."""

    def actor_for_api_token(self, token: str) -> Actor:
        """The actor of a bearer token; Unauthenticated for a bad, expired or ended one."""

    def authenticate(self, username: str, password: str) -> Actor:
        """Check a password; Unauthenticated when wrong."""

    def change_password(self, actor: Actor, current: str, new: str) -> Actor:
        """The actor's own password change; the actor of the new credentials epoch."""

    def logout(self, actor: Actor) -> None:
        """End every session and token of the actor's user."""

    def is_kiosk(self, device_token: str) -> bool:
        """Whether a device token is a valid kiosk's (exempt from per-address rate limits)."""


class ApiKeys(Protocol):
    """Client systems' API keys (the integration capability answers)."""

    def actor_for_key(self, key: str) -> Actor:
        """The client behind a key; Unauthenticated for an unknown, expired or revoked one."""

    def scope_refusal(self, actor: Actor, method: str, path: str) -> str | None:
        """Why the key may not call this route (method, declared path), or None when it may."""

    def needs_io(self, actor: Actor, method: str) -> bool:
        """Whether `record_use` will write to the database for this call."""

    def record_use(self, actor: Actor, method: str, path: str) -> None:
        """Log the call under the client's name (audit a change; note the key's last use)."""


# The site a route's {site} code names, as a scope reference; NotFound names the field 'site'.
SiteLookup = Callable[[str], SiteRef]


def install(app: FastAPI, credentials: Credentials, site_lookup: SiteLookup, api_keys: ApiKeys | None = None) -> None:
    app.state.credentials = credentials
    app.state.site_lookup = site_lookup
    app.state.api_keys = api_keys


def api_keys_of(request: Request) -> ApiKeys | None:
    return getattr(request.app.state, "api_keys", None)


def credentials_of(request: Request) -> Credentials:
    return request.app.state.credentials


def site_lookup_of(request: Request) -> SiteLookup:
    return request.app.state.site_lookup
