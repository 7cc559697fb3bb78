"""The letterhead (kop surat) and signature block of a report the DPMPTSP sends out. Pure.

A site records its name and address, not its regional government: the regency or city is read
from the name ('MPP Kabupaten Lahat'), else from the address ('..., Kota Lubuklinggau, ...')."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

OFFICE = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
SIGNATORY = "Kepala Dinas Penanaman Modal dan PTSP"
_REGION = re.compile(r"\b(Kabupaten|Kab\.|Kota)\s+((?:[A-Z][\w'\-]*)(?:\s+[A-Z][\w'\-]*)*)")


@dataclass(frozen=True)
class Letterhead:
    pemda: str  # 'Pemerintah Kabupaten Lahat' ('' when no regency or city can be read)
    office: str
    region: str  # 'Kabupaten Lahat'
    site_name: str
    address: str
    place: str  # where it is signed: 'Lahat'
    signed_on: date
    signatory: str


def region_of(*texts: str) -> tuple[str, str] | None:
    """('Kabupaten', 'Lahat') from the first text naming a regency or city."""
    for text in texts:
        m = _REGION.search(text or "")
        if m:
            kind = "Kabupaten" if m.group(1).startswith("Kab") else "Kota"
            return kind, m.group(2)
    return None


def letterhead(site_name: str, address: str, signed_on: date, *more_names: str) -> Letterhead:
    found = region_of(site_name, *more_names, address)
    region = f"{found[0]} {found[1]}" if found else ""
    return Letterhead(pemda=f"Pemerintah {region}" if region else "", office=OFFICE, region=region,
                      site_name=site_name, address=address, place=found[1] if found else "",
                      signed_on=signed_on, signatory=SIGNATORY)
