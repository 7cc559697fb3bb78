"""What the display board says when it calls a number, the Indonesian way. Pure.

"A-012" at counter 5 -> "Nomor antrean A, nol dua belas, silakan ke loket lima."
Leading zeros are read one by one ("nol"), the rest as a number ("dua belas").
"""

from __future__ import annotations

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


def call_announcement(number: str, counter: int) -> str:
    return f"Nomor antrean {say_ticket(number)}, silakan ke loket {say_number(counter)}."
