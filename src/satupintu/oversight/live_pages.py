"""The live dashboard (`/kelola/{site}/dasbor`): today's figures, and the same figures as JSON
(`/kelola/{site}/dasbor.json`) that the page's script fetches again when the site's live event
stream says something changed (at most once every two seconds) and on every reconnection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..timeutil import to_local
from ..web.i18n import gettext
from ..web.pages import db_of, staff_actor
from ..web.render import register_templates, render
from . import live_service
from .pages import minutes, number

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")


def alert_text(alert: live_service.Alert, threshold: int, lang: str) -> str:
    if alert.kind == "no_officer":
        return gettext(lang, "Loket {counter} ({agency}) buka tanpa petugas tercatat hadir.").format(
            counter=alert.counter, agency=alert.agency)
    return gettext(lang, "{agency}: ada yang menunggu {minutes} menit (batas {threshold} menit).").format(
        agency=alert.agency, minutes=alert.minutes, threshold=threshold)


def snapshot(board: live_service.LiveDashboard, lang: str) -> dict[str, Any]:
    """The dashboard's figures, formatted as the page shows them, and the raw numbers."""
    ikm = f"{board.ikm:.2f}".replace(".", ",") if board.ikm is not None else "–"
    return {
        "site": board.site.code,
        "as_of": board.as_of.isoformat(),
        "updated": to_local(board.as_of, board.site.timezone).strftime("%H:%M:%S"),
        "figures": {
            "visitors": number(board.visitors), "tickets": number(board.tickets),
            **{f"channel_{ch}": number(n) for ch, n in board.by_channel.items()},
            "served": number(board.served), "wait_median": minutes(board.wait_median_s),
            "waiting": number(board.waiting), "counters_open": number(board.counters_open),
            "counters_closed": number(board.counters_closed), "counters_idle": number(board.counters_idle),
            "ikm": ikm, "ikm_respondents": number(board.ikm_respondents),
            "longest": (f"{board.longest.number} · {board.longest.service} · {board.longest.minutes} "
                        + gettext(lang, "menit")) if board.longest else "–",
        },
        "raw": {"visitors": board.visitors, "served": board.served, "waiting": board.waiting,
                "wait_median_s": board.wait_median_s, "by_channel": board.by_channel,
                "counters": {"open": board.counters_open, "closed": board.counters_closed,
                             "idle": board.counters_idle},
                "ikm": float(board.ikm) if board.ikm is not None else None,
                "ikm_respondents": board.ikm_respondents,
                "longest": vars(board.longest) if board.longest else None},
        "agencies": [{"code": r.code, "name": r.name, "waiting": r.waiting,
                      "oldest": f"{r.oldest_minutes} " + gettext(lang, "menit") if r.oldest_minutes is not None
                      else "–"} for r in board.per_agency],
        "alerts": [{"kind": a.kind, "text": alert_text(a, board.threshold_minutes, lang)} for a in board.alerts],
    }


@router.get("/kelola/{site}/dasbor")
def dashboard(request: Request, site: str) -> Response:
    """Today so far, live: the page refreshes itself from the site's event stream."""
    actor = staff_actor(request)
    board = live_service.live(db_of(request), actor, site)
    return render(request, "oversight/live.html", site=board.site, board=board,
                  snap=snapshot(board, request.state.lang))


@router.get("/kelola/{site}/dasbor.json")
def dashboard_json(request: Request, site: str) -> Response:
    """The dashboard's snapshot, for its script (same scope as the page)."""
    actor = staff_actor(request)
    board = live_service.live(db_of(request), actor, site)
    return JSONResponse(snapshot(board, request.state.lang), headers={"Cache-Control": "no-store"})
