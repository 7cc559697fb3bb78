"""Named read queries over accounts, for other capabilities.

Staffing links an officer to a login; it reads users through these functions (re-exported by
`accounts.service`) instead of the users table. Each takes the caller's session and returns
plain values, never a user row (and never a password hash).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..roles import Role
from .models import User

__all__ = ["UserFacts", "user_by_id", "user_by_username", "usernames"]


@dataclass(frozen=True)
class UserFacts:
    id: uuid.UUID
    username: str
    site_id: uuid.UUID | None
    active: bool
    role: Role
    agency_id: uuid.UUID | None
    full_name: str


_FACTS = select(User.id, User.username, User.site_id, User.active, User.role, User.agency_id, User.full_name)


def user_by_username(s: Session, username: str) -> UserFacts | None:
    """The account with exactly this (lower-case) username; None when there is none."""
    row = s.execute(_FACTS.where(User.username == username)).first()
    return UserFacts(*row) if row else None


def user_by_id(s: Session, user_id: uuid.UUID) -> UserFacts | None:
    """The account with this id; None when there is none."""
    row = s.execute(_FACTS.where(User.id == user_id)).first()
    return UserFacts(*row) if row else None


def usernames(s: Session, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The username of each of these accounts that exists, by id."""
    if not user_ids:
        return {}
    return {uid: name for uid, name in s.execute(select(User.id, User.username).where(User.id.in_(user_ids)))}
