"""Settings read from SATUPINTU_* environment variables (and an optional .env file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SATUPINTU_", env_file=".env", extra="ignore")

    # SQLite (WAL) is the embedded default; for production use
    # postgresql+psycopg://user@host:5432/dbname
    database_url: str = "sqlite:///./satupintu.db"
    # Optional PostgreSQL read replica (streaming replication, hot standby): oversight reports and
    # dashboards read from it; every page that reads what it has just written stays on
    # database_url. Unset: everything reads the primary. Same pool settings as the primary.
    database_replica_url: str | None = None
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
    hot_path_connections: int = Field(default=8, ge=1)
    # PostgreSQL outage: how long a request waits before it is answered 503 (database
    # unavailable), so kiosks and boards hear within about two seconds instead of hanging.
    # connect_timeout: for a new connection (whole seconds; libpq's minimum is 2);
    # pool_timeout: for a free connection of a process's pool (SQLAlchemy's and the hot path's).
    database_connect_timeout: int = 2
    database_pool_timeout: float = 2.0
    # PostgreSQL: SQLAlchemy's pool per app process (sync routes, workers): connections kept
    # open, extra ones opened under load and closed when returned, and the age after which a
    # connection is replaced. Per process at most pool_size + max_overflow + hot_path_connections.
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)
    database_pool_recycle: int = 1800
    # psycopg prepares a statement on the server after it has run this many times on one
    # connection (psycopg's default 5; 0: at once). Behind PgBouncer in transaction mode (1.18,
    # Debian 12) a prepared statement may meet another server connection: set it to "none" there
    # (deploy/pgbouncer/). Used by SQLAlchemy's engine and the hot path's connections alike.
    database_prepare_threshold: int | None = 5
    # The hot path's pool (queueing/hotpath.py): connections it keeps open at least.
    hot_path_min_connections: int = Field(default=1, ge=0)
    # /metrics (Prometheus): when set, a scrape must send `Authorization: Bearer <token>`. Unset,
    # anyone who reaches the app may read it: keep /metrics off the public proxy then.
    metrics_token: str | None = None
    # Redis for the event bus when several app processes or hosts serve one deployment.
    redis_url: str | None = None
    # Entries kept in each site's event stream (Redis XADD MAXLEN ~, or in memory without Redis):
    # a live screen that reconnects with an older id than these gets a fresh snapshot instead.
    event_stream_maxlen: int = Field(default=1000, ge=10)
    # Keys NIK and phone hashes of bookings (duplicate checks without storing them).
    # Defaults to the secret key; set it separately to rotate the secret key safely.
    identity_key: str | None = None
    # Keys the HMAC-SHA256 under which client systems' API keys are stored (integration/keys.py).
    # Defaults to the secret key; set it separately so the secret key can rotate without
    # invalidating every client's key. Changing it invalidates every API key.
    api_key_secret: str | None = None
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
    # A WhatsApp/SMS provider taking JSON {"to", "text", "reference"}: bearer token, and the
    # Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) under the
    # secret: best a `whsec_` + base64 value; another text is used as its UTF-8 bytes.
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_gateway_secret: str | None = None
    sms_gateway_timeout: float = 10.0
    # Outgoing webhooks to client systems (integration/webhooks.py): run the delivery worker in
    # each app process; plain http targets only to loopback addresses and only when allowed
    # (tests, a receiver on the same host); retries, and when an endpoint is switched off.
    # A mobile service unit (an install enrolled to a centre) syncs by itself every this many
    # seconds while the served app runs; after failures it waits twice as long each time, at
    # most the cap, and goes back to the interval once the centre answers.
    unit_sync: bool = True
    unit_sync_interval: float = 60.0
    unit_sync_backoff_cap: float = 900.0
    webhook_worker: bool = True
    webhook_allow_http_loopback: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_poll_seconds: float = 2.0
    webhook_batch_size: int = 20
    webhook_lease_seconds: float = 60.0
    webhook_max_attempts: int = 10
    webhook_backoff_base_seconds: float = 30.0
    webhook_backoff_cap_seconds: float = 21600.0
    webhook_disable_after_failures: int = 50
    webhook_disable_after_hours: float = 24.0
    webhook_keep_days: float = 30.0  # settled deliveries stay in the log this long
    # Where citizens reach this deployment: links in notifications point here.
    public_url: str = "http://127.0.0.1:8000"
    # Run the notification sender inside each app process (off: run `satupintu notify` apart).
    notify_worker: bool = True
    # Close each site's queue day by itself at closing time plus its grace (off: close by hand
    # or run the closer apart); how often each process looks.
    day_closer: bool = True
    day_close_poll_seconds: float = 60.0
    # Kiosk mode (docs/kiosk.md): seconds without a touch before a kiosk goes back to its start,
    # mid-flow and on the ticket screen (which also clears the previous citizen's ticket).
    kiosk_idle_seconds: int = 60
    kiosk_ticket_seconds: int = 20
    # A thermal printer the server drives with ESC/POS when a kiosk issues a ticket (instead of
    # the browser's print): `none`, `usb:VID:PID`, `network:HOST:PORT` or `file:/dev/usb/lp0`.
    # `kiosk_printer` is every kiosk's; `kiosk_printers` names one per kiosk device and wins:
    # `kios-lobi=network:10.0.0.21:9100;kios-2=usb:0x04b8:0x0202`.
    kiosk_printer: str = "none"
    kiosk_printers: str = ""
    kiosk_printer_timeout: float = 5.0
    # `satupintu retention` (run nightly, deploy/systemd/): records older than these many days
    # leave the database, in batches of retention_batch_size rows, each batch its own short
    # transaction. 0 keeps them for ever. Ticket events (every step of a ticket) go only for
    # days whose oversight rollup is kept (settled days: the figures never read them again);
    # audit entries are the record of who changed what: keep them as long as your rules say.
    # Settled webhook deliveries follow webhook_keep_days.
    retention_ticket_event_days: int = Field(default=730, ge=0)
    retention_audit_days: int = Field(default=0, ge=0)
    retention_batch_size: int = Field(default=5000, ge=1)

    @field_validator("database_prepare_threshold", mode="before")
    @classmethod
    def _threshold_none(cls, value: object) -> object:
        """"none" (or "off", or empty) in the environment: never prepare statements."""
        if isinstance(value, str) and value.strip().lower() in ("", "none", "null", "off"):
            return None
        return value


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
