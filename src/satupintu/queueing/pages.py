"""Front-of-house pages: kiosk, printed ticket, display board, the citizen's ticket page,
the officer's console, booking. Each parses, calls one function of service.py (the device or
signed-in user behind the browser is checked first) and renders; a ticket page's survey code
is the feedback capability's."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..accounts import service as accounts
from ..errors import Conflict, DomainError, Forbidden, Unauthenticated
from ..roles import DeviceKind
from ..timeutil import format_local, zone_label
from ..web.frontdoor import is_https
from ..web.pages import db_of, errors_of
from ..web.qr import qr_svg
from ..web.ratelimit import DEVICE_COOKIE, limited
from ..web.render import register_templates, render
from ..web.security import check_csrf, session_actor
from . import service, surveys, thermal
from .daygate import IssuingClosed
from .policy import Channel, Priority
from .schemas import BookingIn

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
log = structlog.get_logger("satupintu.kiosk")


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
def kiosk(request: Request, site: str, instansi: str = "", q: str = "", layanan: str = "",
          langkah: str = "") -> Response:
    """Kiosk mode, one step a screen: the start (take a number; check in; rate), the agency, the
    service (with search), the priority. A chosen service no counter serves says so."""
    device, token = _device(request, site, DeviceKind.kiosk)
    if layanan:
        screen = service.kiosk_screen(db_of(request), site, instansi[:50], q[:200], layanan=layanan[:50])
        if screen.chosen is None and screen.layanan_name:  # published here, but no counter serves it
            not_served = IssuingClosed("not_served", "service", "Layanan ini belum dilayani loket mana pun.", None)
            return _remember(_kiosk_closed(request, site, layanan[:50], not_served), token, request)
        if screen.chosen is None:  # no such service: back to choosing one
            layanan = ""
    response = _kiosk_page(request, site, instansi[:50], q[:200], langkah=langkah, layanan=layanan[:50])
    return _remember(response, token, request)


def _kiosk_step(instansi: str, q: str, layanan: str, langkah: str) -> str:
    if layanan:
        return "priority"
    if instansi or q:
        return "service"
    return "agency" if langkah == "instansi" else "start"


def _no_store(response: Response) -> Response:
    """A kiosk's screens are one citizen's: Back or the browser's cache must not bring them back."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _kiosk_page(request: Request, site: str, instansi: str = "", q: str = "", status_code: int = 200,
                errors: dict[str, str] | None = None, langkah: str = "", layanan: str = "") -> Response:
    screen = service.kiosk_screen(db_of(request), site, instansi, q, errors, layanan=layanan)
    step = _kiosk_step(instansi, q, layanan if screen.chosen else "", langkah)
    settings = request.app.state.settings
    idle = settings.kiosk_idle_seconds
    if step == "start":  # the start waits, unless it still shows the last citizen's withdrawn number or error
        idle = settings.kiosk_ticket_seconds if (errors or request.query_params.get("batal")) else 0
    return _no_store(render(request, "queue/kiosk.html", status_code=status_code, step=step,
                            idle_seconds=idle, **vars(screen)))


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
    except Conflict as exc:
        if exc.code != "not_served":  # the last counter serving it went away since the list was shown
            raise
        return _kiosk_closed(request, site, service_code, IssuingClosed("not_served", "service", exc.message, None))
    printed = ""
    printer = kiosk_printer(request, device)
    if printer is not None:  # this kiosk's thermal printer, driven from here (docs/kiosk.md)
        printed = "?termal=ok" if print_thermal(request, printer, ticket.id, device) else "?termal=gagal"
    return RedirectResponse(f"/antrian/{ticket.id}/cetak{printed}", status_code=303)


def kiosk_printer(request: Request, device: accounts.Device) -> thermal.PrinterSpec | None:
    settings = request.app.state.settings
    return thermal.printer_for(settings.kiosk_printer, settings.kiosk_printers, device.name)


def print_thermal(request: Request, printer: thermal.PrinterSpec, ticket_id: uuid.UUID,
                  device: accounts.Device) -> bool:
    """The ticket on the kiosk's ESC/POS printer, the same content as the printed page; False
    (and a log line) when the printer does not answer."""
    context = _ticket_context(request, ticket_id, _issuer_survey_code(request, ticket_id))
    t, site_out = context["t"], context["site"]
    prio = context["priority_labels"][t.priority][0] if t.priority.value != "none" else ""
    slip = thermal.Slip(site_out.name, context["svc"].agency_name, t.service_name, t.number, prio,
                        format_local(t.issued_at, site_out.timezone), t.position or 0, t.estimated_wait_minutes or 0,
                        str(context["qr_url"]), context["survey_code_display"])
    try:
        thermal.print_slip(printer, slip, request.app.state.settings.kiosk_printer_timeout)
    except thermal.PrintFailed as exc:
        log.warning("kiosk_thermal_print_failed", device=device.name, ticket=t.number, error=str(exc))
        return False
    return True


def _kiosk_closed(request: Request, site: str, service_code: str, closed: IssuingClosed) -> Response:
    """No number now: closed (when to come back), full for the day, or no counter serving the
    service; the booking page as a QR for the citizen's phone (the kiosk links nowhere out)."""
    screen = service.kiosk_screen(db_of(request), site, layanan=service_code)
    booking = str(request.url_for("booking_form", site=site)) + f"?layanan={quote(service_code.upper())}"
    return _no_store(render(request, "queue/kiosk_closed.html", status_code=closed.status, site=screen.site,
                            closed=closed, come_back=closed.come_back_at, booking_url=booking,
                            service_name=screen.layanan_name,
                            idle_seconds=request.app.state.settings.kiosk_idle_seconds,
                            zone=zone_label(str(closed.come_back_at.tzinfo)) if closed.come_back_at else "",
                            booking_qr=qr_svg(booking, border=1, fit=True)))


def _ticket_context(request: Request, ticket_id: uuid.UUID, survey_code: str | None = None) -> dict[str, Any]:
    screen = service.ticket_screen(db_of(request), ticket_id)
    url = str(request.url_for("citizen_ticket", ticket_id=str(screen.t.id)))
    qr_url = f"{url}?kode={survey_code}" if survey_code else url
    return {**vars(screen), "qr": qr_svg(qr_url, border=1), "ticket_url": url, "qr_url": qr_url,
            "survey_code": survey_code,
            "survey_code_display": surveys.of(request).display_survey_code(survey_code) if survey_code else ""}


def _kiosk_device(request: Request) -> accounts.Device | None:
    """The kiosk behind this browser, if it is one (no error: the print page is public)."""
    token = request.query_params.get("token") or request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    try:
        device = accounts.device_from_token(db_of(request), token)
    except DomainError:
        return None
    return device if device.kind is DeviceKind.kiosk else None


def _issuer_survey_code(request: Request, ticket_id: uuid.UUID) -> str | None:
    """The survey code goes on the printed ticket only for the kiosk that issued it; anyone else
    who opens the print page (the ticket id is public) gets the ticket without it."""
    device = _kiosk_device(request)
    if device is None:
        return None
    return surveys.of(request).printable_survey_code(db_of(request), ticket_id, f"kios:{device.name}", device.site_id)


@router.get("/antrian/{ticket_id}/cetak")
def printable(request: Request, ticket_id: uuid.UUID, lebar: int = 80) -> Response:
    """The printed ticket, for 58 mm or 80 mm thermal printers (print CSS); the kiosk prints it,
    with the survey code and a QR that carries it. On a kiosk's screen it is the ticket screen,
    back to the start after `kiosk_ticket_seconds`, never cached; a kiosk whose thermal printer
    the server drives does not print through the browser."""
    context = _ticket_context(request, ticket_id, _issuer_survey_code(request, ticket_id))
    context["qr"] = qr_svg(context["qr_url"], border=1, fit=True)  # sized by the page's CSS, never cropped
    device = _kiosk_device(request)
    kiosk_here = device is not None and device.site_code == context["site"].code
    thermal_printer = kiosk_printer(request, device) if kiosk_here and device is not None else None
    response = render(request, "queue/ticket_print.html", width=58 if lebar == 58 else 80, kiosk=kiosk_here,
                      idle_seconds=request.app.state.settings.kiosk_ticket_seconds if kiosk_here else 0,
                      thermal=thermal_printer is not None, autoprint=thermal_printer is None,
                      thermal_error=request.query_params.get("termal") == "gagal", **context)
    return _no_store(response)


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
    screen = service.board_screen(db_of(request), site, device.agencies, device.floor or "")
    query = urlencode({k: v for k, v in (("instansi", ",".join(device.agencies)), ("lantai", device.floor or "")) if v})
    response = render(request, "queue/board.html", **vars(screen), query="?" + query if query else "",
                      agencies_codes=",".join(device.agencies),
                      floor=device.floor)
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
    screen = service.overview_screen(db_of(request), actor, site)
    tz = screen.site.timezone
    return render(request, "queue/overview.html", when=lambda m: " ".join(format_local(m, tz).split()[1:]),
                  **vars(screen))


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
