"""Contact data encrypted at rest: phone numbers and e-mail addresses citizens give so that
messages can reach them (booking reminders, application updates, the notification outbox,
a complaint's contact).

Fernet (AES-128-CBC with HMAC-SHA256, from the maintained `cryptography` package) under a
MultiFernet keyring: the first key encrypts, every key decrypts, so keys rotate by putting
a new one first (SATUPINTU_DATA_KEYS, comma-separated, newest first). Without that setting
the key is derived from SATUPINTU_SECRET_KEY with HKDF-SHA256; the derived key stays last in
the ring after explicit keys are set, so rows written before remain readable. A production
deployment sets SATUPINTU_DATA_KEYS (generate one with `satupintu data-key`) and keeps it
apart from the database backups.

Models declare a column `EncryptedText` once; reads and writes through the ORM (and Core
statements on the mapped table) then encrypt and decrypt transparently. An empty string is
stored as it is (there is nothing to hide, and "no contact" stays easy to query). Encryption
is randomised, so an encrypted column cannot be compared with a value in SQL: where a lookup
by value is needed, keep a `blind_index` beside it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

import structlog
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from .config import get_settings

_TOKEN_PREFIX = "gAAAAA"  # every Fernet token (version byte 0x80) starts so in base64


def new_key() -> str:
    """A fresh key for SATUPINTU_DATA_KEYS."""
    return Fernet.generate_key().decode()


def derived_key(secret: str) -> bytes:
    """The data key made from the secret key when no data key is configured."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"satupintu.data-key.v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@lru_cache(maxsize=4)
def keyring(data_keys: str | None, secret_key: str) -> MultiFernet:
    """The configured keys, newest first, then the key derived from the secret key.
    A malformed key raises ValueError (so a wrong setting fails at the first use, loudly)."""
    fernets = [Fernet(k.strip().encode()) for k in (data_keys or "").split(",") if k.strip()]
    fernets.append(Fernet(derived_key(secret_key)))
    return MultiFernet(fernets)


def _ring() -> MultiFernet:
    settings = get_settings()
    return keyring(settings.data_keys, settings.secret_key)


def encrypt(text: str) -> str:
    return _ring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """Raises InvalidToken when no key of the ring opens it."""
    return _ring().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same value encrypted under the newest key."""
    return _ring().rotate(token.encode()).decode()


def is_token(value: str) -> bool:
    return value.startswith(_TOKEN_PREFIX)


def blind_index(kind: str, value: str) -> str:
    """A keyed hash to find rows by an encrypted value without storing it in the clear (the
    same construction as the NIK and phone hashes of bookings and applications)."""
    settings = get_settings()
    key = (settings.identity_key or settings.secret_key).encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _log() -> Any:
    return structlog.get_logger("satupintu.secretbox")


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted (see the module docstring)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value == "":
            return value
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value == "":
            return value
        if not is_token(value):
            # Written in the clear by a process older than migration 0010: readable, and
            # encrypted the next time the row is written.
            _log().warning("plaintext_contact_read")
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            # Not one of our keys (a data key or the secret key was replaced without keeping the
            # old one in SATUPINTU_DATA_KEYS): the contact is lost, the record stays usable.
            _log().error("undecryptable_contact", hint="keep the old key in SATUPINTU_DATA_KEYS")
            return ""
