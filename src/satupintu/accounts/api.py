"""Account JSON routes under /api/v1."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..catalogue.schemas import Strict
from ..config import get_settings
from ..web.security import AgencyManagerDep, ManagerDep, require_api_actor
from . import service
from .models import DeviceKind, Role
from .scope import Actor

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


@router.post("/auth/token", response_model=TokenOut, summary="Exchange a username and password for a bearer token")
def token(request: Request, data: LoginIn) -> TokenOut:
    actor = service.authenticate(request.app.state.db, data.username, data.password)
    return TokenOut(access_token=service.issue_api_token(actor), expires_in=get_settings().api_token_max_age)


@router.get("/me", response_model=MeOut)
def me(actor: ActorDep) -> MeOut:
    return MeOut(id=actor.user_id, username=actor.username, role=actor.role, site_id=actor.site_id,
                 agency_id=actor.agency_id)


@router.get("/sites/{site}/users", response_model=list[service.UserOut])
def list_users(request: Request, site: str, actor: ActorDep) -> list[service.UserOut]:
    return service.list_users(request.app.state.db, actor, site)


@router.post("/users", response_model=service.UserOut, status_code=201)
def create_user(request: Request, data: service.UserIn, actor: AgencyManagerDep) -> service.UserOut:
    return service.create_user(request.app.state.db, actor, data)


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
def audit_log(request: Request, site: str, actor: ActorDep, limit: int = 200) -> list[service.AuditOut]:
    return service.audit_log(request.app.state.db, actor, site, min(max(limit, 1), 1000))
