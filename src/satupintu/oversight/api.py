"""Oversight's API under the same scope rules as the pages: a site's figures for a period, its
facilities checklist and readiness self-assessment (staff of the site, or the national overseer),
the readiness instrument (any staff reads it, the overseer saves a new version) and the national
view (the overseer); JSON, and CSV where the answer is a table."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from ..errors import FieldError, ValidationFailed
from ..exports import csv_bytes
from ..scope import Actor
from ..timeutil import utcnow
from ..web.openapi import CSV, files
from ..web.paging import PageDep, paginate
from ..web.security import OverseerDep, require_api_actor
from . import api_schemas as schemas
from . import exports, facility_service, instrument_service, readiness_service, service
from .api_schemas import FacilitiesOut, InstrumentOut, NationalRowOut, ReadinessOut

router = APIRouter(tags=["oversight"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


@router.get("/sites/{site}/stats", summary="A site's figures for a period, beside the previous period",
            operation_id="oversight_site_stats", response_model=None, responses=files("application/json", CSV))
def site_stats(request: Request, site: str, actor: ActorDep,
               start: Annotated[date | None, Query(description="First local day (default: 29 days before end)")] = None,
               end: Annotated[date | None, Query(description="Last local day (default: today, UTC)")] = None,
               agency: Annotated[str | None, Query(description="Agency code")] = None,
               service_code: Annotated[str | None, Query(alias="service", description="Service code")] = None,
               format: Literal["json", "csv"] = "json") -> Any:
    last = end or date.today()
    first = start or last - timedelta(days=29)
    board = service.dashboard(request.app.state.db, actor, site, first, last, agency=agency, service=service_code)
    if format == "csv":
        return Response(exports.dashboard_csv(board), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="stats-{site}-{first}-{last}.csv"'})
    return exports.dashboard_dict(board)


# --------------------------------------------------------------- facilities, readiness, instrument, national

def _csv(lines: list[list[Any]], name: str) -> Response:
    return Response(csv_bytes(lines), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/sites/{site}/facilities", summary="A site's facilities checklist (sarana prasarana) with its measure",
            response_model=FacilitiesOut, responses=files(CSV))
def site_facilities(request: Request, site: str, actor: ActorDep, format: Literal["json", "csv"] = "json") -> Any:
    checklist = facility_service.checklist(request.app.state.db, actor, site)
    if format == "csv":
        return _csv(schemas.facility_lines(checklist), f"sarana-{site}.csv")
    return schemas.facilities_out(checklist)


@router.get("/sites/{site}/readiness", summary="A site's readiness self-assessment with the current instrument",
            response_model=ReadinessOut, responses=files(CSV))
def site_readiness(request: Request, site: str, actor: ActorDep, format: Literal["json", "csv"] = "json") -> Any:
    view = readiness_service.self_assessment(request.app.state.db, actor, site)
    if format == "csv":
        return _csv(schemas.readiness_lines(view), f"kesiapan-{site}-{view.end}.csv")
    return schemas.readiness_out(view)


_INSTRUMENT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    k: v for k, v in schemas.InstrumentIn.model_json_schema(ref_template="#/components/schemas/{model}").items()
    if k != "$defs"}}}}}


@router.get("/readiness/instrument", summary="The current readiness instrument and its version history",
            response_model=InstrumentOut)
def get_instrument(request: Request, actor: ActorDep) -> InstrumentOut:
    return schemas.instrument_out(instrument_service.current(request.app.state.db, actor))


@router.put("/readiness/instrument", summary="Save an edited instrument as the next version (overseer)",
            response_model=InstrumentOut, openapi_extra=_INSTRUMENT_BODY)
def put_instrument(request: Request, actor: OverseerDep, data: Annotated[dict[str, Any], Body()]) -> InstrumentOut:
    base = data.pop("base_version", None)
    note = data.pop("note", "")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise ValidationFailed([FieldError("base_version", "Versi asal harus berupa bilangan bulat.")])
    if not isinstance(note, str):
        raise ValidationFailed([FieldError("note", "Catatan perubahan harus berupa teks.")])
    view = instrument_service.save(request.app.state.db, actor, data, base_version=base, note=note)
    return schemas.instrument_out(view)


@router.get("/national", summary="Every site and mobile event side by side over a period (overseer)",
            response_model=list[NationalRowOut], responses=files(CSV))
def national_view(request: Request, response: Response, actor: ActorDep, page: PageDep,
                  start: Annotated[date | None, Query(description="First local day (default: 29 days before end)")]
                  = None,
                  end: Annotated[date | None, Query(description="Last local day (default: today, WIB)")] = None,
                  province: Annotated[str | None, Query(description="Province code (BPS), e.g. 16")] = None,
                  regency: Annotated[str | None, Query(description="Regency/city code (BPS), e.g. 16.04")] = None,
                  format: Literal["json", "csv"] = "json") -> Any:
    last = end or utcnow().astimezone(ZoneInfo("Asia/Jakarta")).date()
    first = start or last - timedelta(days=29)
    rows = service.national(request.app.state.db, actor, first, last, province=province, regency=regency)
    if format == "csv":
        return _csv(exports.national_lines(rows), f"nasional-{first}-{last}.csv")
    return paginate(request, response, [schemas.national_out(r) for r in rows], page)
