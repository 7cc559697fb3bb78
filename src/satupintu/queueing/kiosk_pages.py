"""Kiosk-mode routes beyond the kiosk's own screens (queueing/pages.py): printing a ticket again
on the kiosk's thermal printer the server drives (thermal.py, docs/kiosk.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import Forbidden
from ..roles import DeviceKind
from ..web.pages import db_of
from ..web.security import check_csrf
from . import service
from .pages import _device, kiosk_printer, print_thermal

router = APIRouter(include_in_schema=False)


@router.post("/kios/{site}/cetak-ulang/{ticket_id}")
def kiosk_reprint(request: Request, site: str, ticket_id: uuid.UUID, csrf: Annotated[str, Form()]) -> Response:
    """'Cetak ulang' on a kiosk with a thermal printer: the same slip again, from this kiosk only,
    for a ticket of its own site."""
    device, _ = _device(request, site, DeviceKind.kiosk)
    check_csrf(request, csrf)
    if service.get_ticket(db_of(request), ticket_id).site != site:
        raise Forbidden("Tiket ini bukan dari lokasi kios ini.")
    printer = kiosk_printer(request, device)
    if printer is None:
        return RedirectResponse(f"/antrian/{ticket_id}/cetak", status_code=303)
    ok = print_thermal(request, printer, ticket_id, device)
    return RedirectResponse(f"/antrian/{ticket_id}/cetak?termal={'ok' if ok else 'gagal'}", status_code=303)


