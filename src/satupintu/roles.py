"""Who acts: staff roles and the kinds of registered device; shared by every capability."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    national_overseer = "national_overseer"
    site_manager = "site_manager"
    agency_admin = "agency_admin"
    counter_officer = "counter_officer"


class DeviceKind(str, enum.Enum):
    kiosk = "kiosk"
    board = "board"
