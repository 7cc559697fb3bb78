"""The accounts capability's answer to the web edge's questions about a caller
(`web.providers.Credentials`), over one database; app.py builds it at start-up."""

from __future__ import annotations

import uuid

from ..db import Database
from ..errors import Unauthenticated
from ..roles import DeviceKind
from ..scope import Actor
from . import service


class AccountCredentials:
    """Sessions, bearer tokens, device tokens and sign-in, answered by accounts.service."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def actor_for_session(self, user_id: uuid.UUID, epoch: int) -> Actor | None:
        return service.actor_for_credential(self.db, user_id, epoch)

    def actor_for_api_token(self, token: str) -> Actor:
        return service.actor_from_api_token(self.db, token)

    def authenticate(self, username: str, password: str) -> Actor:
        return service.authenticate(self.db, username, password)

    def change_password(self, actor: Actor, current: str, new: str) -> Actor:
        return service.change_password(self.db, actor, current, new)

    def logout(self, actor: Actor) -> None:
        service.logout(self.db, actor)

    def is_kiosk(self, device_token: str) -> bool:
        try:
            return service.device_from_token(self.db, device_token).kind is DeviceKind.kiosk
        except Unauthenticated:  # a forged or revoked token: counted like any other caller
            return False
