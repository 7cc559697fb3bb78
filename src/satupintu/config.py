"""Settings read from SATUPINTU_* environment variables (and an optional .env file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SATUPINTU_", env_file=".env", extra="ignore")

    # SQLite (WAL) is the embedded default; for production use
    # postgresql+psycopg://user@host:5432/dbname
    database_url: str = "sqlite:///./satupintu.db"
    # Signs session cookies and API tokens and keys personal-data hashes. Without it a random
    # key is made once and kept in `secret_file` (mode 0600), so restarts and several local
    # processes agree; a production deployment sets it explicitly.
    secret_key: str = Field(default_factory=lambda: _stored_secret())
    secret_file: str = ".satupintu-secret"
    default_locale: str = "id"
    # Sessions and API tokens expire after this many seconds.
    session_max_age: int = 8 * 3600
    api_token_max_age: int = 3600
    # Each app process keeps a user's (and a device's) credentials this many seconds before it
    # reads them again: a logout, password change, deactivation or device revocation made in
    # one process is honoured by every other process within this time (at once in its own).
    credentials_cache_seconds: float = 5.0
    # Login backoff, in the `limits` notation ("5/minute", tiers separated by ";"): failed
    # sign-ins counted per username and per client address. While any tier is full, sign-in is
    # refused (429, even with the right password) until its oldest failure leaves the window, so
    # the wait grows with the failures and is at most the longest window. A success clears the
    # username's failures, never the address's.
    login_failures_per_account: str = "5/minute;10/5 minutes;20/15 minutes"
    login_failures_per_address: str = "10/minute;30/15 minutes;60/hour"
    # Requests per client address to the public write and lookup endpoints a bot would abuse;
    # kiosks (a valid kiosk device token) are exempt, since a whole hall shares one kiosk.
    rate_limit_complaint: str = "10/minute;60/hour"
    rate_limit_booking: str = "20/minute;200/hour"
    rate_limit_survey: str = "20/minute"
    rate_limit_lookup: str = "60/minute"
    # A device asking for a pairing code on /pasang, and its poll every few seconds while it
    # waits (a hall pairing several screens at once shares one address).
    rate_limit_pairing_start: str = "20/minute;200/hour"
    rate_limit_pairing_status: str = "300/minute"
    # Off only for load tests: no rate limits and no login backoff.
    rate_limiting: bool = True
    # Counters live in Redis (redis_url) when set, so every process shares them, else in each
    # process's memory. Keys start with this prefix. While Redis cannot be reached each process
    # counts in its own memory and logs a warning, trying Redis again every 30 seconds.
    rate_limit_key_prefix: str = "satupintu"
    # Client addresses come from the connection, or from X-Forwarded-For when the connection is
    # from one of these proxy addresses (comma list, "*" for any; uvicorn's proxy_headers).
    forwarded_allow_ips: str = "127.0.0.1"
    # Cookies are marked Secure whenever the request came over HTTPS (behind a reverse proxy: its
    # X-Forwarded-Proto, trusted from the addresses in SATUPINTU_FORWARDED_ALLOW_IPS). Set true to
    # mark them Secure always, e.g. behind a proxy that does not send X-Forwarded-Proto.
    secure_cookies: bool = False
    # Password of the demo users created by `satupintu demo`; random when unset.
    demo_password: str | None = None
    # Days before an agreement's end date when the catalogue warns about it.
    agreement_warning_days: int = 60
    log_level: str = "INFO"
    # Threads per app process for request handlers (sync routes and database work).
    request_threads: int = 8
    # PostgreSQL: run the queue's hot operations (issue, call next, counter steps) in the event
    # loop over async connections, without a worker thread (see queueing/hotpath.py), with at
    # most this many connections per app process.
    hot_path: bool = True
    hot_path_connections: int = 8
    # PostgreSQL outage: how long a request waits before it is answered 503 (database
    # unavailable), so kiosks and boards hear within about two seconds instead of hanging.
    # connect_timeout: for a new connection (whole seconds; libpq's minimum is 2);
    # pool_timeout: for a free connection of a process's pool (SQLAlchemy's and the hot path's).
    database_connect_timeout: int = 2
    database_pool_timeout: float = 2.0
    # Redis for the event bus when several app processes or hosts serve one deployment.
    redis_url: str | None = None
    # Keys NIK and phone hashes of bookings (duplicate checks without storing them).
    # Defaults to the secret key; set it separately to rotate the secret key safely.
    identity_key: str | None = None
    # Encrypts contact data at rest (phones, e-mail: bookings, applications, notifications,
    # complaints; see secretbox.py): comma-separated Fernet keys, newest first (rotate by
    # putting a new one first; `satupintu data-key` makes one). Unset: derived from the secret
    # key, which production should not rely on.
    data_keys: str | None = None

    # Notifications to citizens (see satupintu.notify). Comma list of live channels among
    # email, whatsapp, sms, outbox. "outbox" delivers every channel not listed to the
    # development outbox (readable in the app) instead of to a real provider.
    notify_channels: str = "outbox"
    notify_max_attempts: int = 8
    # Retry delays: base * 2**(failures-1) seconds, at most the cap, less up to 20 % jitter.
    notify_backoff_base_seconds: float = 30.0
    notify_backoff_cap_seconds: float = 3600.0
    # A worker that claimed a message and died: others retry it after this many seconds.
    notify_lease_seconds: float = 120.0
    notify_poll_seconds: float = 5.0
    notify_batch_size: int = 20
    # SMTP for e-mail. Login only when smtp_user is set; STARTTLS when smtp_starttls.
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "SatuPintu <noreply@localhost>"
    smtp_starttls: bool = True
    smtp_timeout: float = 10.0
    # A WhatsApp/SMS provider taking JSON {"to", "text", "reference"}: bearer token, and an
    # HMAC-SHA256 of the body with the secret in the X-SatuPintu-Signature header.
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_gateway_secret: str | None = None
    sms_gateway_timeout: float = 10.0
    # Where citizens reach this deployment: links in notifications point here.
    public_url: str = "http://127.0.0.1:8000"
    # Run the notification sender inside each app process (off: run `satupintu notify` apart).
    notify_worker: bool = True
    # Close each site's queue day by itself at closing time plus its grace (off: close by hand
    # or run the closer apart); how often each process looks.
    day_closer: bool = True
    day_close_poll_seconds: float = 60.0


def _stored_secret() -> str:
    import os

    path = Path(os.environ.get("SATUPINTU_SECRET_FILE", ".satupintu-secret"))
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()


PACKAGE_DIR = Path(__file__).resolve().parent
