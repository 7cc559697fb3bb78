"""Client systems' own reference numbers for applications: pure rules, no I/O.

An agency's system keeps its own case number for an application (`external_ref`). It is
attached by that client only, once per application, and is unique within the client, so the
client can find the application again by its own number."""

from __future__ import annotations

import re

MAX_LENGTH = 64
# Letters and digits first, then letters, digits and . _ : / - (no spaces): case numbers as
# agencies write them (`DKC/2026/000123`, `SIAK-1604-7781`).
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")


def normal_ref(text: str) -> str | None:
    """The reference as stored (surrounding spaces removed), or None when it is not one."""
    ref = text.strip()
    return ref if _REF.fullmatch(ref) else None


PROBLEM = ("Nomor referensi berisi 1-64 karakter: huruf, angka, dan . _ : / - tanpa spasi, diawali huruf atau "
           "angka.")
