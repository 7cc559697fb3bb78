"""The running text along the foot of a site's display boards: set by the site's manager,
stored per site, pushed to the boards live (`board.text`) once it committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .. import audit
from ..catalogue import service as catalogue
from ..db import Database, on_commit
from ..errors import FieldError, Forbidden, ValidationFailed
from ..scope import Actor, can_manage_site
from ..timeutil import utcnow
from .models import BoardText
from .tickets import site_channel

MAX_LENGTH = 300


def check_board_text(text: str) -> tuple[str, str | None]:
    """The text as stored (whitespace runs made one space, no line breaks: it runs on one
    line) and the refusal to show beside the field, or None. Empty is allowed: no line."""
    clean = " ".join(text.split())
    if len(clean) > MAX_LENGTH:
        return clean, f"Teks berjalan paling panjang {MAX_LENGTH} karakter; sekarang {len(clean)}."
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
        return clean, "Teks berjalan tidak boleh berisi karakter kendali."
    return clean, None


@dataclass(frozen=True)
class BoardTextView:
    site: str
    text: str
    updated_at: datetime | None
    updated_by: str


def _managed_site(s: Session, actor: Actor, site_code: str) -> catalogue.SiteFacts:
    site = catalogue.require_site(s, site_code)
    if not can_manage_site(actor, site.ref):
        raise Forbidden("Anda tidak berwenang mengatur papan MPP ini.")
    return site


def board_text(db: Database, actor: Actor, site_code: str) -> BoardTextView:
    """The running text as the manager's page shows it."""
    with db.read() as s:
        site = _managed_site(s, actor, site_code)
        row = s.get(BoardText, site.id)
        return BoardTextView(site.code, row.text if row else "", row.updated_at if row else None,
                             row.updated_by if row else "")


def set_board_text(db: Database, actor: Actor, site_code: str, text: str) -> BoardTextView:
    """Store the site's running text in one transaction (audited); the boards hear it live."""
    clean, problem = check_board_text(text)
    if problem:
        raise ValidationFailed([FieldError("text", problem, "invalid")])
    now = utcnow()
    with db.write() as s:
        site = _managed_site(s, actor, site_code)
        row = s.get(BoardText, site.id)
        before = {"text": row.text} if row else None
        if row is None:
            row = BoardText(site_id=site.id)
            s.add(row)
        row.text, row.updated_at, row.updated_by = clean, now, actor.label
        s.flush()
        audit.record(s, actor, "board.text", "site", site.id, site.id, before, {"text": clean})
        on_commit(s, site_channel(site.id), {"type": "board.text", "site": site.code, "text": clean,
                                             "at": now.isoformat()})
        return BoardTextView(site.code, clean, now, actor.label)
