"""The FastAPI application: wiring only."""

from __future__ import annotations

import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import psycopg
import sqlalchemy.exc
import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__, metrics
from .config import PACKAGE_DIR, Settings, get_settings
from .db import Database
from .errors import DatabaseUnavailable, DomainError, http_domain_error
from .logs import configure_logging, mask_url
from .migrate import ensure_migrated
from .web import providers, ratelimit
from .web.forms import refuse_bad_form_text
from .web.frontdoor import FrontDoor, SessionCookies
from .web.render import render
from .web.security import authenticate_first

log = structlog.get_logger("satupintu")

API_DESCRIPTION = """
SatuPintu JSON API, version 1. Public catalogue reads need no credentials. Changes need a
bearer token from `POST /api/v1/auth/token` (or the page session cookie plus its
`X-CSRF-Token` header). Client systems of other agencies send an API key
(`Authorization: Bearer sp_live_...` or `X-API-Key`), which opens only the routes of its scopes
(403 `scope_missing` elsewhere) at its client's site. Errors are `{"error": {"code", "message", "field"}}` with the
message in Indonesian; validation errors also list `details` per field (and per row for
spreadsheet imports).

The integration guide for agency systems (reading the catalogue with a key, pushing an
application's status with `Idempotency-Key`, receiving signed webhooks), with curl and Python
examples: [/api/v1/panduan](/api/v1/panduan).
"""


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def create_app(settings: Settings | None = None, db: Database | None = None, check_migrations: bool = True) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    db = db or Database.from_settings(settings)
    if check_migrations:
        ensure_migrated(db.engine, db.url)

    from .events import make_bus

    bus = make_bus(settings.redis_url, settings.event_stream_maxlen)
    db.bus = bus  # committed writes publish here (db.on_commit)
    if metrics.observe_published not in db.observers:
        db.observers.append(metrics.observe_published)  # tickets issued and called, wait times
    metrics.watch_pool(db.engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Fewer request threads than anyio's default 40: with the GIL, more threads only queue
        # on it, and a thread holding a database lock then waits its turn for the interpreter.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # Everything built at start-up (routes, templates, models) lives as long as the process:
        # keep it out of the garbage collector's full passes, which otherwise walk it every
        # time and show up as 50-100 ms pauses in the slowest requests.
        gc.collect()
        gc.freeze()
        log.info("satupintu.start", version=__version__, database=db.dialect,
                 events="redis" if settings.redis_url else "in-process")
        worker = None
        if settings.notify_worker:
            from .integration.idempotency_service import forget_expired
            from .notify.channels import build_channels
            from .notify.worker import NotificationWorker
            from .queueing.bookings import forget_past_contacts

            # Sends queued citizen notifications in the background, so no request waits on a
            # provider; several processes share the queue safely (claims with leases). Its loop
            # also erases booking phone numbers once their day is over, and old Idempotency-Key answers.
            worker = NotificationWorker(db, build_channels(settings), settings,
                                        housekeeping=[forget_past_contacts, forget_expired])
            worker.start()
        webhook_worker = None
        if settings.webhook_worker:
            from .integration.webhook_worker import WebhookWorker

            # Sends the webhook outbox to client systems in the background, with retries.
            webhook_worker = WebhookWorker(db, settings)
            webhook_worker.start()
        unit_worker = None
        if settings.unit_sync and db.dialect == "sqlite":
            from .unit.worker import UnitSyncWorker

            # A mobile service unit (SQLite, enrolled to a centre) syncs by itself while the link
            # is up; on an install that is no unit it only looks at the empty link table.
            unit_worker = UnitSyncWorker(db, settings)
            unit_worker.start()
        import asyncio

        from .integration.service import forget_changed_keys

        # A revoked API key is forgotten by every process as soon as the bus tells it.
        key_listener = asyncio.create_task(forget_changed_keys(db, bus))
        closer = None
        if settings.day_closer:
            from .queueing.closer import DayCloser

            # Each site's day closes itself at closing time plus grace; every process runs
            # one, and the closed day's row lets only the first through (queueing/day.py).
            closer = DayCloser(db, settings.day_close_poll_seconds)
            closer.start()
        yield
        key_listener.cancel()
        if closer is not None:
            closer.stop()
        if worker is not None:
            worker.stop()
        if webhook_worker is not None:
            webhook_worker.stop()
        if unit_worker is not None:
            unit_worker.stop()
        if app.state.hot_path is not None:
            await app.state.hot_path.close()
        bus.close()
        db.dispose()
        metrics.process_exited()

    app = FastAPI(title="SatuPintu API", version=__version__, description=API_DESCRIPTION, lifespan=lifespan,
                  docs_url="/api/v1/docs", openapi_url="/api/v1/openapi.json", redoc_url=None,
                  dependencies=[Depends(refuse_bad_form_text)])  # form bodies meet the text rule
    app.state.db = db
    app.state.settings = settings
    app.state.bus = bus
    # The web edge imports no capability: who a caller is and which site a route names are
    # answered by accounts and the catalogue, handed in here.
    from .accounts.credentials import AccountCredentials
    from .catalogue.service import cached_site_ref
    from .integration.service import IntegrationKeys

    providers.install(app, credentials=AccountCredentials(db), site_lookup=partial(cached_site_ref, db),
                      api_keys=IntegrationKeys(db))
    # Feedback reads the queue, so the queue's pages reach the survey codes through this hook.
    from .feedback import service as feedback_service
    from .queueing import surveys

    surveys.install(app, feedback_service)
    # Staffing reads the queue too: the console's "my counter" reaches the roster this way.
    from .queueing import rosters
    from .staffing import service as staffing_service

    rosters.install(app, staffing_service)
    app.state.hot_path = None
    if db.dialect == "postgresql" and settings.hot_path:
        from .queueing.hotpath import HotPath

        app.state.hot_path = HotPath(db, settings.hot_path_connections, settings.hot_path_min_connections)

    # Outgoing webhooks: every write transaction leaves its events in the webhook outbox
    # before it commits, so a webhook exists exactly when its change did (integration).
    from .integration.webhook_service import write_outbox

    if write_outbox not in db.before_commit:
        db.before_commit.append(write_outbox)

    from .integration.idempotency_middleware import IdempotencyKeys

    app.add_middleware(IdempotencyKeys, db=db)  # a retried POST with the same Idempotency-Key runs once
    app.add_middleware(SessionCookies, secret_key=settings.secret_key, session_cookie="satupintu_session",
                       max_age=settings.session_max_age, same_site="lax", force_secure=settings.secure_cookies)
    app.add_middleware(FrontDoor, secure_cookies=settings.secure_cookies)
    app.add_middleware(metrics.RequestMetrics)  # added last, so it runs first: every answer is counted
    ratelimit.install(app, settings)  # rate limits and login backoff: 429 with Retry-After

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(exc.as_dict(), status_code=exc.status)
        if exc.status == 401:
            return RedirectResponse(f"/masuk?next={request.url.path}", status_code=303)
        return render(request, "error.html", status_code=exc.status, error=exc)

    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(psycopg.OperationalError)  # the hot path's own connections, pool timeouts
    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.warning("database.unavailable", path=mask_url(request.url.path), error=exc.__class__.__name__)
        return await domain_error(request, DatabaseUnavailable())

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        try:
            await authenticate_first(request)  # a caller without rights learns nothing about the body
        except DomainError as refused:
            return await domain_error(request, refused)
        details = [{"field": "body" if e["type"] == "json_invalid" else _field_of(tuple(e["loc"])),
                    "code": e["type"], "message": e["msg"]} for e in exc.errors()]
        first = details[0] if details else {"field": None, "message": ""}
        body = {"error": {"code": "validation_failed",
                          "message": f"Data tidak valid pada kolom '{first['field']}': {first['message']}",
                          "field": first["field"], "details": details}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Starlette's and FastAPI's own refusals (no such route, wrong method, a body that could
        not be parsed, e.g. JSON nested too deep) in the project's error shape."""
        try:
            if exc.status_code == 400:  # the body could not be parsed: before the route's own checks
                await authenticate_first(request)
        except DomainError as refused:
            return await domain_error(request, refused)
        error = http_domain_error(exc.status_code)
        if request.url.path.startswith("/api/"):
            return JSONResponse(error.as_dict(), status_code=exc.status_code, headers=exc.headers)
        response = await domain_error(request, error)
        response.headers.update(exc.headers or {})
        return response

    from .accounts import api as accounts_api
    from .accounts import pages as accounts_pages
    from .applications import api as applications_api
    from .applications import pages as applications_pages
    from .catalogue import agreement_pages as catalogue_agreement_pages
    from .catalogue import api as catalogue_api
    from .catalogue import event_pages as catalogue_event_pages
    from .catalogue import pages as catalogue_pages
    from .feedback import api as feedback_api
    from .feedback import pages as feedback_pages
    from .integration import api as integration_api
    from .integration import feed_api as integration_feed_api
    from .integration import feed_pages as integration_feed_pages
    from .integration import guide_pages as integration_guide
    from .integration import pages as integration_pages
    from .integration import webhook_api as integration_webhook_api
    from .integration import webhook_pages as integration_webhook_pages
    from .notify import api as notify_api
    from .notify import pages as notify_pages
    from .oversight import api as oversight_api
    from .oversight import facility_pages as oversight_facility_pages
    from .oversight import instrument_pages as oversight_instrument_pages
    from .oversight import live_pages as oversight_live_pages
    from .oversight import pages as oversight_pages
    from .oversight import readiness_pages as oversight_readiness_pages
    from .queueing import api as queue_api
    from .queueing import board_pages as queue_board_pages
    from .queueing import close_pages as queue_close_pages
    from .queueing import console_pages as queue_console_pages
    from .queueing import day_pages as queue_day_pages
    from .queueing import kiosk_pages as queue_kiosk_pages
    from .queueing import pages as queue_pages
    from .queueing import settings_pages as queue_settings_pages
    from .queueing import voice_pages as queue_voice_pages
    from .staffing import account_pages as staffing_account_pages
    from .staffing import api as staffing_api
    from .staffing import attendance_pages as staffing_attendance_pages
    from .staffing import event_pages as staffing_event_pages
    from .staffing import officer_pages as staffing_officer_pages
    from .staffing import pages as staffing_pages
    from .unit import api as unit_api
    from .unit import pages as unit_pages

    # Every capability's pages module registers its own templates when it is imported.

    app.include_router(accounts_api.router, prefix="/api/v1")
    app.include_router(catalogue_api.router, prefix="/api/v1")
    app.include_router(queue_api.router, prefix="/api/v1")
    app.include_router(feedback_api.router, prefix="/api/v1")
    app.include_router(applications_api.router, prefix="/api/v1")
    app.include_router(staffing_api.router, prefix="/api/v1")
    app.include_router(notify_api.router, prefix="/api/v1")
    app.include_router(integration_api.router, prefix="/api/v1")
    app.include_router(integration_webhook_api.router, prefix="/api/v1")
    app.include_router(oversight_api.router, prefix="/api/v1")
    app.include_router(unit_api.router, prefix="/api/v1")
    app.include_router(integration_feed_api.router, prefix="/api/v1")
    app.include_router(integration_guide.router)
    app.include_router(accounts_pages.router)
    app.include_router(catalogue_pages.router)
    app.include_router(catalogue_event_pages.router)
    app.include_router(catalogue_agreement_pages.router)
    app.include_router(feedback_pages.router)
    app.include_router(queue_pages.router)
    app.include_router(queue_console_pages.router)
    app.include_router(queue_settings_pages.router)
    app.include_router(queue_board_pages.router)
    app.include_router(queue_day_pages.router)
    app.include_router(queue_kiosk_pages.router)
    app.include_router(queue_close_pages.router)
    app.include_router(queue_voice_pages.router)
    app.include_router(applications_pages.router)
    app.include_router(staffing_pages.router)
    app.include_router(staffing_officer_pages.router)
    app.include_router(staffing_account_pages.router)
    app.include_router(staffing_event_pages.router)
    app.include_router(unit_pages.router)
    app.include_router(staffing_attendance_pages.router)
    app.include_router(notify_pages.router)
    app.include_router(integration_webhook_pages.router)
    app.include_router(integration_pages.router)
    app.include_router(oversight_pages.router)
    app.include_router(oversight_facility_pages.router)
    app.include_router(oversight_live_pages.router)
    app.include_router(oversight_readiness_pages.router)
    app.include_router(oversight_instrument_pages.router)
    app.include_router(integration_feed_pages.router)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "web" / "static")), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """Liveness: the process answers (nothing else is checked)."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Response:
        """Readiness (probes.py): 200 ready or degraded (event bus down), 503 naming what is not ready."""
        from .probes import readiness

        status, body = readiness(db, bus)
        return JSONResponse({**body, "version": __version__}, status_code=status,
                            headers={"Cache-Control": "no-store"})

    from .integration import webhook_service
    from .notify import service as notify_service
    from .timeutil import utcnow

    # Outbox backlogs, read when scraped by whichever process answers (reported once).
    backlogs = metrics.Backlogs({"notify_outbox": lambda: notify_service.backlog(db),
                                 "webhook": lambda: webhook_service.backlog(db)}, utcnow)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        """Prometheus exposition (metrics.py); every process's values in multi-process mode."""
        if settings.metrics_token is not None:
            given = request.headers.get("authorization", "")
            if not secrets.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode()):
                return JSONResponse({"error": {"code": "unauthenticated", "message": "Token metrik tidak valid.",
                                               "field": "Authorization"}}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        data, content_type = metrics.render(backlogs)
        return Response(data, media_type=content_type, headers={"Cache-Control": "no-store"})

    from .web import openapi

    openapi.install(app)  # the document as the API behaves: ids, credentials, the error shape
    return app
