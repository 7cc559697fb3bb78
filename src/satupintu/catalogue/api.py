"""Catalogue JSON routes under /api/v1. Thin: parse, call one service function, return."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ..errors import NotFound
from ..schemas import Strict
from ..scope import Actor
from ..web.pages import db_of
from ..web.paging import PageDep, paginate
from ..web.security import AgencyManagerDep, ManagerDep, optional_api_actor, require_api_actor
from . import service, spreadsheet, transfer
from .models import ServiceStatus, SiteKind
from .schemas import (
    AgencyIn,
    AgencyOut,
    AgreementIn,
    AgreementOut,
    BoothIn,
    BoothOut,
    CounterIn,
    CounterOut,
    ImportResult,
    ServiceIn,
    ServiceOut,
    ServiceSummary,
    SiteIn,
    SiteOut,
)

router = APIRouter(tags=["catalogue"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]
MaybeActor = Annotated[Actor | None, Depends(optional_api_actor)]
CounterNumber = Annotated[int, Path(ge=1, le=999)]


@router.get("/sites", response_model=list[SiteOut], summary="All sites and mobile service events")
def list_sites(request: Request, response: Response, page: PageDep) -> list[SiteOut]:
    items = service.list_sites(db_of(request))
    return paginate(request, response, items, page)


@router.post("/sites", response_model=SiteOut, status_code=201,
             summary="Create a permanent site (overseer) or a mobile event (its parent's manager)")
def create_site(request: Request, data: SiteIn, actor: ManagerDep) -> SiteOut:
    if data.kind is SiteKind.mobile:
        return service.create_event(db_of(request), actor, data)
    return service.create_site(db_of(request), actor, data)


@router.get("/sites/{site}", response_model=SiteOut)
def get_site(request: Request, site: str) -> SiteOut:
    return service.get_site(db_of(request), site)


@router.put("/sites/{site}", response_model=SiteOut)
def update_site(request: Request, site: str, data: SiteIn, actor: ManagerDep) -> SiteOut:
    return service.update_site(db_of(request), actor, site, data)


class OfferingsIn(Strict):
    services: list[str]


@router.put("/sites/{site}/offerings", response_model=list[ServiceSummary],
            summary="Choose which of the parent site's services a mobile event offers")
def set_offerings(request: Request, site: str, data: OfferingsIn, actor: ManagerDep) -> list[ServiceSummary]:
    return service.set_event_services(db_of(request), actor, site, data.services)


@router.get("/sites/{site}/agencies", response_model=list[AgencyOut])
def list_agencies(request: Request, response: Response, page: PageDep, site: str) -> list[AgencyOut]:
    items = service.list_agencies(db_of(request), site)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/agencies", response_model=AgencyOut, status_code=201)
def create_agency(request: Request, site: str, data: AgencyIn, actor: ManagerDep) -> AgencyOut:
    return service.create_agency(db_of(request), actor, site, data)


@router.get("/sites/{site}/agencies/{agency}", response_model=AgencyOut,
            summary="An agency; its agreements are included for staff of the site")
def get_agency(request: Request, site: str, agency: str, actor: MaybeActor) -> AgencyOut:
    return service.get_agency(db_of(request), site, agency, actor)


@router.put("/sites/{site}/agencies/{agency}", response_model=AgencyOut)
def update_agency(request: Request, site: str, agency: str, data: AgencyIn, actor: AgencyManagerDep) -> AgencyOut:
    return service.update_agency(db_of(request), actor, site, agency, data)


@router.post("/sites/{site}/agencies/{agency}/agreements", response_model=AgreementOut, status_code=201)
def add_agreement(request: Request, site: str, agency: str, data: AgreementIn, actor: ManagerDep) -> AgreementOut:
    return service.add_agreement(db_of(request), actor, site, agency, data)


@router.post("/sites/{site}/agreements/{agreement_id}/renewal", response_model=AgreementOut, status_code=201,
             summary="Renew an agreement: a new one of the same agency that names it and starts after it ends")
def renew_agreement(request: Request, site: str, agreement_id: uuid.UUID, data: AgreementIn,
                    actor: ManagerDep) -> AgreementOut:
    return service.renew_agreement(db_of(request), actor, site, agreement_id, data)


class AgreementWarning(BaseModel):
    agency: AgencyOut
    agreement: AgreementOut


@router.get("/sites/{site}/agreement-warnings", response_model=list[AgreementWarning])
def agreement_warnings(request: Request, response: Response, page: PageDep,
                       site: str, actor: ActorDep) -> list[AgreementWarning]:
    items = [AgreementWarning(agency=a, agreement=g)
             for a, g in service.agreement_warnings(db_of(request), actor, site)]
    return paginate(request, response, items, page)


@router.get("/sites/{site}/services", response_model=list[ServiceSummary],
            summary="Published services; `q` searches Indonesian words with typos")
def list_services(request: Request, response: Response, page: PageDep, site: str, actor: MaybeActor,
                  q: Annotated[str | None, Query(max_length=200)] = None,
                  agency: Annotated[str | None, Query(max_length=32)] = None,
                  include_unpublished: bool = False) -> list[ServiceSummary]:
    items = service.list_services(db_of(request), site, q, agency, actor, include_unpublished)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/services", response_model=ServiceOut, status_code=201)
def create_service(request: Request, site: str, data: ServiceIn, actor: AgencyManagerDep,
                   publish: bool = False) -> ServiceOut:
    status = ServiceStatus.published if publish else ServiceStatus.draft
    return service.create_service(db_of(request), actor, site, data, status)


@router.get("/sites/{site}/services/{code}", response_model=ServiceOut)
def get_service(request: Request, site: str, code: str, actor: MaybeActor) -> ServiceOut:
    return service.get_service(db_of(request), site, code, actor)


@router.put("/sites/{site}/services/{code}", response_model=ServiceOut)
def update_service(request: Request, site: str, code: str, data: ServiceIn, actor: AgencyManagerDep) -> ServiceOut:
    return service.update_service(db_of(request), actor, site, code, data)


class StatusIn(Strict):
    status: ServiceStatus


@router.post("/sites/{site}/services/{code}/status", response_model=ServiceOut,
             summary="Publish (needs the six delivery components), return to draft or archive")
def set_status(request: Request, site: str, code: str, data: StatusIn, actor: AgencyManagerDep) -> ServiceOut:
    return service.set_service_status(db_of(request), actor, site, code, data.status)


@router.get("/sites/{site}/counters", response_model=list[CounterOut])
def list_counters(request: Request, response: Response, page: PageDep, site: str) -> list[CounterOut]:
    items = service.list_counters(db_of(request), site)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/counters", response_model=CounterOut, status_code=201)
def create_counter(request: Request, site: str, data: CounterIn, actor: ManagerDep) -> CounterOut:
    return service.create_counter(db_of(request), actor, site, data)


@router.put("/sites/{site}/counters/{number}", response_model=CounterOut)
def update_counter(request: Request, site: str, number: CounterNumber, data: CounterIn,
                   actor: ManagerDep) -> CounterOut:
    return service.update_counter(db_of(request), actor, site, number, data)


@router.get("/sites/{site}/booths", response_model=list[BoothOut])
def list_booths(request: Request, response: Response, page: PageDep, site: str) -> list[BoothOut]:
    items = service.list_booths(db_of(request), site)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/booths", response_model=BoothOut, status_code=201)
def create_booth(request: Request, site: str, data: BoothIn, actor: ManagerDep) -> BoothOut:
    return service.create_booth(db_of(request), actor, site, data)


MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/sites/{site}/catalogue.{fmt}", summary="Export the catalogue, one row per service (csv or xlsx)",
            response_class=Response)
def export_catalogue(request: Request, site: str, fmt: str, actor: ActorDep) -> Response:
    if fmt not in MEDIA:
        raise NotFound("Format ekspor", "fmt")
    body = transfer.export_catalogue(db_of(request), actor, site, fmt)
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="katalog-{site}.{fmt}"'})


@router.post("/sites/{site}/catalogue/import", response_model=ImportResult,
             summary="Import services from csv/xlsx; all rows or none")
async def import_catalogue(request: Request, site: str, actor: ManagerDep,
                           file: Annotated[UploadFile, File()]) -> ImportResult:
    data = await file.read(spreadsheet.MAX_BYTES + 1)
    # Parsing a large workbook is slow: keep it off the event loop.
    return await run_in_threadpool(transfer.import_catalogue, db_of(request), actor, site, data, file.filename or "")
