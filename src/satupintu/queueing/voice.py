"""What the display board says when it calls a number, the Indonesian way. Pure.

"A-012" at counter 5 -> "Nomor antrean A, nol dua belas, silakan ke loket lima."
The same call as recorded clips (call_clips), for a board with no Indonesian speech voice.
Leading zeros are read one by one ("nol"), the rest as a number ("dua belas").
"""

from __future__ import annotations

import re

ONES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")


def say_number(n: int) -> str:
    """0 <= n < 1,000,000 in Indonesian words: 11 'sebelas', 100 'seratus', 1000 'seribu'."""
    if n < 0 or n >= 1_000_000:
        raise ValueError("number out of range")
    if n < 10:
        return ONES[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{ONES[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{ONES[tens]} puluh" + (f" {ONES[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{ONES[hundreds]} ratus"
        return head + (f" {say_number(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "seribu" if thousands == 1 else f"{say_number(thousands)} ribu"
    return head + (f" {say_number(rest)}" if rest else "")


def say_ticket(number: str) -> str:
    """'A-012' -> 'A, nol dua belas'."""
    prefix, _, digits = number.partition("-")
    if not digits.isdigit():
        return number
    zeros = len(digits) - len(digits.lstrip("0"))
    if zeros == len(digits):
        spoken = " ".join(["nol"] * len(digits))
    else:
        spoken = " ".join(["nol"] * zeros + [say_number(int(digits))])
    return f"{prefix}, {spoken}"


def call_announcement(number: str, counter: int, agency: str = "", floor: str = "", recall: bool = False) -> str:
    """What the board says: 'Nomor antrean A, nol dua belas, silakan ke loket lima, Disdukcapil,
    lantai dua.'; a recall starts 'Panggilan ulang'."""
    text = f"Nomor antrean {say_ticket(number)}, silakan ke loket {say_number(counter)}"
    if agency.strip():
        text += f", {agency.strip()}"
    spoken_floor = say_floor(floor)
    if spoken_floor:
        text += f", {spoken_floor}"
    text += "."
    return f"Panggilan ulang. {text}" if recall else text


# ---------------------------------------------------------------- recorded clips

LETTERS = tuple(chr(c) for c in range(ord("a"), ord("z") + 1))
NUMBER_WORDS = (*ONES, "sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus")
PHRASES = ("chime", "panggilan-ulang", "nomor-antrean", "silakan-ke-loket", "lantai")
# Every clip a voice pack must hold (agency clips are extra, where configured).
REQUIRED_CLIPS: tuple[str, ...] = (*PHRASES, *(f"huruf-{x}" for x in LETTERS), *NUMBER_WORDS)
# What each clip says, for the offline engine (the chime is a tone, not speech).
CLIP_TEXT: dict[str, str] = {
    "panggilan-ulang": "panggilan ulang", "nomor-antrean": "nomor antrean", "silakan-ke-loket": "silakan ke loket",
    "lantai": "lantai", **{f"huruf-{x}": x.upper() for x in LETTERS}, **{w: w for w in NUMBER_WORDS},
}
_FLOOR = re.compile(r"^\s*(?:lantai|lt\.?)\s*(\d{1,3})\s*$", re.IGNORECASE)


def agency_clip(short_name: str) -> str:
    """The clip key of an agency's spoken name: 'Disdukcapil' -> 'instansi-disdukcapil'."""
    slug = re.sub(r"[^a-z0-9]+", "-", short_name.lower()).strip("-")
    return f"instansi-{slug}" if slug else ""


def say_floor(floor: str) -> str:
    """'Lantai 2' -> 'lantai dua'; another name as written; '' when none."""
    m = _FLOOR.match(floor)
    return f"lantai {say_number(int(m.group(1)))}" if m else floor.strip()


def number_clips(n: int) -> list[str]:
    """0..999 as clip keys, the words of say_number; larger numbers digit by digit."""
    if n < 0:
        raise ValueError("number out of range")
    if n >= 1000:
        return [ONES[int(d)] for d in str(n)]
    return say_number(n).split()


def ticket_clips(number: str) -> list[str]:
    """'A-012' -> letters, then leading zeros one by one and the rest as a number."""
    prefix, _, digits = number.partition("-")
    if not digits:
        prefix, digits = "".join(c for c in number if not c.isdigit()), "".join(c for c in number if c.isdigit())
    keys = [f"huruf-{c.lower()}" for c in prefix if c.isascii() and c.isalpha()]
    if not digits.isdigit():
        return keys
    zeros = len(digits) - len(digits.lstrip("0"))
    if zeros == len(digits):
        return keys + ["nol"] * len(digits)
    rest = int(digits)
    spoken = number_clips(rest) if rest < 1000 else [ONES[int(d)] for d in digits[zeros:]]
    return keys + ["nol"] * zeros + spoken


def call_clips(number: str, counter: int, agency: str = "", floor: str = "", recall: bool = False) -> list[str]:
    """The clips a board plays for a call, in order, chime first; the same words as
    call_announcement. An agency clip is extra (a board skips it where none was made);
    a floor is said only when it is 'Lantai <n>' (other names have no clip)."""
    keys = ["chime"] + (["panggilan-ulang"] if recall else [])
    keys += ["nomor-antrean", *ticket_clips(number), "silakan-ke-loket", *number_clips(counter)]
    key = agency_clip(agency)
    if key:
        keys.append(key)
    m = _FLOOR.match(floor)
    if m:
        keys += ["lantai", *number_clips(int(m.group(1)))]
    return keys
