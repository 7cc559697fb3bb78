"""Jinja2 templates for every page, with the helpers pages need.

The web edge holds the base layout and the error page; each capability registers its own
template directory (and any globals its templates call) with `register_templates` when its
pages module is imported. Template names are unique across directories.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader
from starlette.responses import Response

from ..timeutil import format_local, long_date, to_local
from .i18n import gettext
from .security import csrf_token

WEB_TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(WEB_TEMPLATES))
_loaders: list[BaseLoader] = [FileSystemLoader(str(WEB_TEMPLATES))]
_registered: set[Path] = {WEB_TEMPLATES}
templates.env.loader = ChoiceLoader(_loaders)
templates.env.globals.update(format_local=format_local, long_date=long_date, to_local=to_local)


def register_templates(directory: Path, **env_globals: Any) -> None:
    """Add a capability's template directory (once) and the globals its templates use."""
    directory = directory.resolve()
    if directory not in _registered:
        _registered.add(directory)
        _loaders.append(FileSystemLoader(str(directory)))
    templates.env.globals.update(env_globals)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    lang = request.state.lang
    context.setdefault("errors", {})
    context.setdefault("actor", getattr(request.state, "actor", None))
    return templates.TemplateResponse(
        request, name,
        {"lang": lang, "_": lambda message: gettext(lang, message), "csrf_token": csrf_token(request), **context},
        status_code=status_code,
    )
