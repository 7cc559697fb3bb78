"""Indonesian mobile numbers as SatuPintu stores them: one written form for every way people
type them (08..., +62..., 62..., with spaces, dashes, dots or brackets)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"08\d{7,12}")


def normalise_phone(raw: str) -> str | None:
    """'+62 812-3456-7890' -> '081234567890'; None when it is not a mobile number (08 and 9-14 digits)."""
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None
