"""Pairing a kiosk or a board without copying a token: pure rules, no I/O.

The device opens /pasang and shows a short code; the manager types that code on their own
screen, names the device and picks its site; the device's next poll receives its credential.
This module holds the rules of the code itself:

- 8 characters from an alphabet without look-alikes (no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B),
  shown as two groups of four ("K7MX-4RHT"); 21^8 ≈ 38 billion codes, so guessing one of the
  few that are waiting at any time is hopeless even before the attempt limit.
- What a person types is forgiven: case, spaces and dashes.
- A code lives PAIRING_MINUTES; after that the device asks for a new one.
- A manager who mistypes MAX_WRONG_ATTEMPTS codes in a window is paused (the caller counts).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

ALPHABET = "3479ACEFHJKMNPRTUVWXY"  # no symbol here is easily read as another
CODE_LENGTH = 8
GROUP = 4
PAIRING_MINUTES = 10
MAX_WRONG_ATTEMPTS = 5
WRONG_ATTEMPT_WINDOW = timedelta(minutes=15)

def new_code() -> str:
    """A fresh pairing code, without grouping (store this form)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """The code as the device shows it: 'K7MX4QHR' -> 'K7MX-4QHR'."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str | None:
    """What the manager typed, as a stored code; None when it cannot be one (wrong length or
    a character that is in no code)."""
    code = "".join(c for c in typed.upper() if c not in " -\t")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def expires_at(created_at: datetime) -> datetime:
    return created_at + timedelta(minutes=PAIRING_MINUTES)


def is_expired(created_at: datetime, now: datetime) -> bool:
    return now >= expires_at(created_at)


def is_paused(wrong_attempts_at: list[datetime], now: datetime) -> bool:
    """Whether a manager must wait: too many wrong codes within the recent window."""
    recent = [t for t in wrong_attempts_at if now - t < WRONG_ATTEMPT_WINDOW]
    return len(recent) >= MAX_WRONG_ATTEMPTS
