"""JSON routes for client systems and their API keys (site manager or overseer)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from ..web.pages import db_of
from ..web.paging import PageDep, paginate
from ..web.security import ManagerDep
from . import service

router = APIRouter(tags=["integration"])


@router.get("/sites/{site}/clients", response_model=list[service.ClientOut],
            summary="The site's client systems and their keys (prefixes only)")
def list_clients(request: Request, response: Response, page: PageDep, site: str,
                 actor: ManagerDep) -> list[service.ClientOut]:
    return paginate(request, response, service.list_clients(db_of(request), actor, site), page)


@router.post("/sites/{site}/clients", response_model=service.ClientOut, status_code=201,
             summary="Register a client system")
def register_client(request: Request, site: str, data: service.ClientIn, actor: ManagerDep) -> service.ClientOut:
    return service.register_client(db_of(request), actor, site, data)


@router.get("/sites/{site}/clients/{client_id}", response_model=service.ClientOut)
def get_client(request: Request, site: str, client_id: uuid.UUID, actor: ManagerDep) -> service.ClientOut:
    return service.get_client(db_of(request), actor, site, client_id)


@router.post("/sites/{site}/clients/{client_id}/keys", response_model=service.IssuedKey, status_code=201,
             summary="Issue an API key; the full key is in this answer only")
def create_key(request: Request, site: str, client_id: uuid.UUID, data: service.KeyIn,
               actor: ManagerDep) -> service.IssuedKey:
    return service.create_key(db_of(request), actor, site, client_id, data)


@router.post("/sites/{site}/clients/{client_id}/keys/{key_id}/rotate", response_model=service.IssuedKey,
             status_code=201, summary="A new key; the old one keeps working for overlap_days")
def rotate_key(request: Request, site: str, client_id: uuid.UUID, key_id: uuid.UUID, data: service.RotateIn,
               actor: ManagerDep) -> service.IssuedKey:
    return service.rotate_key(db_of(request), actor, site, client_id, key_id, data)


@router.post("/sites/{site}/clients/{client_id}/keys/{key_id}/revoke", response_model=service.KeyOut,
             summary="Revoke a key: refused on every app process within seconds")
def revoke_key(request: Request, site: str, client_id: uuid.UUID, key_id: uuid.UUID,
               actor: ManagerDep) -> service.KeyOut:
    return service.revoke_key(db_of(request), actor, site, client_id, key_id)
