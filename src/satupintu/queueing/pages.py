"""Front-of-house pages: kiosk, printed ticket, display board, the citizen's ticket page,
the officer's console, booking. Each parses, calls one function of service.py (the device or
signed-in user behind the browser is checked first) and renders; a ticket page's survey code
is the feedback capability's."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..accounts import service as accounts
from ..errors import Conflict, DomainError, Forbidden, Unauthenticated
from ..roles import DeviceKind
from ..timeutil import zone_label
from ..web.frontdoor import is_https
from ..web.pages import db_of, errors_of
from ..web.qr import qr_svg
from ..web.ratelimit import limited
from ..web.render import register_templates, render
from ..web.security import check_csrf, session_actor
from . import service, surveys
from .daygate import IssuingClosed
from .policy import Channel, Priority
from .schemas import BookingIn

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
DEVICE_COOKIE = "satupintu_device"


def _device(request: Request, site: str, kind: DeviceKind) -> tuple[accounts.Device, str | None]:
    """The kiosk or board behind this browser: `?token=` once (then a cookie), never a login."""
    token = request.query_params.get("token") or request.cookies.get(DEVICE_COOKIE)
    if not token:
        raise Forbidden("Perangkat ini belum dipasangkan. Buka alamat /pasang di perangkat ini, lalu minta pengelola "
                        "MPP mengetik kode yang tampil.")
    try:
        device = accounts.device_from_token(db_of(request), token)
    except Unauthenticated as exc:  # revoked: the screen says how to pair it again, not a staff sign-in
        raise Forbidden("Perangkat ini sudah dicabut atau belum dipasangkan. Buka alamat /pasang di perangkat "
                        "ini, lalu minta pengelola MPP mengetik kode yang tampil.") from exc
    if device.kind is not kind or device.site_code != site:
        raise Forbidden("Token perangkat ini bukan untuk layar ini.")
    return device, request.query_params.get("token")


def _remember(response: Response, token: str | None, request: Request) -> Response:
    if token:
        https = is_https(request.scope)
        response.set_cookie(DEVICE_COOKIE, token, max_age=5 * 365 * 86400, httponly=True, samesite="lax",
                            secure=request.app.state.settings.secure_cookies or https)
    return response


@router.get("/kios/{site}")
def kiosk(request: Request, site: str, instansi: str = "", q: str = "") -> Response:
    device, token = _device(request, site, DeviceKind.kiosk)
    response = _kiosk_page(request, site, instansi, q[:200])
    return _remember(response, token, request)


def _kiosk_page(request: Request, site: str, instansi: str = "", q: str = "", status_code: int = 200,
                errors: dict[str, str] | None = None) -> Response:
    screen = service.kiosk_screen(db_of(request), site, instansi, q, errors)
    return render(request, "queue/kiosk.html", status_code=status_code, **vars(screen))


@router.post("/kios/{site}/check-in")
def kiosk_check_in(request: Request, site: str, csrf: Annotated[str, Form()],
                   code: Annotated[str, Form()] = "") -> Response:
    """A booking code typed, or read by a barcode/QR scanner (which types it and presses Enter)."""
    device, _ = _device(request, site, DeviceKind.kiosk)
    check_csrf(request, csrf)
    issuer = service.Issuer(label=f"kios:{device.name}", site_id=device.site_id, device_id=device.id)
    if not code.strip():
        return _kiosk_page(request, site, status_code=422, errors={"code": "Kode pemesanan wajib diisi."})
    try:
        ticket = service.check_in(db_of(request), issuer, site, code)
    except DomainError as exc:
        if exc.status in (401, 403):
            raise
        return _kiosk_page(request, site, status_code=422, errors={"code": exc.message})
    return RedirectResponse(f"/antrian/{ticket.id}/cetak", status_code=303)


@router.post("/kios/{site}/ambil")
def kiosk_take(request: Request, site: str, csrf: Annotated[str, Form()], service_code: Annotated[str, Form()],
               priority: Annotated[str, Form()] = "none", idempotency_key: Annotated[str, Form()] = "") -> Response:
    """A number for the chosen service. The kiosk's script sends a key per citizen action and
    retries with it when the answer is lost, so a retry gets the same ticket (kiosk-take.js)."""
    device, _ = _device(request, site, DeviceKind.kiosk)
    check_csrf(request, csrf)
    issuer = service.Issuer(label=f"kios:{device.name}", site_id=device.site_id, device_id=device.id)
    try:
        prio = Priority(priority)
    except ValueError:
        prio = Priority.none
    try:
        ticket = service.issue_ticket(db_of(request), issuer, site, service_code, prio, Channel.kiosk,
                                      idempotency_key or None)
    except IssuingClosed as closed:
        return _kiosk_closed(request, site, service_code, closed)
    return RedirectResponse(f"/antrian/{ticket.id}/cetak", status_code=303)


def _kiosk_closed(request: Request, site: str, service_code: str, closed: IssuingClosed) -> Response:
    """No number now: when to come back, and the booking page (link and QR for a phone)."""
    screen = service.kiosk_screen(db_of(request), site)
    booking = str(request.url_for("booking_form", site=site)) + f"?layanan={quote(service_code.upper())}"
    return render(request, "queue/kiosk_closed.html", status_code=closed.status, site=screen.site, closed=closed,
                  come_back=closed.come_back_at, booking_url=booking,
                  zone=zone_label(str(closed.come_back_at.tzinfo)) if closed.come_back_at else "",
                  booking_qr=qr_svg(booking, border=1))


def _ticket_context(request: Request, ticket_id: uuid.UUID, survey_code: str | None = None) -> dict[str, Any]:
    screen = service.ticket_screen(db_of(request), ticket_id)
    url = str(request.url_for("citizen_ticket", ticket_id=str(screen.t.id)))
    qr_url = f"{url}?kode={survey_code}" if survey_code else url
    return {**vars(screen), "qr": qr_svg(qr_url, border=1), "ticket_url": url, "survey_code": survey_code,
            "survey_code_display": surveys.of(request).display_survey_code(survey_code) if survey_code else ""}


def _issuer_survey_code(request: Request, ticket_id: uuid.UUID) -> str | None:
    """The survey code goes on the printed ticket only for the kiosk that issued it; anyone else
    who opens the print page (the ticket id is public) gets the ticket without it."""
    token = request.query_params.get("token") or request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    try:
        device = accounts.device_from_token(db_of(request), token)
    except DomainError:
        return None
    if device.kind is not DeviceKind.kiosk:
        return None
    return surveys.of(request).printable_survey_code(db_of(request), ticket_id, f"kios:{device.name}", device.site_id)


@router.get("/antrian/{ticket_id}/cetak")
def printable(request: Request, ticket_id: uuid.UUID, lebar: int = 80) -> Response:
    """The printed ticket, for 58 mm or 80 mm thermal printers (print CSS); the kiosk prints it,
    with the survey code and a QR that carries it."""
    return render(request, "queue/ticket_print.html", width=58 if lebar == 58 else 80,
                  **_ticket_context(request, ticket_id, _issuer_survey_code(request, ticket_id)))


@router.get("/antrian/{ticket_id}", name="citizen_ticket")
def citizen_ticket(request: Request, ticket_id: uuid.UUID, kode: str = "") -> Response:
    """The citizen's page from the QR: position, estimate, live status. No personal data. The
    QR carries the survey code, so once served the page links the survey with it."""
    context = _ticket_context(request, ticket_id)
    valid = surveys.of(request).holds_survey_code(context["t"].visit_id, kode[:200])
    return render(request, "queue/ticket.html", **context,
                  survey_link_code=surveys.of(request).normalise_survey_code(kode) if valid else None,
                  survey_code_error=bool(kode) and not valid)


@router.get("/papan/{site}")
def board(request: Request, site: str) -> Response:
    device, token = _device(request, site, DeviceKind.board)
    response = render(request, "queue/board.html", **vars(service.board_screen(db_of(request), site, device.agencies)),
                      agencies=",".join(device.agencies), floor=device.floor)
    return _remember(response, token, request)


@router.get("/loket/{site}/{number}")
def console(request: Request, site: str, number: int) -> Response:
    actor = session_actor(request)
    if actor is None:
        raise Unauthenticated()
    request.state.actor = actor
    return render(request, "queue/console.html", **vars(service.console_screen(db_of(request), actor, site, number)))


@router.post("/antrian/{ticket_id}/batal")
def void_ticket(request: Request, ticket_id: uuid.UUID, csrf: Annotated[str, Form()]) -> Response:
    """'Printing failed': the kiosk withdraws the number it just issued."""
    t = service.get_ticket(db_of(request), ticket_id)
    device, _ = _device(request, t.site, DeviceKind.kiosk)
    check_csrf(request, csrf)
    issuer = service.Issuer(label=f"kios:{device.name}", site_id=device.site_id, device_id=device.id)
    service.void_unprinted(db_of(request), issuer, ticket_id)
    return RedirectResponse(f"/kios/{t.site}?batal={t.number}", status_code=303)


@router.get("/antrian/{ticket_id}/cetak.pdf")
def printable_pdf(request: Request, ticket_id: uuid.UUID, lebar: int = 80) -> Response:
    """The same ticket as a PDF, for printers driven outside the browser."""
    from weasyprint import HTML  # deferred: a heavy import that only this route needs

    page = render(request, "queue/ticket_print.html", width=58 if lebar == 58 else 80, pdf=True,
                  **_ticket_context(request, ticket_id, _issuer_survey_code(request, ticket_id)))
    html = bytes(page.body).decode()
    pdf = HTML(string=html, base_url=str(request.base_url)).write_pdf()
    return Response(pdf, media_type="application/pdf")


@router.get("/kelola/{site}/antrian")
def overview(request: Request, site: str) -> Response:
    """The site manager's live view of every counter."""
    actor = session_actor(request)
    if actor is None:
        raise Unauthenticated()
    request.state.actor = actor
    return render(request, "queue/overview.html", **vars(service.overview_screen(db_of(request), actor, site)))


@router.get("/mpp/{site}/pesan")
def booking_form(request: Request, site: str, layanan: str = "", tanggal: str = "") -> Response:
    """Book a visit: a bookable service, a working day, a slot with seats left."""
    return render(request, "queue/booking.html", **vars(service.booking_screen(db_of(request), site, layanan, tanggal)))


@router.post("/mpp/{site}/pesan", dependencies=[limited("booking")])
def booking_submit(request: Request, site: str, csrf: Annotated[str, Form()], layanan: Annotated[str, Form()] = "",
                   slot: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                   nik: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
                   remind: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    db = db_of(request)
    values = {"name": name, "nik": nik, "phone": phone, "remind": bool(remind)}
    try:
        booked = service.book(db, site, BookingIn.model_validate({
            "service": layanan, "slot_start": slot, "name": name, "nik": nik or None, "phone": phone or None,
            "remind": bool(remind)}))
    except (ValidationError, DomainError) as exc:
        errors = errors_of(exc)
        return render(request, "queue/booking.html", status_code=422,
                      **vars(service.booking_retry_screen(db, site, layanan, slot, errors, values)))
    return RedirectResponse(f"/pesan/{booked.code}", status_code=303)


@router.get("/pesan/{code}", dependencies=[limited("lookup")])
def booking_done(request: Request, code: str) -> Response:
    screen = service.booking_done_screen(db_of(request), code)
    return render(request, "queue/booking_done.html", **vars(screen), qr=qr_svg(screen.b.code))


@router.get("/pesan/{code}/batal", dependencies=[limited("lookup")])
def booking_cancel_form(request: Request, code: str) -> Response:
    """What cancelling will give up, and the button; once cancelled, the result."""
    screen = service.booking_done_screen(db_of(request), code)
    return render(request, "queue/booking_cancel.html", **vars(screen), error=None)


@router.post("/pesan/{code}/batal", dependencies=[limited("booking")])
def booking_cancel(request: Request, code: str, csrf: Annotated[str, Form()]) -> Response:
    """The citizen holding the code cancels; the result page then says so (cancelling again
    leads to the same page)."""
    check_csrf(request, csrf)
    db = db_of(request)
    try:
        cancelled = service.cancel_booking(db, code)
    except Conflict as exc:  # checked in, or the slot has started: said on the page
        return render(request, "queue/booking_cancel.html", status_code=409,
                      **vars(service.booking_done_screen(db, code)), error=exc.message)
    return RedirectResponse(f"/pesan/{cancelled.code}/batal", status_code=303)


@router.post("/kios/{site}/survei")
def kiosk_survey(request: Request, site: str, csrf: Annotated[str, Form()],
                 kode: Annotated[str, Form()] = "") -> Response:
    """The kiosk's 'rate our service': the survey code printed on the ticket (typed, or its QR
    read by a scanner) leads to the visit's survey; a bare ticket number does not."""
    _device(request, site, DeviceKind.kiosk)
    check_csrf(request, csrf)
    try:
        ticket_id, code = surveys.of(request).ticket_for_survey_code(db_of(request), site, kode[:200])
    except DomainError as exc:
        if exc.status in (401, 403):
            raise
        return _kiosk_page(request, site, status_code=422, errors={"survey_code": exc.message})
    return RedirectResponse(f"/survei/{ticket_id}?kode={code}&via=kiosk", status_code=303)
