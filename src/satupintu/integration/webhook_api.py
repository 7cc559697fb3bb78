"""JSON routes for a client system's webhook subscriptions and their delivery log (site
manager or overseer). The signing secret is in the subscription's answer only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from ..web.pages import db_of
from ..web.paging import PageDep, paginate
from ..web.security import ManagerDep
from . import webhook_service as service

router = APIRouter(tags=["integration"])
BASE = "/sites/{site}/clients/{client_id}/webhooks"


def _loopback(request: Request) -> bool:
    return bool(request.app.state.settings.webhook_allow_http_loopback)


@router.get(BASE, response_model=list[service.EndpointOut], summary="The client's webhook subscriptions")
def list_endpoints(request: Request, response: Response, page: PageDep, site: str, client_id: uuid.UUID,
                   actor: ManagerDep) -> list[service.EndpointOut]:
    return paginate(request, response, service.list_endpoints(db_of(request), actor, site, client_id), page)


@router.post(BASE, response_model=service.IssuedEndpoint, status_code=201,
             summary="Subscribe a URL to event types; the signing secret (whsec_...) is in this answer only")
def subscribe(request: Request, response: Response, site: str, client_id: uuid.UUID, data: service.EndpointIn,
              actor: ManagerDep) -> service.IssuedEndpoint:
    response.headers["Cache-Control"] = "no-store"
    return service.subscribe(db_of(request), actor, site, client_id, data, allow_http_loopback=_loopback(request))


@router.get(BASE + "/{endpoint_id}/deliveries", response_model=list[service.DeliveryOut],
            summary="The delivery log, newest first: status, response code, duration")
def deliveries(request: Request, response: Response, page: PageDep, site: str, client_id: uuid.UUID,
               endpoint_id: uuid.UUID, actor: ManagerDep) -> list[service.DeliveryOut]:
    rows = service.list_deliveries(db_of(request), actor, site, client_id, endpoint_id, limit=1000)
    return paginate(request, response, rows, page)


@router.post(BASE + "/{endpoint_id}/deliveries/{delivery_id}/redeliver", response_model=service.DeliveryOut,
             summary="Send a delivery again now, with the same webhook-id")
def redeliver(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID, delivery_id: uuid.UUID,
              actor: ManagerDep) -> service.DeliveryOut:
    return service.redeliver(db_of(request), actor, site, client_id, endpoint_id, delivery_id)


@router.post(BASE + "/{endpoint_id}/enable", response_model=service.EndpointOut,
             summary="Switch a subscription on again; what waited is sent")
def enable(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID,
           actor: ManagerDep) -> service.EndpointOut:
    return service.set_enabled(db_of(request), actor, site, client_id, endpoint_id, True)


@router.post(BASE + "/{endpoint_id}/disable", response_model=service.EndpointOut,
             summary="Switch a subscription off; events wait until it is on again")
def disable(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID,
            actor: ManagerDep) -> service.EndpointOut:
    return service.set_enabled(db_of(request), actor, site, client_id, endpoint_id, False)
