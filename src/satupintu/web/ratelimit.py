"""Rate limits and login backoff: one mechanism for API and page routes.

Counters are moving windows of the `limits` library, in Redis when `redis_url` is set (every
app process shares them) and in the process's memory otherwise. When Redis cannot be reached
the limiter does not fail open: it counts in its own memory (per process, so a client may get
up to the limit once per process), logs a warning, and tries Redis again after
`REDIS_RETRY_SECONDS`.

- `limited("complaint")` is a route dependency: the client address may call the route as often
  as the setting `rate_limit_complaint` allows (e.g. "10/minute;60/hour"); a valid kiosk device
  token is exempt, since a whole hall shares the kiosk's address.
- `LoginGuard` counts failed sign-ins per username and per client address, in tiers
  (`login_failures_per_account`, `login_failures_per_address`); while a tier is full every
  attempt is refused before the password is checked, the right one too.

Refusals are `TooManyRequests` (429, code `too_many_requests`) with the seconds to wait, sent
as Retry-After. The client address is the one uvicorn resolved (`request.client.host`: behind a
proxy listed in `forwarded_allow_ips`, the X-Forwarded-For address).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from ..config import Settings
from ..errors import DomainError

log = structlog.get_logger("satupintu")

REDIS_RETRY_SECONDS = 30.0
DEVICE_COOKIE = "satupintu_device"  # a paired kiosk or board browser's device token (set at pairing)
# The settings that hold each named limit.
LIMIT_SETTINGS = {
    "complaint": "rate_limit_complaint",
    "booking": "rate_limit_booking",
    "survey": "rate_limit_survey",
    "lookup": "rate_limit_lookup",
    "pairing_start": "rate_limit_pairing_start",
    "pairing_status": "rate_limit_pairing_status",
}


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__("too_many_requests", message or
                         "Terlalu banyak permintaan dari alamat Anda. Tunggu sebentar lalu coba lagi.")
        self.retry_after = retry_after


def login_locked_message(retry_after: int) -> str:
    return (f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {wait_minutes(retry_after)} menit.")


def wait_minutes(retry_after: int) -> int:
    return max(1, math.ceil(retry_after / 60))


def tiers(spec: str) -> list[RateLimitItem]:
    """Limits in the `limits` notation ("5/minute;10/5 minutes"); empty for "" (no limit)."""
    return list(parse_many(spec)) if spec.strip() else []


class Limiter:
    """Moving-window counters in Redis or memory, with the memory fallback described above."""

    def __init__(self, redis_url: str | None, key_prefix: str) -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis: MovingWindowRateLimiter | None = None
        if redis_url:
            storage: Storage = RedisStorage(redis_url, key_prefix=f"{key_prefix}:ratelimit", wrap_exceptions=True,
                                            socket_timeout=1.0, socket_connect_timeout=1.0)
            self._redis = MovingWindowRateLimiter(storage)
        self._redis_down_until = 0.0
        self._lock = threading.Lock()

    @property
    def storage_name(self) -> str:
        return "redis" if self._redis is not None else "memory"

    def _run(self, op: Callable[[MovingWindowRateLimiter], Any]) -> Any:
        if self._redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                return op(self._redis)
            except StorageError as exc:  # Redis down or unreachable: count in memory meanwhile
                with self._lock:
                    warn = time.monotonic() >= self._redis_down_until
                    self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                if warn:
                    log.warning("ratelimit.redis_unavailable", error=type(exc.storage_error).__name__,
                                fallback="memory", retry_in_seconds=REDIS_RETRY_SECONDS)
        return op(self._memory)

    def retry_after(self, items: Sequence[RateLimitItem], *key: str) -> int | None:
        """Seconds until every tier has room for one more, or None when all have room now."""
        def check(lim: MovingWindowRateLimiter) -> int | None:
            full, wait = False, 0.0
            for item in items:
                if not lim.test(item, *key):
                    full = True
                    wait = max(wait, lim.get_window_stats(item, *key).reset_time - time.time())
            return max(1, math.ceil(wait)) if full else None

        return self._run(check)

    def hit(self, items: Sequence[RateLimitItem], *key: str) -> bool:
        """Count one against every tier; False when a tier was already full."""
        return self._run(lambda lim: all([lim.hit(item, *key) for item in items]))

    def take(self, items: Sequence[RateLimitItem], *key: str) -> int | None:
        """One request within the limits: counted and None, or refused (and not counted) with
        the seconds to wait, so a client hammering a refused route does not extend its wait."""
        wait = self.retry_after(items, *key)
        if wait is None and not self.hit(items, *key):  # another request took the last room
            wait = self.retry_after(items, *key) or 1
        return wait

    def clear(self, items: Sequence[RateLimitItem], *key: str) -> None:
        def clear(lim: MovingWindowRateLimiter) -> None:
            for item in items:
                lim.clear(item, *key)

        self._run(clear)


def limiter_of(request: Request) -> Limiter:
    return request.app.state.rate_limiter


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _is_kiosk(request: Request) -> bool:
    from .providers import credentials_of

    token = (request.headers.get("x-device-token") or request.query_params.get("token")
             or request.cookies.get(DEVICE_COOKIE))
    return token is not None and token != "" and credentials_of(request).is_kiosk(token)


def limited(name: str) -> Any:
    """A route dependency: at most the limits of setting `LIMIT_SETTINGS[name]` per client
    address; kiosks are exempt."""
    setting = LIMIT_SETTINGS[name]

    def check(request: Request) -> None:
        settings = settings_of(request)
        items = tiers(getattr(settings, setting))
        if not settings.rate_limiting or not items or _is_kiosk(request):
            return
        wait = limiter_of(request).take(items, name, client_address(request))
        if wait is not None:
            raise TooManyRequests(wait)

    return Depends(check)


class LoginGuard:
    """Failed sign-ins per username and per client address.

    `check()` before the password is verified (refuses while any tier is full); `failed()`
    after a wrong one; `succeeded()` after a right one clears the username's failures (never
    the address's: an attacker with an account of their own could otherwise reset it).
    """

    def __init__(self, request: Request, username: str) -> None:
        settings = settings_of(request)
        self.enabled = settings.rate_limiting
        self.limiter = limiter_of(request)
        self.account = ("login.account", username.strip().lower()[:64])
        self.address = ("login.address", client_address(request))
        self.account_tiers = tiers(settings.login_failures_per_account)
        self.address_tiers = tiers(settings.login_failures_per_address)

    def check(self) -> None:
        if not self.enabled:
            return
        waits = [self.limiter.retry_after(self.account_tiers, *self.account),
                 self.limiter.retry_after(self.address_tiers, *self.address)]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            log.info("login.throttled", address=self.address[1], retry_after=wait)
            raise TooManyRequests(wait, login_locked_message(wait))

    def failed(self) -> None:
        if self.enabled:
            self.limiter.hit(self.account_tiers, *self.account)
            self.limiter.hit(self.address_tiers, *self.address)

    def succeeded(self) -> None:
        if self.enabled:
            self.limiter.clear(self.account_tiers, *self.account)


class AttemptGuard:
    """Wrong answers of one kind by one caller (a manager typing device codes): `check()`
    refuses while `count` wrong ones fell within `window_seconds`; `failed()` counts one."""

    def __init__(self, request: Request, name: str, key: str, count: int, window_seconds: int,
                 message: str) -> None:
        self.enabled = settings_of(request).rate_limiting
        self.limiter = limiter_of(request)
        self.key = (name, key)
        self.tiers = tiers(f"{count}/{window_seconds} seconds")
        self.message = message

    def check(self) -> None:
        if not self.enabled:
            return
        wait = self.limiter.retry_after(self.tiers, *self.key)
        if wait is not None:
            raise TooManyRequests(wait, self.message.format(minutes=wait_minutes(wait)))

    def failed(self) -> None:
        if self.enabled:
            self.limiter.hit(self.tiers, *self.key)


def install(app: FastAPI, settings: Settings) -> None:
    """Build the app's limiter and answer TooManyRequests with Retry-After."""
    app.state.rate_limiter = Limiter(settings.redis_url, settings.rate_limit_key_prefix)

    async def too_many(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TooManyRequests)
        headers = {"Retry-After": str(exc.retry_after)}
        if request.url.path.startswith("/api/"):
            return JSONResponse(exc.as_dict(), status_code=429, headers=headers)
        from .render import render

        response = render(request, "error.html", status_code=429, error=exc)
        response.headers.update(headers)
        return response

    app.add_exception_handler(TooManyRequests, too_many)
