"""The officer's way to their counter: "my counter" after login (/loket, /loket/{site}) and the
"Pilih loket" page. The console itself is /loket/{site}/{number} in pages.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..catalogue import service as catalogue
from ..errors import Unauthenticated
from ..scope import Actor
from ..web.pages import db_of
from ..web.render import render
from ..web.security import session_actor
from . import rosters, service

router = APIRouter(include_in_schema=False)


def _officer(request: Request) -> Actor:
    actor = session_actor(request)
    if actor is None:
        raise Unauthenticated()
    request.state.actor = actor
    return actor


@router.get("/loket")
def my_site(request: Request) -> Response:
    """Where login sends a counter officer: their site's "my counter"."""
    actor = _officer(request)
    for site in catalogue.list_sites(db_of(request)):
        if site.id == actor.site_id:
            return RedirectResponse(f"/loket/{site.code}", status_code=303)
    return RedirectResponse("/kelola", status_code=303)  # an account of no one site: the sites list


@router.get("/loket/{site}")
def my_counter(request: Request, site: str, pilih: str = "") -> Response:
    """The counter the roster names for today, else the one last opened, else the choice;
    `?pilih=1` always shows the choice (to work at another counter)."""
    actor = _officer(request)
    db = db_of(request)
    choice = service.usable_counters(db, actor, site)
    usable = {c.number for c in choice.counters}
    if not pilih:
        rostered = rosters.of(request).rostered_counter(db, actor.user_id, site) if actor.user_id else None
        for number in (rostered, service.last_opened_counter(db, actor, site)):
            if number is not None and number in usable:
                return RedirectResponse(f"/loket/{site}/{number}", status_code=303)
    return render(request, "queue/console_choose.html", site=choice.site, counters=choice.counters)
