"""Form bodies meet the one text rule (satupintu.text) before any route reads them.

Page routes read their fields through FastAPI's Form() or request.form(), and not every field
goes through an input shape (a sign-in name, a booking code typed at the kiosk): this guard
checks every field of every form, and the names of uploaded files, once per request. The form
is parsed once either way (Starlette keeps the parsed form on the request for the route).
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from ..errors import FieldError, ValidationFailed
from ..text import text_problem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_bad_form_text(request: Request) -> None:
    """An app-wide dependency: a form field or file name that breaks the text rule is refused, named."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not request.headers.get("content-type", "").lower().startswith(FORM_TYPES):
        return
    form = await request.form()
    for key, value in form.multi_items():
        problem = text_problem(key)
        if problem:
            raise ValidationFailed([FieldError("form", f"Nama isian formulir {problem}.", "control_character")])
        if isinstance(value, UploadFile):
            problem = text_problem(value.filename or "")
            if problem:
                raise ValidationFailed([FieldError(key, f"Nama berkas '{key}' {problem}.", "control_character")])
        else:
            problem = text_problem(value)
            if problem:
                raise ValidationFailed([FieldError(key, f"Isian '{key}' {problem}.", "control_character")])
