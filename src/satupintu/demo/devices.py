"""The demo's kiosks and boards, paired in advance so a new user sees a working hall at once.

Each device is paired and confirmed by the system as a manager would on the devices page; what
is printed is a one-time /pasang link that hands the device token to the first browser that
opens it (and becomes useless after). The console needs an officer's sign-in, not a device.
"""

from __future__ import annotations

from datetime import timedelta

from ..accounts import service as accounts
from ..db import Database
from ..roles import DeviceKind
from ..scope import SYSTEM

COLLECT_WITHIN = timedelta(days=7)  # the printed links work for a week after `make demo`
MALL, EVENT = "lahat", "plaza-lematang"
DEVICES = (  # (label printed, site, kind, device name, board's agencies)
    ("Kios MPP Lahat (layar sentuh 1080x1920)", MALL, DeviceKind.kiosk, "Kios lobi utama", ()),
    ("Papan antrean MPP Lahat (TV 1920x1080)", MALL, DeviceKind.board, "Papan aula utama", ()),
    ("Papan antrean Dukcapil", MALL, DeviceKind.board, "Papan Dukcapil", ("DUKCAPIL",)),
    ("Kios Pelayanan Bergerak Plaza Lematang", EVENT, DeviceKind.kiosk, "Kios Plaza Lematang", ()),
)
CONSOLES = (  # (label printed, path): sign in with the printed officer account
    ("Konsol petugas Loket 4 (masuk sebagai petugas.dukcapil)", "/loket/lahat/4"),
    ("Beranda pengelola (masuk sebagai pengelola)", "/kelola/lahat"),
)


def pair_demo_devices(db: Database, base_url: str) -> list[tuple[str, str]]:
    """Pair the demo's devices; returns (label, address) to print, the consoles last."""
    base = base_url.rstrip("/")
    out = []
    for label, site, kind, name, agencies in DEVICES:
        claim = accounts.pair_prepared(db, SYSTEM, MALL, accounts.PairingIn(
            code="-", name=name, kind=kind, site=site, agencies=list(agencies)), COLLECT_WITHIN)
        out.append((label, f"{base}/pasang?klaim={claim}"))
    out.extend((label, base + path) for label, path in CONSOLES)
    return out
