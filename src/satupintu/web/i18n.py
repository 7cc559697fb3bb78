"""Translations. Pages are written in Indonesian (the default); English comes from gettext
catalogues (web/locale/en/LC_MESSAGES/*.po: messages.po, plus one per capability where that
keeps edits apart), read at start-up with Babel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("id", "en")
DEFAULT = "id"


@lru_cache
def catalogue(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=lang)
        # Plain messages only: a plural entry's id and string are tuples, and no page uses plurals.
        out.update({m.id: m.string for m in cat
                    if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string and not m.fuzzy})
    return out


def gettext(lang: str, message: str) -> str:
    if lang == DEFAULT:
        return message
    return catalogue(lang).get(message, message)


def pick_language(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT
