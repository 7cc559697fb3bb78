"""Management pages for client systems and their API keys: /kelola/{site}/integrasi.

A new (or rotated) key is shown once by POST-redirect-GET: the POST that makes it puts the key,
encrypted (secretbox), into the session as a one-time flash and answers 303 to the client's
page with `?kunci=baru`; that GET takes the flash out of the session and shows the key. Reloading
the page, or going back to it, finds no flash: it shows that the key was shown once, never the
key again, and creates nothing (the browser repeats the GET, not the POST)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..catalogue import service as catalogue
from ..errors import NotFound, ValidationFailed
from ..scope import Actor
from ..timeutil import format_local
from ..web.pages import db_of, errors_of, keep_once, staff_actor
from ..web.pages import take_once as web_take_once
from ..web.render import register_templates, render
from ..web.security import check_csrf
from . import keys, service

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")

FLASH = "integration_new_key"  # the session entry of the key to show once
EMPTY_CLIENT = {"name": "", "owner_agency": "", "contact_name": "", "contact_email": ""}


def _when(moment: object, tz: str, never: str) -> str:
    return format_local(moment, tz) if moment is not None else never  # type: ignore[arg-type]


def _list(request: Request, actor: Actor, site: str, status_code: int = 200,
          errors: dict[str, str] | None = None, form: dict[str, str] | None = None) -> Response:
    db = db_of(request)
    clients = service.list_clients(db, actor, site)  # checks the scope first
    info = catalogue.get_site(db, site)
    return render(request, "integration/clients.html", status_code=status_code, site=info, clients=clients,
                  errors=errors or {}, form=form or dict(EMPTY_CLIENT), labels=keys.SCOPE_LABELS,
                  when=lambda m: _when(m, info.timezone, "-"))


def _detail(request: Request, actor: Actor, site: str, client_id: uuid.UUID, status_code: int = 200,
            errors: dict[str, str] | None = None, form: dict[str, object] | None = None,
            issued: service.IssuedKey | None = None, rotated: str | None = None) -> Response:
    db = db_of(request)
    client = service.get_client(db, actor, site, client_id)
    info = catalogue.get_site(db, site)
    response = render(request, "integration/clients_detail.html", status_code=status_code, site=info, client=client,
                      errors=errors or {}, scopes=keys.SCOPES, labels=keys.SCOPE_LABELS, issued=issued,
                      rotated=rotated, agencies=service.site_agencies(db, actor, site),
                      form=form or {"scopes": [], "agency": "", "valid_days": keys.DEFAULT_VALID_DAYS,
                                    "rate_per_minute": keys.DEFAULT_RATE_PER_MINUTE},
                      when=lambda m: _when(m, info.timezone, "-"))
    if issued is not None:  # the only answer that ever holds the full key: keep it out of caches
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/kelola/{site}/integrasi")
def clients(request: Request, site: str) -> Response:
    """The site's client systems, their keys (prefix, scopes, expiry, last use, status), and
    the form to register one."""
    return _list(request, staff_actor(request), site)


@router.post("/kelola/{site}/integrasi")
def register(request: Request, site: str, csrf: Annotated[str, Form()], name: Annotated[str, Form()] = "",
             owner_agency: Annotated[str, Form()] = "", contact_name: Annotated[str, Form()] = "",
             contact_email: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    form = {"name": name, "owner_agency": owner_agency, "contact_name": contact_name, "contact_email": contact_email}
    try:
        client = service.register_client(db_of(request), actor, site, service.ClientIn.model_validate(form))
    except (ValidationError, ValidationFailed) as exc:
        return _list(request, actor, site, 422, errors_of(exc), form)
    return RedirectResponse(f"/kelola/{quote(site)}/integrasi/{client.id}?terdaftar=1", status_code=303)


def take_once(request: Request, name: str, client_id: uuid.UUID) -> dict[str, str | None] | None:
    """What was kept for this client's page, once (web.pages.take_once)."""
    return web_take_once(request, name, ("client", str(client_id)))


def _show_once(request: Request, site: str, client_id: uuid.UUID, issued: service.IssuedKey,
               rotated: uuid.UUID | None = None) -> Response:
    """Keep the new key for the next GET only, and send the browser there (303)."""
    keep_once(request, FLASH, {"client": str(client_id), "key": issued.key, "key_id": str(issued.info.id),
                               "rotated": str(rotated) if rotated else None})
    return RedirectResponse(f"/kelola/{quote(site)}/integrasi/{client_id}?kunci=baru", status_code=303)


@router.get("/kelola/{site}/integrasi/{client_id}")
def client_page(request: Request, site: str, client_id: uuid.UUID) -> Response:
    """The client, its keys and the key form; right after a key was made, the key itself (once)."""
    actor = staff_actor(request)
    kept = take_once(request, FLASH, client_id)
    if kept is not None:
        client = service.get_client(db_of(request), actor, site, client_id)
        info = next((k for k in client.keys if str(k.id) == kept.get("key_id")), None)
        if info is not None and kept.get("key"):
            return _detail(request, actor, site, client_id, issued=service.IssuedKey(key=str(kept["key"]), info=info),
                           rotated=kept.get("rotated"))
    return _detail(request, actor, site, client_id)


@router.post("/kelola/{site}/integrasi/{client_id}/kunci")
def create_key(request: Request, site: str, client_id: uuid.UUID, csrf: Annotated[str, Form()],
               scopes: Annotated[list[str] | None, Form()] = None, agency: Annotated[str, Form()] = "",
               valid_days: Annotated[str, Form()] = "", rate_per_minute: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    form: dict[str, object] = {"scopes": scopes or [], "agency": agency, "valid_days": valid_days,
                               "rate_per_minute": rate_per_minute}
    try:
        data = service.KeyIn.model_validate({**form, "valid_days": valid_days or keys.DEFAULT_VALID_DAYS,
                                             "rate_per_minute": rate_per_minute or keys.DEFAULT_RATE_PER_MINUTE})
        issued = service.create_key(db_of(request), actor, site, client_id, data)
    except ValidationError as exc:
        messages = {"valid_days": f"Masa berlaku 1 sampai {keys.MAX_VALID_DAYS} hari.",
                    "rate_per_minute": f"Batas permintaan 1 sampai {keys.MAX_RATE_PER_MINUTE} per menit."}
        errors = {k: messages.get(k, v) for k, v in errors_of(exc).items()}
        return _detail(request, actor, site, client_id, 422, errors, form)
    except ValidationFailed as exc:
        return _detail(request, actor, site, client_id, 422, errors_of(exc), form)
    return _show_once(request, site, client_id, issued)


@router.post("/kelola/{site}/integrasi/{client_id}/kunci/{key_id}/ganti")
def rotate_key(request: Request, site: str, client_id: uuid.UUID, key_id: uuid.UUID, csrf: Annotated[str, Form()],
               overlap_days: Annotated[str, Form()] = "7") -> Response:
    check_csrf(request, csrf)
    actor = staff_actor(request)
    try:
        data = service.RotateIn.model_validate({"overlap_days": overlap_days or 0})
        issued = service.rotate_key(db_of(request), actor, site, client_id, key_id, data)
    except ValidationError:
        return _detail(request, actor, site, client_id, 422,
                       {f"overlap-{key_id}": f"Masa peralihan 0 sampai {keys.MAX_OVERLAP_DAYS} hari."})
    except ValidationFailed as exc:
        return _detail(request, actor, site, client_id, 422, {f"overlap-{key_id}": exc.message})
    return _show_once(request, site, client_id, issued, rotated=key_id)


@router.get("/kelola/{site}/integrasi/{client_id}/kunci/{key_id}/cabut")
def revoke_confirm(request: Request, site: str, client_id: uuid.UUID, key_id: uuid.UUID) -> Response:
    """Revoking asks first: the client's calls with this key are refused within seconds."""
    actor = staff_actor(request)
    client = service.get_client(db_of(request), actor, site, client_id)
    key = next((k for k in client.keys if k.id == key_id), None)
    if key is None:
        raise NotFound("Kunci API", "key")
    return render(request, "integration/clients_revoke.html", site=catalogue.get_site(db_of(request), site),
                  client=client, key=key)


@router.post("/kelola/{site}/integrasi/{client_id}/kunci/{key_id}/cabut")
def revoke(request: Request, site: str, client_id: uuid.UUID, key_id: uuid.UUID,
           csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    service.revoke_key(db_of(request), staff_actor(request), site, client_id, key_id)
    return RedirectResponse(f"/kelola/{quote(site)}/integrasi/{client_id}?dicabut=1", status_code=303)
