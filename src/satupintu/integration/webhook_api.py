"""JSON routes for a client system's webhook subscriptions and their delivery log. Under
/sites/{site}/clients/{client_id}/webhooks a site manager or the overseer manages any client's;
under /sites/{site}/webhooks a client system manages its own with its API key (scope
`webhooks:manage`): it never sees nor touches another client's (they are not found). A signing
secret is in the subscription's (or the rotation's) answer only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ..errors import Forbidden
from ..scope import Actor
from ..web.pages import db_of
from ..web.paging import PageDep, paginate
from ..web.security import ManagerDep, authenticating, require_api_actor
from . import webhook_service as service

router = APIRouter(tags=["integration"])
BASE = "/sites/{site}/clients/{client_id}/webhooks"
OWN = "/sites/{site}/webhooks"
ActorDep = Annotated[Actor, Depends(require_api_actor)]


@authenticating
def require_client_key(request: Request) -> Actor:
    """The own-subscription routes: a client system's key only, refused before the body is read."""
    actor = require_api_actor(request)
    if actor.key is None:
        raise Forbidden(service.OWN_ROUTES_FOR_KEYS)
    return actor


KeyDep = Annotated[Actor, Depends(require_client_key)]


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


@router.patch(BASE + "/{endpoint_id}", response_model=service.EndpointOut,
              summary="Change a subscription's URL or event types")
def update(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID, data: service.EndpointChange,
           actor: ManagerDep) -> service.EndpointOut:
    return service.update_endpoint(db_of(request), actor, site, client_id, endpoint_id, data,
                                   allow_http_loopback=_loopback(request))


@router.post(BASE + "/{endpoint_id}/rotate-secret", response_model=service.IssuedEndpoint,
             summary="A new signing secret, in this answer only; the old one stops at once")
def rotate_secret(request: Request, response: Response, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID,
                  actor: ManagerDep) -> service.IssuedEndpoint:
    response.headers["Cache-Control"] = "no-store"
    return service.rotate_secret(db_of(request), actor, site, client_id, endpoint_id)


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


# ---------------------------------------------------------------- a client system's own (API key)

@router.get(OWN, response_model=list[service.EndpointOut],
            summary="The calling client system's own webhook subscriptions (API key, webhooks:manage)")
def own_list(request: Request, response: Response, page: PageDep, site: str,
             actor: KeyDep) -> list[service.EndpointOut]:
    return paginate(request, response, service.list_endpoints(db_of(request), actor, site, None), page)


@router.post(OWN, response_model=service.IssuedEndpoint, status_code=201,
             summary="Subscribe the calling client system; the signing secret is in this answer only")
def own_subscribe(request: Request, response: Response, site: str, data: service.EndpointIn,
                  actor: KeyDep) -> service.IssuedEndpoint:
    response.headers["Cache-Control"] = "no-store"
    return service.subscribe(db_of(request), actor, site, None, data, allow_http_loopback=_loopback(request))


@router.get(OWN + "/{endpoint_id}", response_model=service.EndpointOut,
            summary="One of the calling client system's subscriptions")
def own_get(request: Request, site: str, endpoint_id: uuid.UUID, actor: KeyDep) -> service.EndpointOut:
    return service.get_endpoint(db_of(request), actor, site, None, endpoint_id)


@router.patch(OWN + "/{endpoint_id}", response_model=service.EndpointOut,
              summary="Change one of the calling client system's subscriptions")
def own_update(request: Request, site: str, endpoint_id: uuid.UUID, data: service.EndpointChange,
               actor: KeyDep) -> service.EndpointOut:
    return service.update_endpoint(db_of(request), actor, site, None, endpoint_id, data,
                                   allow_http_loopback=_loopback(request))


@router.delete(OWN + "/{endpoint_id}", status_code=204, response_class=Response,
               summary="Delete one of the calling client system's subscriptions")
def own_delete(request: Request, site: str, endpoint_id: uuid.UUID, actor: KeyDep) -> Response:
    service.delete_endpoint(db_of(request), actor, site, None, endpoint_id)
    return Response(status_code=204)


@router.post(OWN + "/{endpoint_id}/rotate-secret", response_model=service.IssuedEndpoint,
             summary="A new signing secret for one's own subscription, in this answer only")
def own_rotate_secret(request: Request, response: Response, site: str, endpoint_id: uuid.UUID,
                      actor: KeyDep) -> service.IssuedEndpoint:
    response.headers["Cache-Control"] = "no-store"
    return service.rotate_secret(db_of(request), actor, site, None, endpoint_id)


@router.get(OWN + "/{endpoint_id}/deliveries", response_model=list[service.DeliveryOut],
            summary="The delivery log of one's own subscription, newest first")
def own_deliveries(request: Request, response: Response, page: PageDep, site: str, endpoint_id: uuid.UUID,
                   actor: KeyDep) -> list[service.DeliveryOut]:
    rows = service.list_deliveries(db_of(request), actor, site, None, endpoint_id, limit=1000)
    return paginate(request, response, rows, page)


@router.post(OWN + "/{endpoint_id}/deliveries/{delivery_id}/redeliver", response_model=service.DeliveryOut,
             summary="Send one of one's own deliveries again now, with the same webhook-id")
def own_redeliver(request: Request, site: str, endpoint_id: uuid.UUID, delivery_id: uuid.UUID,
                  actor: KeyDep) -> service.DeliveryOut:
    return service.redeliver(db_of(request), actor, site, None, endpoint_id, delivery_id)
