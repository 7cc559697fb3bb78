"""Structured logging. Never log a full NIK or phone number: use mask() on personal data."""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any
from urllib.parse import unquote_plus

import structlog
from structlog.typing import EventDict, WrappedLogger

_DIGITS = re.compile(r"\d{8,}")


def mask(value: str) -> str:
    """'3201234567890001' -> '3201********0001': keeps enough to tell records apart."""
    def _m(match: re.Match[str]) -> str:
        d = match.group(0)
        return d[:4] + "*" * (len(d) - 8) + d[-4:]

    return _DIGITS.sub(_m, value)


# In a URL a phone number may be written with separators ("0812-3456-7890", "+62 812 3456 7890"):
# a run of digits and such separators counts as one number.
_URL_NUMBER = re.compile(r"\+?\d(?:[-. ()+]*\d)*")
_DIGIT = re.compile(r"\d")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


# Query parameters that carry a credential (a one-time pairing link's claim, a token): never logged.
_SECRET_PARAM = re.compile(r"(^|[?&])(klaim|token)=[^&]*")


def mask_url(value: str) -> str:
    """A URL path or query for the log, percent-decoded: every number of more than 8 digits,
    with or without separators, keeps its first and last four digits only
    ('/x/3201234567890001' -> '/x/3201********0001', 'hp=0812-3456-7890' -> 'hp=0812-****-7890');
    a credential parameter is blanked ('klaim=abc' -> 'klaim=***')."""
    def _m(match: re.Match[str]) -> str:
        text = match.group(0)
        total = len(_DIGIT.findall(text))
        if total <= 8:
            return text
        seen = 0

        def _digit(d: re.Match[str]) -> str:
            nonlocal seen
            seen += 1
            return d.group(0) if seen <= 4 or seen > total - 4 else "*"

        return _DIGIT.sub(_digit, text)

    text = _SECRET_PARAM.sub(r"\1\2=***", unquote_plus(value))
    out, at = [], 0
    for uid in _UUID.finditer(text):  # record ids are not phone numbers: keep them whole
        out += [_URL_NUMBER.sub(_m, text[at:uid.start()]), uid.group(0)]
        at = uid.end()
    out.append(_URL_NUMBER.sub(_m, text[at:]))
    return "".join(out)


UNMASKED = frozenset({"request_id"})  # ids made or vetted by web/frontdoor.py: no long digit runs from callers


def _mask_digits(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    """A structlog processor: long digit runs (NIKs, phone numbers) in string values are masked."""
    for key, value in event.items():
        if isinstance(value, str) and key not in UNMASKED:
            event[key] = mask(value)
    return event


def _shared_processors() -> list[Any]:
    """Every line, ours (structlog) or a library's (stdlib logging: uvicorn, SQLAlchemy): the
    request id bound by the front door, the level, the time, a traceback as one masked string."""
    return [structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True), structlog.processors.format_exc_info,
            _mask_digits]


def stdlib_config(level: str = "INFO") -> dict[str, Any]:
    """logging.dictConfig for the libraries' loggers (uvicorn's `log_config` too): each record is
    one JSON object like ours, masked, with its logger's name and the request id when inside one."""
    lvl = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                           structlog.processors.JSONRenderer()],
            "foreign_pre_chain": [structlog.stdlib.add_logger_name, *_shared_processors()],
        }},
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": lvl, "propagate": False},
            "uvicorn.error": {"level": lvl},
            "uvicorn.access": {"handlers": ["json"], "level": lvl, "propagate": False},
        },
        "root": {"handlers": ["json"], "level": lvl},
    }


def configure_logging(level: str = "INFO") -> None:
    if not logging.getLogger().handlers:  # as basicConfig: a host that set up logging (pytest) keeps it
        logging.config.dictConfig(stdlib_config(level))
    structlog.configure(
        processors=[*_shared_processors(), structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.INFO)),
        cache_logger_on_first_use=True,
    )
