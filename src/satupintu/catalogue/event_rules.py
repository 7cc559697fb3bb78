"""Rules of a mobile service event (Pelayanan Bergerak) without I/O: the code suggested from its
name, which status changes are allowed, and what must be ready before it opens."""

from __future__ import annotations

import re
import unicodedata

STATUSES = ("planned", "open", "closed")
# planned -> open (serving) or closed (called off); open -> closed; a closed event may reopen.
TRANSITIONS: dict[str, tuple[str, ...]] = {"planned": ("open", "closed"), "open": ("closed",), "closed": ("open",)}
MAX_CODE = 64


def suggest_code(name: str, parent_code: str = "") -> str:
    """A site code from an event's name: lower-case ASCII words joined by '-', prefixed with the
    mall's code when it does not already start with it ('Pelayanan Bergerak Plaza Lahat' at
    'lahat' -> 'lahat-pelayanan-bergerak-plaza'); empty when the name has no letters or digits."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    if parent_code:
        words = [w for w in words if w != parent_code.lower()]
        words = [*re.findall(r"[a-z0-9]+", parent_code.lower()), *words]
    code = ""
    for word in words:
        candidate = f"{code}-{word}" if code else word
        if len(candidate) > MAX_CODE:
            break
        code = candidate
    return code if len(code) >= 2 else ""


def can_change(current: str, wanted: str) -> bool:
    return wanted in TRANSITIONS.get(current, ())


def open_problems(service_count: int, served_count: int) -> list[tuple[str, str]]:
    """Why an event cannot open yet, as (field, Indonesian message): it offers no service, or a
    service it offers has no counter there (a citizen would wait for ever)."""
    problems: list[tuple[str, str]] = []
    if service_count == 0:
        problems.append(("services", "Pilih minimal satu layanan sebelum membuka kegiatan."))
    elif served_count < service_count:
        missing = service_count - served_count
        problems.append(("counters", f"{missing} layanan belum dilayani loket mana pun; buat atau ubah loket dulu."))
    return problems
