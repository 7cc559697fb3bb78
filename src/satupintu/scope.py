"""Who may see and change what: pure rules, no I/O.

Roles are scoped: a site manager to one site (and the mobile events that site runs),
an agency admin and a counter officer to one agency at one site, a national overseer
to everything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from .roles import Role


@dataclass(frozen=True)
class ClientKey:
    """The API key a client system calls with (integration/keys.py): what the edge checks per
    request (scopes, rate) and records (client name, visible prefix, last use)."""

    key_id: uuid.UUID
    cache_id: str = field(repr=False)
    prefix: str
    client: str
    scopes: frozenset[str]
    rate_per_minute: int
    last_used_at: datetime | None = None
    client_id: uuid.UUID | None = None  # the client system (its own reference numbers hang on it)


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID | None
    username: str
    role: Role | None
    site_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    # The user's credentials generation when this actor was loaded (users.credentials_epoch):
    # a session or token issued for it carries this value, and is refused once it moves on.
    epoch: int = 0
    # Set when the caller is a client system's API key rather than a staff member.
    key: ClientKey | None = None

    @property
    def label(self) -> str:
        return self.username

    @property
    def is_overseer(self) -> bool:
        return self.role is Role.national_overseer


def key_agency(actor: Actor | None) -> uuid.UUID | None:
    """The agency a client system's key is limited to, if it is one: such a key reads only that
    agency's queue and catalogue (its services, counters, tickets), None for anyone else."""
    if actor is None or actor.key is None:
        return None
    return actor.agency_id


SYSTEM = Actor(user_id=None, username="system", role=Role.national_overseer)


@dataclass(frozen=True)
class SiteRef:
    id: uuid.UUID
    parent_id: uuid.UUID | None = None


def _home(actor: Actor, site: SiteRef) -> bool:
    return actor.site_id is not None and actor.site_id in (site.id, site.parent_id)


def can_read_site(actor: Actor, site: SiteRef) -> bool:
    """Non-public data of a site: drafts, users, devices, audit log."""
    return actor.is_overseer or _home(actor, site)


def can_manage_site(actor: Actor, site: SiteRef) -> bool:
    """Site settings, agencies, counters, agreements, booths, devices, catalogue import."""
    return actor.is_overseer or (actor.role is Role.site_manager and _home(actor, site))


def can_manage_agency(actor: Actor, site: SiteRef, agency_id: uuid.UUID) -> bool:
    """An agency's services and officers."""
    if can_manage_site(actor, site):
        return True
    return actor.role is Role.agency_admin and _home(actor, site) and actor.agency_id == agency_id


def can_create_sites(actor: Actor) -> bool:
    return actor.is_overseer


def can_manage_user(actor: Actor, role: Role, site: SiteRef | None, agency_id: uuid.UUID | None) -> bool:
    """Create or change an account with this role and scope."""
    if actor.is_overseer:
        return True
    if site is None:
        return False
    if actor.role is Role.site_manager:
        return _home(actor, site) and role is not Role.national_overseer
    if actor.role is Role.agency_admin:
        return (
            role in (Role.agency_admin, Role.counter_officer)
            and _home(actor, site)
            and agency_id is not None
            and agency_id == actor.agency_id
        )
    return False


def scope_problem(role: Role, site_id: uuid.UUID | None, agency_id: uuid.UUID | None) -> str | None:
    """Which scope fields a role needs; None when the combination is valid."""
    if role is Role.national_overseer:
        if site_id is None and agency_id is None:
            return None
        return "Pengawas nasional tidak terikat pada satu MPP atau instansi."
    if site_id is None:
        return "Peran ini harus terikat pada satu MPP."
    if role in (Role.agency_admin, Role.counter_officer) and agency_id is None:
        return "Peran ini harus terikat pada satu instansi."
    if role is Role.site_manager and agency_id is not None:
        return "Pengelola MPP tidak terikat pada satu instansi."
    return None


def can_operate_counter(actor: Actor, site: SiteRef, counter_agency_id: uuid.UUID) -> bool:
    """Open, close and call at a counter: its agency's officers and admins, or the site's manager."""
    if can_manage_site(actor, site):
        return True
    return (actor.role in (Role.counter_officer, Role.agency_admin) and _home(actor, site)
            and actor.agency_id == counter_agency_id)


def can_issue_tickets(actor: Actor, site: SiteRef) -> bool:
    """Reception staff of a site may issue tickets on a visitor's behalf (kiosks use device tokens)."""
    return can_read_site(actor, site)
