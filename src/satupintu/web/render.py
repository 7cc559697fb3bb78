"""Jinja2 templates for every capability, with the helpers pages need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from ..catalogue.standard import COMPONENTS, format_rupiah, format_time
from ..timeutil import format_local
from .i18n import gettext
from .security import csrf_token

ROOT = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=str(ROOT / "web" / "templates"))
templates.env.loader = ChoiceLoader([
    FileSystemLoader(str(ROOT / "web" / "templates")),
    FileSystemLoader(str(ROOT / "catalogue" / "templates")),
    FileSystemLoader(str(ROOT / "accounts" / "templates")),
    FileSystemLoader(str(ROOT / "feedback" / "templates")),
    FileSystemLoader(str(ROOT / "queueing" / "templates")),
    FileSystemLoader(str(ROOT / "applications" / "templates")),
    FileSystemLoader(str(ROOT / "staffing" / "templates")),
    FileSystemLoader(str(ROOT / "notify" / "templates")),
])
templates.env.globals.update(format_rupiah=format_rupiah, format_time=format_time, format_local=format_local,
                             COMPONENTS=COMPONENTS)


def render(request: Request, name: str, status_code: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    lang = request.state.lang
    context.setdefault("errors", {})
    context.setdefault("actor", getattr(request.state, "actor", None))
    return templates.TemplateResponse(
        request, name,
        {"lang": lang, "_": lambda message: gettext(lang, message), "csrf_token": csrf_token(request), **context},
        status_code=status_code,
    )
