"""Notification tests. Shared fixtures live here and are imported by the test modules.

`notify_db` is the migrated `empty_db` (migration 0007 builds the notifications table).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import satupintu.models  # noqa: F401  (sites etc. in the metadata, for the foreign key)
from satupintu.config import Settings
from satupintu.db import Database
from satupintu.notify.channels import OutgoingMessage

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 WIB


@pytest.fixture
def notify_db(empty_db: Database) -> Iterator[Database]:
    yield empty_db


def settings(db: Database, **overrides: object) -> Settings:
    values: dict[str, object] = dict(database_url=db.url, secret_key="uji-" + uuid.uuid4().hex,
                                     notify_channels="outbox", notify_max_attempts=4,
                                     notify_backoff_base_seconds=10, notify_backoff_cap_seconds=60,
                                     notify_lease_seconds=120, notify_poll_seconds=0.05, notify_batch_size=10)
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class RecordingChannel:
    """A stand-in provider that accepts everything and remembers it (thread-safe)."""

    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.sent: list[OutgoingMessage] = []
        self.count: Counter[uuid.UUID] = Counter()
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> None:
        with self._lock:
            self.sent.append(message)
            self.count[message.id] += 1
