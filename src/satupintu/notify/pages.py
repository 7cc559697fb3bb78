"""The site manager's page of messages sent to citizens (and, in development, the outbox)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..catalogue import service as catalogue
from ..errors import Unauthenticated
from ..web.render import render
from ..web.security import session_actor
from .api import site_messages

router = APIRouter(include_in_schema=False)


@router.get("/kelola/{site}/pesan")
def messages(request: Request, site: str, status: str = "") -> Response:
    actor = session_actor(request)
    if actor is None:
        raise Unauthenticated()
    request.state.actor = actor
    db = request.app.state.db
    chosen = status if status in ("pending", "sending", "sent", "failed") else None
    return render(request, "notify/messages.html", site=catalogue.get_site(db, site),
                  messages=site_messages(db, actor, site, chosen), status=status)
