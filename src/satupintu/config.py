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
    # Signs session cookies and API tokens. Without it a random key is made per process,
    # which logs everyone out on restart and does not work with several processes.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
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


@lru_cache
def get_settings() -> Settings:
    return Settings()


PACKAGE_DIR = Path(__file__).resolve().parent
