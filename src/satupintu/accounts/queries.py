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

from .models import User

__all__ = ["UserFacts", "user_by_username", "usernames"]


@dataclass(frozen=True)
class UserFacts:
    id: uuid.UUID
    username: str
    site_id: uuid.UUID | None
    active: bool


def user_by_username(s: Session, username: str) -> UserFacts | None:
    """The account with exactly this (lower-case) username; None when there is none."""
    row = s.execute(select(User.id, User.username, User.site_id, User.active)
                    .where(User.username == username)).first()
    return UserFacts(*row) if row else None


def usernames(s: Session, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The username of each of these accounts that exists, by id."""
    if not user_ids:
        return {}
    return {uid: name for uid, name in s.execute(select(User.id, User.username).where(User.id.in_(user_ids)))}
