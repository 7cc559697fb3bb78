"""The integration guide for agency developers: /api/v1/panduan (HTML, Indonesian; English with
?lang=en). Its code examples run as they are written: tests/integration/test_guide.py takes them
from the page and runs them against a real server, so the guide cannot drift from the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..web.render import render
from . import keys

router = APIRouter(include_in_schema=False)

GUIDE_PATH = "/api/v1/panduan"


def scope_routes() -> list[tuple[str, str, list[str]]]:
    """(scope, its Indonesian label, "METHOD /path" of each route it opens), in the scopes' order."""
    return [(scope, keys.SCOPE_LABELS[scope],
             [f"{m} {keys.API_PREFIX}{p}" for (m, p), s in keys.ROUTE_SCOPES.items() if s == scope])
            for scope in keys.SCOPES]


@router.get(GUIDE_PATH)
def guide(request: Request) -> Response:
    """How an agency's system reads the catalogue, pushes application statuses and receives
    webhooks, with curl and Python examples."""
    return render(request, "integration/guide.html", scopes=scope_routes())
