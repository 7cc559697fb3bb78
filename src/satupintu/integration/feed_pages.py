"""The feeds page (`/kelola/{site}/umpan-data`): what the site hands to national platforms
(SIPPN's service standards, the open-data figures per month, SP4N-LAPOR!'s complaint CSV),
each with a preview, its downloads and, for SIPPN, the field-by-field mapping."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..errors import DomainError
from ..web.pages import db_of, staff_actor
from ..web.render import register_templates, render
from . import feed_service, feeds

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")


@router.get("/kelola/{site}/umpan-data")
async def feeds_page(request: Request, site: str, tahun: str = "") -> Response:
    staff_actor(request)
    db = db_of(request)
    sippn = await run_in_threadpool(feed_service.sippn, db, site)
    year_error = ""
    year = None
    if tahun.strip():
        if tahun.strip().isdigit():
            year = int(tahun.strip())
        else:
            year_error = "Tahun harus berupa angka, misalnya 2026."
    try:
        open_data = await run_in_threadpool(feed_service.open_data, db, site, year)
    except DomainError as exc:
        year_error, open_data = exc.message, await run_in_threadpool(feed_service.open_data, db, site, None)
    return render(request, "integration/feeds.html", status_code=422 if year_error else 200, site_code=site,
                  sippn=sippn, fields=feeds.SIPPN_FIELDS, open_data=open_data, open_fields=feeds.OPEN_DATA_FIELDS,
                  year_error=year_error, typed_year=tahun[:10])
