"""Cursor pagination for the API's list endpoints.

A list answers at most `limit` items (default 500, at most 1,000) and, when more follow, a
`Link: <...>; rel="next"` header (RFC 8288, as GitHub's API does) whose URL carries an opaque
`cursor`; `X-Total-Count` says how many there are in all. The body stays a JSON array, so a
client that reads one page of a short list needs nothing new.

The cursor names the last item sent (its id, or code, or number) and its position. The next page
starts after that item in the list's own order, so an item added or removed before it neither
repeats nor skips one; if that item itself is gone, the page starts at its old position.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response

from ..errors import FieldError, ValidationFailed

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=400, description="From the `Link: rel=\"next\"` header")] = None,
) -> Page:
    return Page(limit, cursor)


PageDep = Annotated[Page, Depends(page_params)]


def item_key(item: Any) -> str | None:
    """What names an item across pages: its id, else its code, number or start time."""
    value = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
    for name in ("code", "number", "start", "key"):
        if value is not None:
            break
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
    return None if value is None else str(value)


def encode_cursor(key: str | None, position: int) -> str:
    raw = json.dumps({"k": key, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str | None, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, position = data["k"], int(data["p"])
        if (key is not None and not isinstance(key, str)) or position < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed([FieldError("cursor", "Kursor halaman tidak dikenali: pakai tautan 'next' "
                                                     "dari jawaban sebelumnya.", "invalid_cursor")]) from None
    return key, position


def start_of(items: Sequence[T], cursor: str | None, key: Callable[[T], str | None] = item_key) -> int:
    """Where the page after `cursor` starts in `items`. Pure."""
    if cursor is None:
        return 0
    last, position = decode_cursor(cursor)
    if last is not None:
        for i, item in enumerate(items):
            if key(item) == last:
                return i + 1
    return min(position, len(items))


def paginate(request: Request, response: Response, items: Sequence[T], page: Page,
             key: Callable[[T], str | None] = item_key) -> list[T]:
    """One page of `items` (already in the list's order), with the Link and X-Total-Count headers."""
    first = start_of(items, page.cursor, key)
    chosen = list(items[first:first + page.limit])
    response.headers["X-Total-Count"] = str(len(items))
    if first + page.limit < len(items):
        after = encode_cursor(key(chosen[-1]) if chosen else None, first + len(chosen))
        url = request.url.include_query_params(cursor=after, limit=page.limit)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return chosen
