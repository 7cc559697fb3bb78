"""Which regency (or city) and province a site is in, read from its name or address against the
official region list (`data/regions.csv`, as the NIK check uses). Pure (the list is package data).

'MPP Kabupaten Lahat' -> Kabupaten Lahat (1604), Sumatera Selatan (16). A site whose name and
address name no regency or city is 'Tidak diketahui', so it still shows in the national view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..feedback.letterhead import region_of
from ..nik import regions

UNKNOWN = "Tidak diketahui"


@dataclass(frozen=True)
class Place:
    regency_code: str | None
    regency: str  # 'Kabupaten Lahat'
    province_code: str | None
    province: str  # 'Sumatera Selatan'


def _key(name: str) -> str:
    """Letters only, lower case: 'Kota Lubuklinggau' and 'Kota Lubuk Linggau' are one city."""
    return re.sub(r"[^a-z]", "", name.lower())


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    """Current regency and city names (as `_key`) -> code."""
    return {_key(r.name): code for code, r in regions().items() if len(code) == 4 and r.current}


def place_of(*texts: str) -> Place:
    found = region_of(*texts)
    if found is None:
        return Place(None, UNKNOWN, None, UNKNOWN)
    name = f"{found[0]} {found[1]}"
    code = _by_name().get(_key(name))
    if code is None:
        return Place(None, name, None, UNKNOWN)
    province = regions().get(code[:2])
    return Place(code, name, code[:2], province.name if province else UNKNOWN)
