"""The survey code a visitor holds: printed on the ticket and carried by its QR. Pure, no I/O.

The SKM index is a regulated figure, so a survey may be answered only by someone holding the
ticket, never by typing a bare (sequential) ticket number. The code is derived, not stored:
an HMAC-SHA256 of the visit's id under a server key, cut to 8 characters of an unambiguous
alphabet (no 0/O, 1/I): 40 bits, so guessing one takes about 2^39 tries. Deriving it means
every path that issues a ticket (the kiosk, reception, the PostgreSQL single-statement issue,
booking check-in, referral) has a code without writing anything, and no migration is needed.
It belongs to the visit, so a visit referred to another service keeps the code on the
ticket the visitor holds. Changing the server key voids the codes of tickets still
unanswered (the survey window is a week).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 characters, 5 bits each; no 0/O, 1/I
LENGTH = 8
_LABEL = b"satupintu.survey-code.v1:"
_QR_PARAM = re.compile(r"[?&]kode=([A-Za-z0-9-]+)")


def survey_code(key: bytes, visit_id: uuid.UUID) -> str:
    """The 8-character code of a visit, e.g. 'K7QM3XWD'."""
    digest = hmac.new(key, _LABEL + visit_id.bytes, hashlib.sha256).digest()
    bits = int.from_bytes(digest[:5], "big")  # 40 bits = 8 characters
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(LENGTH)))


def display(code: str) -> str:
    """As printed: 'K7QM-3XWD'."""
    return code[:4] + "-" + code[4:]


def normalise(raw: str) -> str | None:
    """The code from what was typed ('k7qm-3xwd', 'K7QM 3XWD') or read from the ticket's QR by a
    scanner (the ticket page's address with ?kode=...); None when it cannot be a code."""
    text = raw.strip()
    found = _QR_PARAM.search(text)
    if found:
        text = found.group(1)
    code = re.sub(r"[\s\-]", "", text).upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def matches(key: bytes, visit_id: uuid.UUID, raw: str | None) -> bool:
    code = normalise(raw or "")
    return code is not None and hmac.compare_digest(code, survey_code(key, visit_id))
