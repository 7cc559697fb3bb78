"""The centre's side of unit sync: the event's bundle for its unit (a manager's token, or a
client key of the event or its mall with the `unit:sync` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..scope import Actor
from ..web.security import require_api_actor
from . import service

router = APIRouter(tags=["unit"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


@router.get("/sites/{site}/unit/bundle", operation_id="unit_event_bundle",
            summary="Everything a mobile service unit needs from the centre for one event (down sync)",
            description=("The event's centre-owned rows by table (catalogue, accounts of the mall's managers and "
                         "of the officers assigned to the event, devices, bookings, settings), with the bundle "
                         "`format`, the centre's `release` and its `schema` revision. A unit applies it whole."))
def event_bundle(request: Request, site: str, actor: ActorDep) -> dict[str, Any]:
    return service.event_bundle(request.app.state.db, actor, site)
