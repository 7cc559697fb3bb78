"""The one rule for text that enters SatuPintu, whatever the path (JSON, forms, spreadsheet
import, survey, complaint, attachment names). Pure, no I/O.

Text may hold any character except C0 control characters other than tab, line feed and
carriage return (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), and except lone UTF-16
surrogates (which JSON can carry as escapes but UTF-8 cannot encode). No database column
stores NUL, XML (and so XLSX) holds none of the control characters, and no citizen types
them: they arrive by copy and paste or by mischief, and are refused with the field named
rather than stored and found later by a broken export.
"""

from __future__ import annotations

import re
from typing import Any

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why this text is refused, in Indonesian (to follow the field's name), or None when it is fine."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    if found.group() >= "\ud800":
        return f"memuat karakter {code} yang tidak sah"
    return f"memuat karakter kendali {code} yang tidak diizinkan (hanya tab dan baris baru yang boleh)"


def first_text_problem(value: Any, path: str = "") -> tuple[str, str] | None:
    """(dotted path, problem) of the first text, dictionary key included, that breaks the rule."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_text_problem(key, path) or first_text_problem(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            found = first_text_problem(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def replace_forbidden(value: str, replacement: str = "\ufffd") -> str:
    """The text with each refused character replaced: for writing out what was stored before the rule."""
    return _FORBIDDEN.sub(replacement, value)
