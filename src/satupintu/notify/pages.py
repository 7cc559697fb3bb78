"""The site manager's page of messages sent to citizens (and, in development, the outbox)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..catalogue import service as catalogue
from ..web.pages import db_of, staff_actor
from ..web.render import register_templates, render
from .api import site_messages

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")


@router.get("/kelola/{site}/pesan")
def messages(request: Request, site: str, status: str = "") -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    chosen = status if status in ("pending", "sending", "sent", "failed", "cancelled") else None
    return render(request, "notify/messages.html", site=catalogue.get_site(db, site),
                  messages=site_messages(db, actor, site, chosen), status=status)
