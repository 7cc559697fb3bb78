"""Which unit releases the centre syncs with (pure: no I/O).

A release is "MAJOR.MINOR.PATCH"; a patch release never changes what travels between unit and
centre, so only (MAJOR, MINOR) counts. The centre syncs with a unit of its own release or one
release behind it (the minor before, within the same major), so a van that missed the last
update keeps working while its staff plan the upgrade; an older unit is refused by name (the
centre's release is the one to install) and keeps every record until it is upgraded. A unit
newer than the centre is accepted: the centre refuses, row by row, any column it does not know.
"""

from __future__ import annotations

import re

from .. import __version__

CENTRE = __version__  # this install's release, as the centre compares it (a test may pretend another)
HEADER = "X-SatuPintu-Release"
TOO_OLD = "unit_version_too_old"
_RELEASE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")


def of_request(header: str | None, user_agent: str | None) -> str | None:
    """The unit's release from its request: the header, else its user agent "SatuPintu-unit/X"
    (units before the header); None for a caller that is no unit (a manager's own script)."""
    if header is not None:
        return header.strip()
    agent = (user_agent or "").strip()
    return agent.split("/", 1)[1].strip() if agent.startswith("SatuPintu-unit/") else None


def parse(release: str) -> tuple[int, int] | None:
    """(major, minor) of a release text such as "0.4.2" or "1.2.0rc1"; None when unreadable."""
    found = _RELEASE.match(release or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def accepted(centre: str, unit: str) -> bool:
    """May a unit of release `unit` sync with a centre of release `centre`? The same release,
    one minor behind (same major), or newer. An unreadable unit release is refused; an
    unreadable centre release (a development checkout) accepts every readable one."""
    theirs = parse(unit)
    if theirs is None:
        return False
    ours = parse(centre)
    if ours is None or theirs >= ours:
        return True
    return theirs[0] == ours[0] and theirs[1] == ours[1] - 1


def too_old_message(centre: str, unit: str) -> str:
    """What the van's staff read (Indonesian): which release to install; nothing is lost."""
    shown = unit or "tidak diketahui"
    return (f"Versi SatuPintu di unit ({shown}) terlalu lama untuk pusat (versi {centre}). Pasang SatuPintu "
            f"versi {centre} di laptop unit, lalu sinkronkan lagi. Semua catatan unit tetap tersimpan dan "
            f"akan terkirim setelah pembaruan.")
