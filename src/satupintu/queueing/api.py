"""Queue JSON routes under /api/v1: each parses, calls one function of service.py, answers."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import weakref
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from .. import metrics
from ..accounts import service as accounts
from ..cache import without_thread
from ..errors import Forbidden, Unauthenticated
from ..events import Resync, Start
from ..roles import DeviceKind
from ..scope import Actor, can_issue_tickets
from ..web.openapi import EVENT_STREAM, files
from ..web.pages import db_of
from ..web.paging import PageDep, paginate
from ..web.qr import qr_code
from ..web.ratelimit import limited
from ..web.security import ManagerDep, api_actor, authenticating, require_api_actor, site_scope
from . import service
from .hotpath import HotPath
from .policy import Action, Channel
from .schemas import (
    ActIn,
    BoardState,
    BookingCancelled,
    BookingIn,
    BookingView,
    CallTicketIn,
    CloseDayIn,
    CloseDayResult,
    CloseIn,
    CounterStateView,
    IssueIn,
    QueueGroup,
    QueueSettingsIn,
    QueueSettingsOut,
    ReferIn,
    SlotView,
    TicketView,
)
from .snapshots import SharedReads

router = APIRouter(tags=["queue"])
CounterNumber = Annotated[int, Path(ge=1, le=999)]


@authenticating
async def _actor(request: Request) -> Actor:
    """The signed-in caller: checked in the event loop when the credentials are cached."""
    return await without_thread(require_api_actor, request)


ActorDep = Annotated[Actor, Depends(_actor)]


def _counter_operator(request: Request) -> Actor:
    actor = require_api_actor(request)
    number = request.path_params.get("number", "")
    if number.isdigit() and 1 <= int(number) <= 999:  # else the path's own validation answers
        service.check_counter(db_of(request), actor, request.path_params["site"], int(number))
    return actor


@authenticating
async def _operator(request: Request) -> Actor:
    """One who may work this counter (its agency's staff, the site manager): checked before the
    body, so an officer of another agency hears 403 whatever they send."""
    return await without_thread(_counter_operator, request)


OperatorDep = Annotated[Actor, Depends(_operator)]


def _hot(request: Request) -> HotPath | None:
    """The app's hot path (PostgreSQL with `hot_path = true`), else None."""
    return getattr(request.app.state, "hot_path", None)


def _issuer(request: Request) -> service.Issuer:
    """A kiosk (X-Device-Token) or a signed-in staff member at reception, of the route's site
    (staff of a mall also at its mobile events): checked here, before the body."""
    token = request.headers.get("x-device-token")
    if token:
        device = accounts.device_from_token(db_of(request), token)
        if device.kind is not DeviceKind.kiosk:
            raise Forbidden("Hanya perangkat kios yang dapat mengambil nomor antrean.")
        if device.site_id != site_scope(request, request.path_params["site"]).id:
            raise Forbidden("Perangkat atau akun ini bukan milik lokasi layanan tersebut.")
        return service.Issuer(label=f"kios:{device.name}", site_id=device.site_id, device_id=device.id)
    actor = api_actor(request)
    if actor is None:
        raise Unauthenticated("Gunakan token perangkat kios (X-Device-Token) atau masuk sebagai petugas.")
    if actor.site_id is None:
        raise Forbidden("Akun ini tidak terikat pada satu lokasi layanan.")
    if not can_issue_tickets(actor, site_scope(request, request.path_params["site"])):
        raise Forbidden("Perangkat atau akun ini bukan milik lokasi layanan tersebut.")
    return service.Issuer(label=actor.label, site_id=actor.site_id, actor=actor)


@authenticating
async def issuer(request: Request) -> service.Issuer:
    """The issuing kiosk or staff member: checked in the event loop when cached."""
    return await without_thread(_issuer, request)


IssuerDep = Annotated[service.Issuer, Depends(issuer)]


# The hot routes answer with the JSON already made: FastAPI would otherwise validate again the
# TicketView that service.py has just built, then serialise it through the same adapter. The
# bytes are the same (the adapter of the declared response_model, by alias, as FastAPI calls it);
# the OpenAPI document still comes from response_model. Anything else goes FastAPI's way.
_TICKET_JSON = TypeAdapter(TicketView | None)


def _answer(view: TicketView | None, status_code: int = 200) -> Response | TicketView | None:
    if view is not None and type(view) is not TicketView:
        return view
    return Response(_TICKET_JSON.dump_json(view, by_alias=True), status_code=status_code,
                    media_type="application/json")


# The hot operations: on PostgreSQL in the event loop (hotpath.py), else the sync service
# function in a worker thread; runner.py decides. Both give the same answers and the same errors.

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
    description="One per citizen action (e.g. a UUID). A retry with the same key and the same body gets the same "
                "ticket (not a second number); the same key with another body is refused (422 "
                "idempotency_key_reused).")]


@router.post("/sites/{site}/tickets", response_model=TicketView, status_code=201,
             summary="Issue a ticket (kiosk device token, or reception staff); retry safely with Idempotency-Key")
async def issue(request: Request, site: str, data: IssueIn, who: IssuerDep,
                idempotency_key: IdempotencyKey = None) -> Response | TicketView | None:
    return _answer(await service.issue_ticket_async(db_of(request), _hot(request), who, site, data.service,
                                                    data.priority, Channel(data.channel), idempotency_key), 201)


@router.post("/sites/{site}/counters/{number}/call-next", response_model=TicketView | None,
             summary="Call the next visitor by the calling policy; null when nobody waits")
async def call_next(request: Request, site: str, number: CounterNumber, actor: OperatorDep
                    ) -> Response | TicketView | None:
    return _answer(await service.call_next_async(db_of(request), _hot(request), actor, site, number))


@router.post("/sites/{site}/counters/{number}/call-ticket", response_model=TicketView,
             summary="Call one chosen waiting number at this counter, with a reason (recorded)")
def call_ticket(request: Request, site: str, number: CounterNumber, data: CallTicketIn,
                actor: OperatorDep) -> TicketView:
    return service.call_ticket(db_of(request), actor, site, number, data.ticket_id, data.reason)


def _act(name: str, action: Action, summary: str) -> None:
    async def route(request: Request, site: str, number: CounterNumber, actor: OperatorDep,
                    data: ActIn | None = None) -> Response | TicketView | None:
        return _answer(await service.step_async(db_of(request), _hot(request), actor, site, number, action,
                                                data.ticket_id if data else None))

    route.__name__ = name.replace("-", "_")
    router.post(f"/sites/{{site}}/counters/{{number}}/{name}", response_model=TicketView, summary=summary)(route)


_act("recall", Action.recall, "Call the current visitor again")
_act("no-show", Action.no_show, "The called visitor did not come")
_act("start", Action.start, "Start serving the called visitor")
_act("finish", Action.finish, "Finish serving")
_act("hold", Action.hold, "Put the current visitor on hold (e.g. to fetch a document)")


@router.get("/tickets/{ticket_id}", response_model=TicketView,
            summary="A ticket's public state: position and estimated wait, no personal data")
def ticket(request: Request, ticket_id: uuid.UUID) -> TicketView:
    return service.get_ticket(db_of(request), ticket_id)


@router.get("/tickets/{ticket_id}/history", summary="Every event of the ticket's visit (staff)")
def history(request: Request, response: Response, page: PageDep,
            ticket_id: uuid.UUID, actor: ActorDep) -> list[dict[str, Any]]:
    items = service.visit_history(db_of(request), actor, ticket_id)
    return paginate(request, response, items, page)


@router.get("/sites/{site}/queue", response_model=list[TicketView], summary="Waiting tickets, in calling order")
def queue(request: Request, response: Response, page: PageDep, site: str, actor: ActorDep) -> list[TicketView]:
    items = service.waiting(db_of(request), actor, site)
    return paginate(request, response, items, page)


@router.get("/sites/{site}/counter-states", response_model=list[CounterStateView])
def counter_states(request: Request, response: Response, page: PageDep,
                   site: str, actor: ActorDep) -> list[CounterStateView]:
    items = service.site_counters(db_of(request), actor, site)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/counters/{number}/open", response_model=CounterStateView)
def open_counter(request: Request, site: str, number: CounterNumber, actor: OperatorDep) -> CounterStateView:
    return service.open_counter(db_of(request), actor, site, number)


@router.post("/sites/{site}/counters/{number}/close", response_model=CounterStateView)
def close_counter(request: Request, site: str, number: CounterNumber, data: CloseIn,
                  actor: OperatorDep) -> CounterStateView:
    return service.close_counter(db_of(request), actor, site, number, data.reason,
                                 confirm_reason=data.confirm_reason)


@router.post("/sites/{site}/counters/{number}/refer", response_model=TicketView,
             summary="Refer the visitor being served to another service; returns the new ticket")
def refer(request: Request, site: str, number: CounterNumber, data: ReferIn, actor: OperatorDep) -> TicketView:
    return service.refer(db_of(request), actor, site, number, data.service, data.note, data.position)


@router.post("/sites/{site}/tickets/{ticket_id}/requeue", response_model=TicketView)
def requeue(request: Request, site: str, ticket_id: uuid.UUID, actor: ActorDep) -> TicketView:
    return service.requeue(db_of(request), actor, site, ticket_id)


@router.post("/sites/{site}/tickets/{ticket_id}/resume", response_model=TicketView)
def resume(request: Request, site: str, ticket_id: uuid.UUID, actor: ActorDep) -> TicketView:
    return service.resume(db_of(request), actor, site, ticket_id)


@router.post("/sites/{site}/close-day", response_model=CloseDayResult)
def close_day(request: Request, site: str, data: CloseDayIn, actor: ManagerDep) -> CloseDayResult:
    return service.close_day(db_of(request), actor, site, data.date, data.reason)


class SiteQueueSettings(BaseModel):
    services: list[QueueSettingsOut]
    groups: list[QueueGroup]


@router.get("/sites/{site}/queue-settings", response_model=SiteQueueSettings,
            summary="Every service's queue settings and the queue groups its letters make (manager)")
def site_queue_settings(request: Request, site: str, actor: ActorDep) -> SiteQueueSettings:
    rows, groups = service.site_queue_settings(db_of(request), actor, site)
    return SiteQueueSettings(services=rows, groups=groups)


@router.put("/sites/{site}/services/{code}/queue-settings", response_model=QueueSettingsOut,
            summary="Set a service's ticket letter, daily quota, last issue time and booking slots")
def configure_queue(request: Request, site: str, code: str, data: QueueSettingsIn, actor: ManagerDep
                    ) -> QueueSettingsOut:
    return service.configure(db_of(request), actor, site, code, data)


@router.get("/sites/{site}/services/{code}/slots", response_model=list[SlotView])
def slots(request: Request, response: Response, page: PageDep, site: str, code: str, date: date) -> list[SlotView]:
    items = service.slots(db_of(request), site, code, date)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/bookings", response_model=BookingView, status_code=201, dependencies=[limited("booking")],
             summary="Book a slot; refused when full or when the same person already booked that day")
def book(request: Request, site: str, data: BookingIn) -> BookingView:
    return service.book(db_of(request), site, data)


@router.get("/bookings/{code}", response_model=BookingView, dependencies=[limited("lookup")])
def get_booking(request: Request, code: str) -> BookingView:
    return service.get_booking(db_of(request), code)


@router.post("/bookings/{code}/cancel", response_model=BookingCancelled, dependencies=[limited("booking")],
             summary="Cancel a booking by its code (public: the code is the secret); its seat returns to the slot",
             description="Allowed while the booking is still `booked` and its slot has not started. The name, "
                         "NIK and phone are erased and the reminder is withdrawn. Cancelling again answers 200 "
                         "with `already_cancelled: true`. Refused with 409 `booking_checked_in` or `slot_started` "
                         "(field `code`); 404 for an unknown code.")
def cancel_booking(request: Request, code: str) -> BookingCancelled:
    return service.cancel_booking(db_of(request), code)


@router.get("/bookings/{code}/qr.svg", response_class=Response, summary="QR code of the booking code",
            dependencies=[limited("lookup")])
def booking_qr(request: Request, code: str) -> Response:
    booking = service.get_booking(db_of(request), code)
    buf = io.BytesIO()
    qr_code(booking.code).save(buf, kind="svg", scale=6, border=4)
    return Response(buf.getvalue(), media_type="image/svg+xml")


@router.post("/sites/{site}/bookings/{code}/check-in", response_model=TicketView, status_code=201)
def check_in(request: Request, site: str, code: str, who: IssuerDep) -> TicketView:
    return service.check_in(db_of(request), who, site, code)


@router.get("/sites/{site}/board", response_model=BoardState, summary="What a display board shows (public)")
def board(request: Request, site: str, instansi: str = "", lantai: str = "") -> BoardState:
    """`instansi`: agency codes separated by commas, for a board that shows only those;
    `lantai`: a floor (as set on the counters), for a board that shows only that floor."""
    return service.board_state(db_of(request), site, _agency_codes(instansi), lantai[:40])


def _agency_codes(instansi: str) -> list[str]:
    return [c.strip().upper() for c in instansi[:2000].split(",") if c.strip()]


class _Snapshot:
    """A board read once for many streams, encoded once for each `live` value."""

    def __init__(self, board: BoardState) -> None:
        self.board = board
        self._data: dict[bool, str] = {}

    def data(self, live: bool) -> str:
        if live not in self._data:
            self._data[live] = json.dumps({**self.board.model_dump(mode="json"), "live": live})
        return self._data[live]


def _board_reads(state: Any) -> SharedReads[_Snapshot]:
    """The app's shared board reads of the running event loop (its futures belong to it)."""
    loop = asyncio.get_running_loop()
    per_loop = getattr(state, "board_reads", None)
    if per_loop is None:
        per_loop = state.board_reads = weakref.WeakKeyDictionary()
    reads = per_loop.get(loop)
    if reads is None:
        reads = per_loop[loop] = SharedReads()
    return reads


RESYNC_SPACING = 1.0  # seconds at least between two resync snapshots of one stream


@router.get("/sites/{site}/events", summary="Live queue events (server-sent events): a 'snapshot' (the board's "
                                            "state plus `live`) comes first on a new connection and again "
                                            "whenever the event bus cannot vouch for what the stream missed; a "
                                            "'status' event (`{\"live\": false|true}`) when the bus goes away or "
                                            "comes back, so a client never works from stale state unawares",
            description="Every event and snapshot carries an SSE `id`. A client that reconnects with the last id "
                        "it saw (the `Last-Event-ID` header, which EventSource sends by itself, or the "
                        "`last_event_id` parameter for a client that opens a new EventSource) gets a 'status' "
                        "event and then every event after that id, then live ones, and no snapshot. When the "
                        "site's event log no longer holds that id (trimmed, or unknown) it gets a snapshot "
                        "instead, as on a new connection.",
            responses=files(EVENT_STREAM), response_class=EventSourceResponse)
async def events(request: Request, site: str, instansi: str = "", lantai: str = "",
                 last_event_id: str = "") -> EventSourceResponse:
    db = db_of(request)
    channel = await run_in_threadpool(service.live_channel, db, site)
    bus = request.app.state.bus
    after = (request.headers.get("last-event-id") or last_event_id).strip()[:64] or None

    agencies, floor = _agency_codes(instansi), lantai[:40]
    reads = _board_reads(request.app.state)

    async def read() -> _Snapshot:
        return _Snapshot(await run_in_threadpool(service.board_state, db, site, agencies, floor))

    async def snapshot(live: bool, at: str | None) -> dict[str, str]:
        # One read shared by every stream of this board that needs it now and that it covers
        # (snapshots.py): a reconnect storm costs a few reads, not one per stream.
        board = await reads.get((channel, tuple(agencies), floor.strip()), at, lambda: bus.position(channel), read)
        out = {"event": "snapshot", "data": board.data(live)}
        return {**out, "id": at} if at else out  # without an id the client keeps the one it had

    async def stream() -> AsyncIterator[dict[str, str] | bytes]:
        loop = asyncio.get_running_loop()
        # Entries come in lists of those already waiting, each encoded once in this process
        # (Entry.frame), and go out in one write: the stream's cost no longer grows with
        # every event times every middleware's send.
        subscription = bus.batches(channel, after)
        # Subscribed, and the log position known, before the snapshot is read: nothing falls between.
        start: Start = await subscription.__anext__()
        live = start.live
        pending = asyncio.ensure_future(subscription.__anext__())
        metrics.SSE_CLIENTS.inc()  # satupintu_sse_clients: while the stream is open
        try:
            if start.resumed:  # the missed events follow: the client keeps its state
                yield {"event": "status", "data": json.dumps({"live": live})}
            else:
                yield await snapshot(live, start.at)
            last = loop.time()
            while True:
                item = await pending
                if isinstance(item, Resync):  # events may be missing: the state again, read after the marker
                    # While Redis is down every event here is a resync: one snapshot a second at
                    # most (the markers meanwhile coalesce into one, so the last change is read).
                    await asyncio.sleep(max(0.0, last + RESYNC_SPACING - loop.time()))
                    pending = asyncio.ensure_future(subscription.__anext__())
                    if item.live != live:
                        live = item.live
                        yield {"event": "status", "data": json.dumps({"live": live})}
                    yield await snapshot(live, item.at)
                    last = loop.time()
                else:
                    pending = asyncio.ensure_future(subscription.__anext__())
                    yield b"".join(entry.frame for entry in item)
        finally:
            metrics.SSE_CLIENTS.dec()
            pending.cancel()
            await subscription.aclose()

    return EventSourceResponse(stream(), ping=15)
