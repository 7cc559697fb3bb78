"""Feeds for national platforms over the API: a site's service standards in SIPPN's structure
(JSON, XLSX) and its open-data figures per month (JSON, CSV, XLSX). Public: a published
standard is announced to everyone, and the open data holds aggregates only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..web.openapi import CSV, XLSX, files
from ..web.ratelimit import limited
from . import feed_service, feed_tables

router = APIRouter(tags=["integration"])


def _download(body: bytes, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/sites/{site}/feeds/sippn", response_model=None, dependencies=[limited("lookup")],
            responses=files("application/json", XLSX),
            summary="The site's published service standards in SIPPN's structure (JSON or XLSX)")
async def sippn_feed(request: Request, site: str, format: Literal["json", "xlsx"] = "json") -> Any:
    document = await run_in_threadpool(feed_service.sippn, request.app.state.db, site)
    if format == "xlsx":
        return _download(feed_tables.sippn_xlsx(document), XLSX, f"sippn-{site}.xlsx")
    return document


@router.get("/sites/{site}/feeds/open-data", response_model=None, dependencies=[limited("lookup")],
            responses=files("application/json", CSV, XLSX),
            summary="Aggregate figures of the site per month of a year, no personal data (JSON, CSV or XLSX)")
async def open_data_feed(request: Request, site: str,
                         year: Annotated[int | None, Query(alias="tahun", ge=2000, le=2100,
                                                           description="Year (default: this year)")] = None,
                         format: Literal["json", "csv", "xlsx"] = "json") -> Any:
    document = await run_in_threadpool(feed_service.open_data, request.app.state.db, site, year)
    name = f"data-terbuka-{site}-{document['year']}"
    if format == "csv":
        return _download(feed_tables.open_data_csv(document), "text/csv; charset=utf-8", f"{name}.csv")
    if format == "xlsx":
        return _download(feed_tables.open_data_xlsx(document), XLSX, f"{name}.xlsx")
    return document
