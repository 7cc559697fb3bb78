"""Cooperation agreement (MoU/PKS) status: pure rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class AgreementState(str, enum.Enum):
    not_started = "not_started"
    active = "active"
    expiring = "expiring"
    expired = "expired"


LABELS = {
    AgreementState.not_started: ("Belum berlaku", "Not yet in force"),
    AgreementState.active: ("Berlaku", "In force"),
    AgreementState.expiring: ("Segera berakhir", "Expiring soon"),
    AgreementState.expired: ("Berakhir", "Expired"),
}


@dataclass(frozen=True)
class AgreementStatus:
    state: AgreementState
    days_left: int  # days until the end date (negative once expired)


def agreement_status(starts_on: date, ends_on: date, today: date, warning_days: int) -> AgreementStatus:
    days_left = (ends_on - today).days
    if today < starts_on:
        state = AgreementState.not_started
    elif days_left < 0:
        state = AgreementState.expired
    elif days_left <= warning_days:
        state = AgreementState.expiring
    else:
        state = AgreementState.active
    return AgreementStatus(state, days_left)
