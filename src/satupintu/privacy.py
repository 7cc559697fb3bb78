"""Personal data typed into free text, and what a public page may show of it. Pure, no I/O.

Citizens type their NIK, phone number or e-mail into complaint bodies, survey suggestions
and replies ("hubungi saya di 0812-3456-7890"). Every public rendering of free text goes
through `mask_personal_data`, which keeps the text readable and hides:

- NIK-like runs: 16 or more digits, also written with spaces, dots or dashes
  ("3201 2345 6789 0001", "3201.2345.6789.0001"); this also covers KK and card numbers;
- phone numbers: mobile 08x... (10 digits or more) or 62 8x..., anything after +62, and
  landlines with their area code (021-1234567, (0711) 123456), with any spaces, dots, dashes
  or parentheses between the digits;
- e-mail addresses (the part before @).

A masked run keeps its first four and last two digits (`0812******90`), like the masked NIK
staff see elsewhere (`1604**********01`). Ordinary numbers stay as they are: dates
(12-03-2024, 2024-03-12, 12/03/2024), times (08.00-15.00), sums of money (Rp 50.000,
Rp 1.500.000), ticket numbers (A-012), years and counter numbers. A date or time at the
start of a run of digits is recognised and kept, so "08-12-2024 10.00" is not mistaken for a
phone number that starts with 0812.
"""

from __future__ import annotations

import re

# A run of digits joined by at most three separator characters ("0812 - 3456"), maybe after + or (.
_RUN = re.compile(r"(?:\+ ?|\()?\d(?:[ .\-()\u00a0]{0,3}\d)*")
_SEP = re.compile(r"[ .\-()\u00a0]+")
# Ordinary shapes recognised at the start of a run (then the rest of the run is judged alone).
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_ORDINARY_HEAD = re.compile(
    rf"(?:{_DAY}([-.]){_MONTH}\1(?:19|20)?\d\d"  # 12-03-2024, 08.12.24
    rf"|(?:19|20)\d\d-{_MONTH}-{_DAY}"  # 2024-03-12
    r"|(?:[01]?\d|2[0-3])[.:][0-5]\d)"  # 08.00, 15:30
    r"(?!\d)")
_MONEY = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")  # 1.500.000: never a phone number
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")

NIK_DIGITS = 16


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _is_phone(run: str, digits: str) -> bool:
    if run.startswith("+"):
        return digits.startswith("62") and len(digits) >= 10
    if _MONEY.fullmatch(run):
        return False
    if digits.startswith("08") and len(digits) >= 10 and digits[2] != "0":
        return True  # a mobile number
    if re.match(r"0[2-79]", digits) and len(digits) >= 9:
        return True  # a landline with its area code: 021-1234567, (0711) 123456
    return digits.startswith("628") and len(digits) >= 11


def _masked(run: str, digits: str) -> str:
    keep_head, keep_tail = 4, 2
    return ("+" if run.startswith("+") else "") + digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) \
        + digits[-keep_tail:]


def _judge(run: str) -> str:
    digits = _digits(run)
    if len(digits) >= NIK_DIGITS:
        return _masked(run, digits)
    head = _ORDINARY_HEAD.match(run)
    if head:
        rest = run[head.end():]
        gap = _SEP.match(rest)
        if gap and gap.end() < len(rest):
            return run[:head.end()] + gap.group(0) + _judge(rest[gap.end():])
        return run
    if _is_phone(run, digits):
        return _masked(run, digits)
    return run


def _mask_email(match: re.Match[str]) -> str:
    local, domain = match.group(1), match.group(2)
    return local[:1] + "***@" + domain


def mask_personal_data(text: str) -> str:
    """The text as a public page may show it: NIK-like runs, phone numbers and e-mail
    addresses masked, everything else unchanged."""
    if not text:
        return text
    out = _EMAIL.sub(_mask_email, text)
    return _RUN.sub(lambda m: _judge(m.group(0)), out)


def mask_contact(contact: str) -> str:
    """A reporter's contact (phone or e-mail) as staff lists show it."""
    value = contact.strip()
    if not value:
        return ""
    masked = mask_personal_data(value)
    if masked == value and len(value) > 4:  # something else (a handle, an address): keep only its start
        return value[:2] + "*" * (len(value) - 2)
    return masked
