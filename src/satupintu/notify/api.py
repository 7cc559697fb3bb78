"""Notification routes: the site manager sees what was sent to citizens (recipients masked)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response

from ..catalogue import queries as catalogue
from ..errors import Forbidden
from ..scope import Actor, can_manage_site
from ..web.paging import PageDep, paginate
from ..web.security import require_api_actor
from . import service

router = APIRouter(tags=["notifications"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


def site_messages(db: Any, actor: Actor, site: str, status: str | None = None, reference: str | None = None,
                  outbox_only: bool = False, limit: int = 100) -> list[service.NotificationView]:
    with db.read() as s:
        row = catalogue.require_site(s, site)
        site_id, allowed = row.id, can_manage_site(actor, row.ref)
    if not allowed:
        raise Forbidden()
    if outbox_only:
        return service.outbox_messages(db, site_id=site_id, reference=reference, limit=limit)
    return service.list_notifications(db, site_id=site_id, reference=reference, status=status, limit=limit)


@router.get("/sites/{site}/notifications",
            summary="Messages to citizens of this site, newest first (site managers; recipients masked)")
def notifications(request: Request, response: Response, page: PageDep, site: str, actor: ActorDep,
                  status: Literal["pending", "sending", "sent", "failed", "cancelled"] | None = None,
                  reference: str | None = None, outbox: bool = False) -> list[dict[str, Any]]:
    rows = site_messages(request.app.state.db, actor, site, status, reference, outbox, 500)
    items = [asdict(r) for r in rows]
    return paginate(request, response, items, page)
