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
    # Send the session cookie only over HTTPS (set true behind TLS).
    secure_cookies: bool = False
    # Password of the demo users created by `satupintu demo`; random when unset.
    demo_password: str | None = None
    # Days before an agreement's end date when the catalogue warns about it.
    agreement_warning_days: int = 60
    log_level: str = "INFO"
    # Threads per app process for request handlers (sync routes and database work).
    request_threads: int = 8
    # Redis for the event bus when several app processes or hosts serve one deployment.
    redis_url: str | None = None
    # Keys NIK and phone hashes of bookings (duplicate checks without storing them).
    # Defaults to the secret key; set it separately to rotate the secret key safely.
    identity_key: str | None = None


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
