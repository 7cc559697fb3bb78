"""The readiness self-assessment page (`/kelola/{site}/kesiapan`): the score per aspect and overall
ahead of the KemenPANRB evaluation, the measured indicators filled in from the data, the manual
ones scored by the manager with their evidence, and the gaps to close first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import ValidationFailed
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import readiness_service as readiness
from .readiness import MEASURES, Kind

router = APIRouter(include_in_schema=False)


def _value(key: str | None, value: float | None) -> str:
    """A measured value as the manager reads it: shares in percent, the IKM as it is."""
    if value is None or key is None:
        return "belum ada data"
    if key == "skm_index":
        return f"{value:.2f}".replace(".", ",")
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def _page(request: Request, site: str, *, errors: dict[str, str] | None = None, status_code: int = 200,
          done: str = "", typed: dict[str, readiness.ScoreIn] | None = None) -> Response:
    view = readiness.self_assessment(db_of(request), request.state.actor, site)
    return render(request, "oversight/readiness.html", status_code=status_code, view=view, errors=errors or {},
                  done=done, typed=typed or {}, value=_value, measures=MEASURES, manual=Kind.manual, site_code=site)


@router.get("/kelola/{site}/kesiapan")
def readiness_page(request: Request, site: str, done: str = "") -> Response:
    staff_actor(request)
    return _page(request, site, done=done[:20])


@router.post("/kelola/{site}/kesiapan")
async def readiness_save(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    entries = [readiness.ScoreIn(str(key), str(raw.get(f"score-{key}", "")),
                                 frozenset(str(v) for v in raw.getlist(f"evidence-{key}")),
                                 str(raw.get(f"note-{key}", ""))[:2000])
               for key in raw.getlist("indicator")]

    def run() -> Response:
        try:
            readiness.save_scores(db_of(request), actor, site, entries)
        except ValidationFailed as exc:
            return _page(request, site, errors=errors_of(exc), status_code=422, typed={e.indicator: e for e in entries})
        return RedirectResponse(f"/kelola/{site}/kesiapan?done=saved", status_code=303)

    return await run_in_threadpool(run)
