""""Loket tidak boleh kosong": may a counter close while people wait? Pure rules, no I/O.

A counter is the last open counter of a service when no other open counter serves it; closing
it is refused while that service has people waiting, unless a covering counter is opened
first or a supervisor confirms with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Conflict

CLOSE_REASONS = {"istirahat": "Istirahat", "selesai_shift": "Selesai shift", "gangguan": "Gangguan",
                 "lainnya": "Lainnya"}


@dataclass(frozen=True)
class Uncovered:
    """A service this counter alone serves among the open counters, with people waiting."""

    service_id: uuid.UUID
    waiting: int


def uncovered_services(closing: uuid.UUID, services: Mapping[uuid.UUID, frozenset[uuid.UUID]],
                       open_ids: frozenset[uuid.UUID], waiting: Mapping[uuid.UUID, int]) -> list[Uncovered]:
    """The services of counter `closing` that no other open counter serves and that have
    people waiting (`services`: each counter's services; `waiting`: waiting per service)."""
    others = set().union(*(services.get(c, frozenset()) for c in open_ids if c != closing))
    return [Uncovered(sid, waiting[sid]) for sid in sorted(services.get(closing, frozenset()))
            if waiting.get(sid, 0) > 0 and sid not in others]


def covering_counters(uncovered: list[Uncovered], services: Mapping[uuid.UUID, frozenset[uuid.UUID]],
                      open_ids: frozenset[uuid.UUID], closing: uuid.UUID) -> list[uuid.UUID]:
    """Closed counters that serve at least one uncovered service: opening one of them first
    lets the close go through (for the services it covers)."""
    needed = {u.service_id for u in uncovered}
    return [c for c, sids in services.items() if c != closing and c not in open_ids and sids & needed]


class LastOpenCounter(Conflict):
    """The refusal, machine-readable: the services left with nobody and who could cover."""

    def __init__(self, number: int, services: list[dict[str, Any]], covering: list[int]) -> None:
        names = ", ".join(f"{s['name']} ({s['waiting']} menunggu)" for s in services)
        super().__init__("last_open_counter",
                         f"Loket {number} adalah loket terakhir yang buka untuk {names}. Buka loket lain "
                         "lebih dahulu atau minta konfirmasi penyelia.", "counter")
        self.services = services
        self.covering = covering

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["error"]["services"] = self.services
        body["error"]["covering_counters"] = self.covering
        return body
