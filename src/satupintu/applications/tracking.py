"""Tracking numbers of applications: short, unambiguous, with a check character.

Format ``PRM-7K3Q-9XWD``: the prefix ``PRM`` (permohonan) and eight characters, seven random
plus one check character, from a 32-character alphabet without the look-alikes 0/O and 1/I.

The check character is computed over GF(32) (polynomial x^5 + x^2 + 1) with the Damm-style
quasigroup ``a * b = 2a + b``: interim = 2 * interim + value for each character, and the
check character brings the final interim to zero. Because ``b -> 2a + b`` and
``a -> 2a + b`` are both bijections, every single-character substitution is caught; because
``(c*x)*y == (c*y)*x`` only when ``x == y`` (3 is invertible in GF(32)), every swap of two
adjacent different characters is caught too, including a swap with the check character.

Typing is forgiving: case, spaces, dashes and the missing prefix do not matter.
"""

from __future__ import annotations

import re
import secrets
from typing import Protocol

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters: no 0, 1, I, O
PREFIX = "PRM"
BODY_LENGTH = 8  # 7 random characters + 1 check character
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_POLY = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)
_IGNORED = re.compile(r"[\s\-_./]+")

assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32


class _Rng(Protocol):
    def randrange(self, stop: int, /) -> int: ...


def _times_two(a: int) -> int:
    a <<= 1
    return a ^ _POLY if a & 0b100000 else a


def _interim(values: list[int]) -> int:
    interim = 0
    for v in values:
        interim = _times_two(interim) ^ v
    return interim


def check_character(body: str) -> str:
    """The check character for the random part (characters from ALPHABET)."""
    return ALPHABET[_times_two(_interim([_VALUE[ch] for ch in body]))]


def _format(body: str) -> str:
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def new_tracking_number(rng: _Rng | None = None) -> str:
    """A fresh tracking number such as ``PRM-7K3Q-9XWD`` (32^7, about 3.4e10, possibilities).

    `rng` is anything with ``randrange`` (``random.Random(seed)`` in tests); the default is
    the operating system's secure generator, since numbers let citizens look up status.
    """
    source: _Rng = rng or secrets.SystemRandom()
    random_part = "".join(ALPHABET[source.randrange(len(ALPHABET))] for _ in range(BODY_LENGTH - 1))
    return _format(random_part + check_character(random_part))


def normalize_tracking_number(text: str | None) -> str | None:
    """The canonical form ``PRM-XXXX-XXXX`` of what a citizen typed, or None if not valid."""
    if not text:
        return None
    compact = _IGNORED.sub("", text).upper()
    if len(compact) == len(PREFIX) + BODY_LENGTH and compact.startswith(PREFIX):
        compact = compact[len(PREFIX):]
    if len(compact) != BODY_LENGTH or any(ch not in _VALUE for ch in compact):
        return None
    if _interim([_VALUE[ch] for ch in compact]) != 0:
        return None
    return _format(compact)


def is_valid_tracking_number(text: str | None) -> bool:
    return normalize_tracking_number(text) is not None
