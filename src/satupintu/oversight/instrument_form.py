"""The instrument editing form (`/nasional/instrumen`) to and from `Instrument.as_dict()`. Pure, no I/O.

The form names each field by its path in the instrument (`aspects[0].indicators[2].weight`), so
the errors of `Instrument.from_dict` / `validate` land beside the field they name. The form also
carries one empty aspect and one empty indicator per aspect to add, and a "remove" box per row:
empty and removed rows are left out before checking, and `posted_field` maps an error's path in
the compacted instrument back to the row it came from. Bands are typed one per line as
`minimum = score` and evidence as `code: text`; numbers take a decimal comma or point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import FieldError

_PATH = re.compile(r"^aspects\[(\d+)\](?:\.indicators\[(\d+)\])?(?:\.(.+))?$")
ASPECT_FIELDS = ("key", "name", "weight", "remove")
INDICATOR_FIELDS = ("key", "text", "weight", "kind", "measure", "bands", "evidence", "target", "remove")


@dataclass
class Parsed:
    data: dict[str, Any]
    aspects: list[int] = field(default_factory=list)  # compacted aspect n came from posted aspect aspects[n]
    indicators: list[list[int]] = field(default_factory=list)  # likewise per aspect
    errors: list[FieldError] = field(default_factory=list)  # named by the posted paths


def number(raw: str) -> float | str:
    """'12,5' -> 12.5; text that is not a number stays text (from_dict names it)."""
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return raw.strip()
    return value if value == value and value not in (float("inf"), float("-inf")) else raw.strip()


def bands_text(bands: Iterable[dict[str, Any]]) -> str:
    return "\n".join(f"{_show(b['minimum'])} = {b['score']}" for b in bands)


def evidence_text(evidence: Iterable[dict[str, Any]]) -> str:
    return "\n".join(f"{e['key']}: {e['text']}" for e in evidence)


def _show(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _bands(raw: str, at: str, errors: list[FieldError]) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(x for x in raw.splitlines() if x.strip()):
        minimum, sep, score = line.partition("=")
        lo, sc = number(minimum), number(score)
        if not sep or isinstance(lo, str) or isinstance(sc, str) or not float(sc).is_integer():
            errors.append(FieldError(at, f"Baris {n + 1}: tulis 'nilai minimum = skor', misalnya '0,9 = 5'."))
            continue
        out.append({"minimum": lo, "score": int(sc)})
    return out


def _evidence(raw: str, at: str, errors: list[FieldError]) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(x for x in raw.splitlines() if x.strip()):
        key, sep, text = line.partition(":")
        if not sep or not key.strip() or not text.strip():
            errors.append(FieldError(at, f"Baris {n + 1}: tulis 'kode: bukti yang diminta', misalnya "
                                         "'sk_maklumat: SK Maklumat Pelayanan'."))
            continue
        if not re.fullmatch(r"[a-z0-9_]{1,64}", key.strip()):
            errors.append(FieldError(at, f"Baris {n + 1}: kode bukti hanya huruf kecil, angka dan garis bawah."))
            continue
        out.append({"key": key.strip(), "text": text.strip()})
    return out


def parse(pairs: Iterable[tuple[str, str]]) -> Parsed:
    """The posted form as the instrument's dict, empty and removed rows left out."""
    top: dict[str, str] = {}
    aspects: dict[int, dict[str, str]] = {}
    indicators: dict[tuple[int, int], dict[str, str]] = {}
    for name, value in pairs:
        m = _PATH.match(name)
        if m is None:
            top[name] = value
        elif m.group(2) is None:
            aspects.setdefault(int(m.group(1)), {})[m.group(3) or ""] = value
        else:
            indicators.setdefault((int(m.group(1)), int(m.group(2))), {})[m.group(3) or ""] = value
    for ai, _ in indicators:
        aspects.setdefault(ai, {})
    errors: list[FieldError] = []
    parsed = Parsed({"name": top.get("name", "").strip(), "aspects": []}, errors=errors)
    for ai in sorted(aspects):
        raw = aspects[ai]
        rows = []
        kept: list[int] = []
        for ii in sorted(i for a, i in indicators if a == ai):
            r = indicators[(ai, ii)]
            if r.get("remove") or not any(r.get(k, "").strip() for k in ("key", "text", "weight")):
                continue
            at = f"aspects[{ai}].indicators[{ii}]"
            kind = r.get("kind", "manual")
            rows.append({"key": r.get("key", "").strip(), "text": r.get("text", "").strip(),
                         "weight": number(r.get("weight", "")), "kind": kind,
                         "measure": (r.get("measure", "").strip() or None) if kind == "measured" else None,
                         "bands": _bands(r.get("bands", ""), f"{at}.bands", errors) if kind == "measured" else [],
                         "evidence": _evidence(r.get("evidence", ""), f"{at}.evidence", errors),
                         "target": number(r.get("target", "4") or "4")})
            kept.append(ii)
        if raw.get("remove") or (not any(raw.get(k, "").strip() for k in ("key", "name", "weight")) and not rows):
            continue
        parsed.data["aspects"].append({"key": raw.get("key", "").strip(), "name": raw.get("name", "").strip(),
                                       "weight": number(raw.get("weight", "")), "indicators": rows})
        parsed.aspects.append(ai)
        parsed.indicators.append(kept)
    return parsed


@dataclass
class AspectRow:
    index: int
    values: dict[str, str]
    indicators: list[tuple[int, dict[str, str]]]


def _blank_indicator() -> dict[str, str]:
    return {"key": "", "text": "", "weight": "", "kind": "manual", "measure": "", "bands": "", "evidence": "",
            "target": "4", "remove": ""}


def rows_of(instrument: dict[str, Any]) -> list[AspectRow]:
    """The form's rows for a stored instrument, with an empty indicator per aspect and an empty
    aspect at the end to add."""
    rows = []
    for ai, a in enumerate(instrument.get("aspects", [])):
        indicators = [(ii, {"key": i["key"], "text": i["text"], "weight": _show(i["weight"]), "kind": i["kind"],
                            "measure": i.get("measure") or "", "bands": bands_text(i.get("bands", [])),
                            "evidence": evidence_text(i.get("evidence", [])), "target": str(i.get("target", 4)),
                            "remove": ""})
                      for ii, i in enumerate(a["indicators"])]
        indicators.append((len(indicators), _blank_indicator()))
        rows.append(AspectRow(ai, {"key": a["key"], "name": a["name"], "weight": _show(a["weight"]), "remove": ""},
                              indicators))
    rows.append(AspectRow(len(rows), {"key": "", "name": "", "weight": "", "remove": ""}, [(0, _blank_indicator())]))
    return rows


def rows_posted(pairs: Iterable[tuple[str, str]]) -> list[AspectRow]:
    """The form's rows as they were posted (to show them again beside their errors)."""
    aspects: dict[int, dict[str, str]] = {}
    indicators: dict[int, dict[int, dict[str, str]]] = {}
    for name, value in pairs:
        m = _PATH.match(name)
        if m is None or m.group(3) is None:
            continue
        ai = int(m.group(1))
        aspects.setdefault(ai, {"key": "", "name": "", "weight": "", "remove": ""})
        if m.group(2) is None:
            aspects[ai][m.group(3)] = value
        else:
            indicators.setdefault(ai, {}).setdefault(int(m.group(2)), _blank_indicator())[m.group(3)] = value
    return [AspectRow(ai, aspects[ai], sorted(indicators.get(ai, {}).items())) for ai in sorted(aspects)]


def posted_field(field_name: str, parsed: Parsed) -> str:
    """An error's field in the compacted instrument as the form names it: the posted row's
    index, and a band's or an evidence line's own parts folded into the whole box."""
    m = _PATH.match(field_name)
    if m is None:
        return field_name
    ai = int(m.group(1))
    if ai >= len(parsed.aspects):
        return "aspects"
    posted = f"aspects[{parsed.aspects[ai]}]"
    rest = m.group(3)
    if m.group(2) is not None:
        ii = int(m.group(2))
        kept = parsed.indicators[ai]
        if ii >= len(kept):
            return f"{posted}.indicators"
        posted += f".indicators[{kept[ii]}]"
    if rest is None:
        return posted
    rest = re.sub(r"^(bands|evidence)\[\d+\].*$", r"\1", rest)
    return f"{posted}.{rest}"


def page_errors(from_dict_errors: Iterable[FieldError], parsed: Parsed) -> dict[str, str]:
    """The messages beside the form's fields: the form's own parsing errors first, then the
    instrument's (the first message per field; later ones for the same field are joined)."""
    out: dict[str, str] = {}
    for e in parsed.errors:
        out[e.field] = f"{out[e.field]} {e.message}" if e.field in out else e.message
    for e in from_dict_errors:
        name = posted_field(e.field, parsed)
        if name in out and e.message in out[name]:
            continue
        if name in out and any(p.field == name for p in parsed.errors):
            continue  # the box could not be read: its own message says why
        out[name] = f"{out[name]} {e.message}" if name in out else e.message
    return out


__all__ = ["AspectRow", "Parsed", "bands_text", "evidence_text", "number", "page_errors", "parse", "posted_field",
           "rows_of", "rows_posted"]
