"""The manager's page for the hall boards' running text: /kelola/{site}/papan. Saving pushes
the text to every board of the site at once (a `board.text` event)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..catalogue import service as catalogue
from ..errors import ValidationFailed
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service
from .boardtext import MAX_LENGTH

router = APIRouter(include_in_schema=False)


def _page(request: Request, site: str, text: str | None, errors: dict[str, str], status_code: int = 200) -> Response:
    db = db_of(request)
    view = service.board_text(db, request.state.actor, site)
    return render(request, "queue/board_text.html", status_code=status_code, site=catalogue.get_site(db, site),
                  view=view, form={"text": view.text if text is None else text}, errors=errors,
                  max_length=MAX_LENGTH, saved=request.query_params.get("disimpan"))


@router.get("/kelola/{site}/papan")
def board_text_page(request: Request, site: str) -> Response:
    """The running text the site's boards show, and the form to change it (managers only)."""
    staff_actor(request)
    return _page(request, site, None, {})


@router.post("/kelola/{site}/papan")
def board_text_save(request: Request, site: str, csrf: Annotated[str, Form()],
                    text: Annotated[str, Form()] = "") -> Response:
    """Save the running text; a refusal is shown beside the field, nothing saved."""
    actor = staff_actor(request)
    check_csrf(request, csrf)
    try:
        service.set_board_text(db_of(request), actor, site, text[:5000])
    except ValidationFailed as exc:
        return _page(request, site, text[:5000], errors_of(exc), status_code=422)
    return RedirectResponse(f"/kelola/{site}/papan?disimpan=1", status_code=303)
