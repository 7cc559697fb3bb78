"""What the officer's console asks of the staffing capability, handed in once at start-up.

Staffing reads the queue (service times, counters open), so the queue must not import staffing:
"my counter" after login reaches the roster through this protocol, which app.py fills with
`staffing.service` (as surveys.py does for feedback).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from fastapi import FastAPI, Request

from ..db import Database


class RosteredCounters(Protocol):
    def rostered_counter(self, db: Database, user_id: uuid.UUID, site_code: str) -> int | None:
        """The counter the roster puts this login's officer at today, or None."""


class _NoRoster:
    def rostered_counter(self, db: Database, user_id: uuid.UUID, site_code: str) -> int | None:
        return None


def install(app: FastAPI, roster: RosteredCounters) -> None:
    app.state.rostered_counters = roster


def of(request: Request) -> RosteredCounters:
    roster: RosteredCounters = getattr(request.app.state, "rostered_counters", None) or _NoRoster()
    return roster
