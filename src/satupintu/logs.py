"""Structured logging. Never log a full NIK or phone number: use mask() on personal data."""

from __future__ import annotations

import logging
import re

import structlog

_DIGITS = re.compile(r"\d{8,}")


def mask(value: str) -> str:
    """'3201234567890001' -> '3201********0001': keeps enough to tell records apart."""
    def _m(match: re.Match[str]) -> str:
        d = match.group(0)
        return d[:4] + "*" * (len(d) - 8) + d[-4:]

    return _DIGITS.sub(_m, value)


def _mask_digits(_logger: object, _name: str, event: dict) -> dict:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = mask(value)
    return event


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", level=getattr(logging, level.upper(), logging.INFO))
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True),
                    _mask_digits, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.INFO)),
        cache_logger_on_first_use=True,
    )
