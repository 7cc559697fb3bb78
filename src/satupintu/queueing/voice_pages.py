"""The board's voice: the manager's page /kelola/{site}/suara (preference, voice pack upload,
back to the built-in voice), the board's JSON of its voice and the clips it plays."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..catalogue import service as catalogue
from ..errors import DomainError
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import render
from ..web.security import check_csrf
from . import voice, voice_pack

router = APIRouter(include_in_schema=False)
KEY = re.compile(r"^[a-z0-9-]{1,80}$")
DONE = {"preference": "Pilihan suara tersimpan.", "pack": "Paket suara dipasang: papan memakai rekaman Anda.",
        "reverted": "Papan kembali memakai suara bawaan."}


def _page(request: Request, site: str, *, errors: dict[str, str] | None = None, status_code: int = 200,
          done: str = "") -> Response:
    db = db_of(request)
    config = voice_pack.voice_page(db, request.state.actor, site)
    return render(request, "queue/voice_pack.html", status_code=status_code, site=catalogue.get_site(db, site),
                  config=config, preferences=voice_pack.PREFERENCES, required=voice.REQUIRED_CLIPS,
                  errors=errors or {}, done=DONE.get(done, ""), max_mb=voice_pack.MAX_PACK_BYTES // 2**20)


@router.get("/kelola/{site}/suara")
def voice_page(request: Request, site: str, done: str = "") -> Response:
    """The site's board voice: which voice, its own recordings, the clips a pack must hold."""
    staff_actor(request)
    return _page(request, site, done=done)


async def _submit(request: Request, site: str, done: str, action: Callable[[], object]) -> Response:
    """Run a form's action off the event loop: back to the page with `done` shown, or the page again
    at 422 with the refusal beside its field (an access refusal goes on up)."""
    def run() -> Response:
        try:
            action()
        except DomainError as exc:
            if exc.status in (401, 403, 404):
                raise
            return _page(request, site, errors=errors_of(exc), status_code=422)
        return RedirectResponse(f"/kelola/{site}/suara?done={done}", status_code=303)

    return await run_in_threadpool(run)


@router.post("/kelola/{site}/suara/preferensi")
async def voice_preference(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    preference = str(raw.get("preference", ""))
    return await _submit(request, site, "preference",
                         lambda: voice_pack.set_preference(db_of(request), actor, site, preference))


@router.post("/kelola/{site}/suara/paket")
async def voice_pack_upload(request: Request, site: str) -> Response:
    """A ZIP of the site's own recordings; refused, naming what is missing, unless complete."""
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    upload = raw.get("pack")
    data, name = b"", ""
    if isinstance(upload, UploadFile):
        data = await upload.read(voice_pack.MAX_PACK_BYTES + 1)
        name = upload.filename or ""
    return await _submit(request, site, "pack", lambda: voice_pack.upload_pack(db_of(request), actor, site, name, data))


@router.post("/kelola/{site}/suara/bawaan")
async def voice_revert(request: Request, site: str) -> Response:
    actor = staff_actor(request)
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf", "")))
    await run_in_threadpool(voice_pack.revert_pack, db_of(request), actor, site)
    return RedirectResponse(f"/kelola/{site}/suara?done=reverted", status_code=303)


@router.get("/api/v1/sites/{site}/voice")
def board_voice(request: Request, site: str) -> JSONResponse:
    """Public, for a board: the site's preference, its clips' address and the clips there are."""
    config = voice_pack.voice_config(db_of(request), site)
    return JSONResponse({**asdict(config), "base": f"/suara/{config.site}/"})


@router.get("/suara/{site}/{key}")
def board_clip(request: Request, site: str, key: str) -> Response:
    """One clip: the site's own recording, else the built-in one (404 when neither exists)."""
    if not KEY.match(key):
        return JSONResponse({"error": {"code": "not_found", "message": "Rekaman tidak ditemukan."}}, status_code=404)
    own = voice_pack.own_clip(db_of(request), site, key)
    if own is not None:
        return Response(own[1], media_type=own[0], headers={"Cache-Control": "public, max-age=300"})
    return RedirectResponse(f"/static/voice/id/{key}.wav", status_code=307)
