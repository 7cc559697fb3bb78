"""Account JSON routes under /api/v1."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from ..config import get_settings
from ..errors import ValidationFailed
from ..roles import DeviceKind, Role
from ..schemas import Strict
from ..scope import Actor
from ..web import security
from ..web.paging import PageDep, paginate
from ..web.security import AgencyManagerDep, ManagerDep, require_api_actor
from . import service
from .pages import pairing_guard

router = APIRouter(tags=["accounts"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MeOut(BaseModel):
    id: uuid.UUID | None
    username: str
    role: Role | None
    site_id: uuid.UUID | None
    agency_id: uuid.UUID | None


TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many failed sign-ins from this username or address; wait Retry-After "
                         "seconds (the right password is refused meanwhile too)"}}


@router.post("/auth/token", response_model=TokenOut, responses=TOO_MANY,
             summary="Exchange a username and password for a bearer token")
def token(request: Request, data: LoginIn) -> TokenOut:
    actor = security.authenticate(request, data.username, data.password)
    return TokenOut(access_token=service.issue_api_token(actor), expires_in=get_settings().api_token_max_age)


@router.post("/auth/logout", status_code=204,
             summary="End every session and bearer token of the calling user, on every app process")
def logout(request: Request, actor: ActorDep) -> None:
    service.logout(request.app.state.db, actor)
    request.session.clear()


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


@router.put("/me/password", response_model=TokenOut, responses=TOO_MANY,
            summary="Change your own password: every other session and token ends; a new token is returned")
def change_password(request: Request, data: PasswordChangeIn, actor: ActorDep) -> TokenOut:
    changed = security.change_password(request, actor, data.current_password, data.new_password)
    if request.session.get("uid"):
        security.login_session(request, changed)  # the browser that changed it stays signed in
    return TokenOut(access_token=service.issue_api_token(changed), expires_in=get_settings().api_token_max_age)


@router.get("/me", response_model=MeOut)
def me(actor: ActorDep) -> MeOut:
    return MeOut(id=actor.user_id, username=actor.username, role=actor.role, site_id=actor.site_id,
                 agency_id=actor.agency_id)


@router.get("/sites/{site}/users", response_model=list[service.UserOut])
def list_users(request: Request, response: Response, page: PageDep,
               site: str, actor: ActorDep) -> list[service.UserOut]:
    items = service.list_users(request.app.state.db, actor, site)
    return paginate(request, response, items, page)


@router.post("/users", response_model=service.UserOut, status_code=201)
def create_user(request: Request, data: service.UserIn, actor: AgencyManagerDep) -> service.UserOut:
    return service.create_user(request.app.state.db, actor, data)


class PasswordSetIn(Strict):
    password: str = Field(min_length=1, max_length=200)


@router.put("/users/{user_id}/password", status_code=204,
            summary="Set another user's password (a forgotten one); that user's sessions and tokens end")
def set_password(request: Request, user_id: uuid.UUID, data: PasswordSetIn, actor: AgencyManagerDep) -> None:
    service.set_password(request.app.state.db, actor, user_id, data.password)


@router.post("/users/{user_id}/deactivate", response_model=service.UserOut,
             summary="Deactivate an account: it can no longer sign in, and its sessions and tokens end")
def deactivate_user(request: Request, user_id: uuid.UUID, actor: AgencyManagerDep) -> service.UserOut:
    return service.set_active(request.app.state.db, actor, user_id, False)


@router.post("/users/{user_id}/activate", response_model=service.UserOut, summary="Reactivate an account")
def activate_user(request: Request, user_id: uuid.UUID, actor: AgencyManagerDep) -> service.UserOut:
    return service.set_active(request.app.state.db, actor, user_id, True)


class DeviceIn(Strict):
    kind: DeviceKind
    name: str = Field(min_length=1, max_length=100)


class DeviceCreated(BaseModel):
    id: uuid.UUID
    token: str = Field(description="Shown once; only its hash is stored")


@router.post("/sites/{site}/devices", response_model=DeviceCreated, status_code=201,
             summary="Register a kiosk or display board and get its token")
def create_device(request: Request, site: str, data: DeviceIn, actor: ManagerDep) -> DeviceCreated:
    device_id, tok = service.create_device(request.app.state.db, actor, site, data.kind, data.name)
    return DeviceCreated(id=device_id, token=tok)


PAIR_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "A field is wrong: `code` (wrong_code, expired_code, used_code), `name`, `site`, "
                         "`agencies`; nothing was written"},
    429: {"description": "Too many wrong codes from this manager in 15 minutes; wait Retry-After seconds"}}


@router.post("/sites/{site}/devices/pair", response_model=service.DeviceOut, status_code=201, responses=PAIR_ERRORS,
             summary="Pair the kiosk or board showing this code on /pasang; it collects its own token")
def pair_device(request: Request, site: str, data: service.PairingIn, actor: ManagerDep) -> service.DeviceOut:
    guard = pairing_guard(request, actor)
    guard.check()
    try:
        return service.confirm_pairing(request.app.state.db, actor, site, data)
    except ValidationFailed as exc:
        if any(d.code == "wrong_code" for d in exc.details):
            guard.failed()
        raise


@router.get("/sites/{site}/devices", response_model=list[service.DeviceOut],
            summary="The kiosks and boards of a site and its mobile events, with when each was last seen")
def list_devices(request: Request, response: Response, page: PageDep,
                 site: str, actor: ManagerDep) -> list[service.DeviceOut]:
    items = service.devices_page(request.app.state.db, actor, site).devices
    return paginate(request, response, items, page)


@router.put("/devices/{device_id}/name", response_model=service.DeviceOut, summary="Rename a kiosk or board")
def rename_device(request: Request, device_id: uuid.UUID, data: service.RenameIn,
                  actor: ManagerDep) -> service.DeviceOut:
    return service.rename_device(request.app.state.db, actor, device_id, data.name)


@router.delete("/devices/{device_id}", status_code=204)
def revoke_device(request: Request, device_id: uuid.UUID, actor: ManagerDep) -> None:
    service.revoke_device(request.app.state.db, actor, device_id)


class DeviceOut(BaseModel):
    id: uuid.UUID
    site: str
    kind: DeviceKind
    name: str


@router.get("/device", response_model=DeviceOut, summary="Which device a device token belongs to (X-Device-Token)")
def device_me(request: Request) -> DeviceOut:
    from ..errors import Unauthenticated

    tok = request.headers.get("x-device-token")
    if not tok:
        raise Unauthenticated("Token perangkat tidak dikirim (header X-Device-Token).")
    d = service.device_from_token(request.app.state.db, tok)
    return DeviceOut(id=d.id, site=d.site_code, kind=d.kind, name=d.name)


@router.get("/sites/{site}/audit", response_model=list[service.AuditOut])
def audit_log(request: Request, response: Response, page: PageDep,
              site: str, actor: ActorDep) -> list[service.AuditOut]:
    items = service.audit_log(request.app.state.db, actor, site, 1000)
    return paginate(request, response, items, page)
