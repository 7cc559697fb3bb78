"""Management pages for a client system's webhooks: /kelola/{site}/integrasi/{client}/webhook.

A new subscription's signing secret is shown once by POST-redirect-GET, as a new key is
(pages.py): reloading the page shows no secret again and subscribes nothing twice."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..catalogue import service as catalogue
from ..errors import ValidationFailed
from ..scope import Actor
from ..timeutil import format_local
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import service as clients
from . import webhook_service as service
from . import webhooks
from .pages import keep_once, take_once

router = APIRouter(include_in_schema=False)
FLASH = "integration_new_secret"  # the session entry of the secret to show once


def _base(site: str, client_id: uuid.UUID) -> str:
    return f"/kelola/{quote(site)}/integrasi/{client_id}/webhook"


def _list(request: Request, actor: Actor, site: str, client_id: uuid.UUID, status_code: int = 200,
          errors: dict[str, str] | None = None, form: dict[str, object] | None = None,
          issued: service.IssuedEndpoint | None = None) -> Response:
    db = db_of(request)
    client = clients.get_client(db, actor, site, client_id)  # checks the scope first
    info = catalogue.get_site(db, site)
    response = render(request, "integration/webhooks.html", status_code=status_code, site=info, client=client,
                      endpoints=service.list_endpoints(db, actor, site, client_id), errors=errors or {},
                      types=webhooks.EVENT_TYPES, labels=webhooks.EVENT_LABELS, scopes=webhooks.TYPE_SCOPES,
                      form=form or {"url": "", "event_types": []}, issued=issued,
                      when=lambda m: format_local(m, info.timezone) if m else "-")
    if issued is not None:  # the only answer that ever holds the secret: keep it out of caches
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/kelola/{site}/integrasi/{client_id}/webhook")
def endpoints(request: Request, site: str, client_id: uuid.UUID) -> Response:
    """The client's subscriptions (URL, event types, state) and the form to add one; right
    after a subscription was made, its signing secret (once)."""
    actor = staff_actor(request)
    kept = take_once(request, FLASH, client_id)
    if kept is not None and kept.get("secret") and kept.get("endpoint"):
        endpoint_id = uuid.UUID(str(kept["endpoint"]))
        info = service.get_endpoint(db_of(request), actor, site, client_id, endpoint_id)
        return _list(request, actor, site, client_id, issued=service.IssuedEndpoint(secret=str(kept["secret"]),
                                                                                     info=info))
    return _list(request, actor, site, client_id)


@router.post("/kelola/{site}/integrasi/{client_id}/webhook")
def subscribe(request: Request, site: str, client_id: uuid.UUID, csrf: Annotated[str, Form()],
              url: Annotated[str, Form()] = "", event_types: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    form: dict[str, object] = {"url": url, "event_types": event_types or []}
    try:
        issued = service.subscribe(db_of(request), actor, site, client_id,
                                   service.EndpointIn.model_validate(form),
                                   allow_http_loopback=request.app.state.settings.webhook_allow_http_loopback)
    except ValidationError as exc:
        messages = {"url": f"Alamat tujuan paling panjang {webhooks.MAX_URL} karakter.",
                    "event_types": "Pilihan jenis peristiwa tidak valid."}
        return _list(request, actor, site, client_id, 422,
                     {k: messages.get(k, v) for k, v in errors_of(exc).items()}, form)
    except ValidationFailed as exc:
        return _list(request, actor, site, client_id, 422, errors_of(exc), form)
    keep_once(request, FLASH, {"client": str(client_id), "secret": issued.secret, "endpoint": str(issued.info.id)})
    return RedirectResponse(_base(site, client_id) + "?langganan=baru", status_code=303)


@router.get("/kelola/{site}/integrasi/{client_id}/webhook/{endpoint_id}")
def delivery_log(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID) -> Response:
    """One subscription: its state (switched off and why), and its delivery log with status,
    response code and duration, each with a button to send it again."""
    actor = staff_actor(request)
    db = db_of(request)
    client = clients.get_client(db, actor, site, client_id)
    info = catalogue.get_site(db, site)
    return render(request, "integration/webhook_log.html", site=info, client=client,
                  endpoint=service.get_endpoint(db, actor, site, client_id, endpoint_id),
                  deliveries=service.list_deliveries(db, actor, site, client_id, endpoint_id),
                  labels=webhooks.EVENT_LABELS, when=lambda m: format_local(m, info.timezone) if m else "-")


@router.post("/kelola/{site}/integrasi/{client_id}/webhook/{endpoint_id}/kirim-ulang/{delivery_id}")
def redeliver(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID, delivery_id: uuid.UUID,
              csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    service.redeliver(db_of(request), staff_actor(request), site, client_id, endpoint_id, delivery_id)
    return RedirectResponse(f"{_base(site, client_id)}/{endpoint_id}?dikirim-ulang=1", status_code=303)


@router.post("/kelola/{site}/integrasi/{client_id}/webhook/{endpoint_id}/aktifkan")
def enable(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID,
           csrf: Annotated[str, Form()], on: Annotated[str, Form()] = "1") -> Response:
    check_csrf(request, csrf)
    service.set_enabled(db_of(request), staff_actor(request), site, client_id, endpoint_id, on == "1")
    return RedirectResponse(f"{_base(site, client_id)}/{endpoint_id}", status_code=303)


@router.post("/kelola/{site}/integrasi/{client_id}/webhook/{endpoint_id}/rahasia-baru")
def rotate_secret(request: Request, site: str, client_id: uuid.UUID, endpoint_id: uuid.UUID,
                  csrf: Annotated[str, Form()]) -> Response:
    """A new signing secret (the old one stops at once), shown once on the list page."""
    check_csrf(request, csrf)
    issued = service.rotate_secret(db_of(request), staff_actor(request), site, client_id, endpoint_id)
    keep_once(request, FLASH, {"client": str(client_id), "secret": issued.secret, "endpoint": str(issued.info.id)})
    return RedirectResponse(_base(site, client_id) + "?langganan=baru", status_code=303)
