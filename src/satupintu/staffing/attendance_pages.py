"""The manager's daily attendance versus roster page, /kelola/{site}/kehadiran?tanggal=: per
officer the planned shifts and counters against the counters actually opened and closed, with
late, absent and unplanned marked."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..catalogue import service as catalogue
from ..web.pages import db_of, staff_actor
from ..web.render import render
from . import service

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {"hadir": "Hadir", "terlambat": "Terlambat", "tidak_hadir": "Tidak hadir",
                 "di_luar_jadwal": "Di luar jadwal"}


@router.get("/kelola/{site}/kehadiran")
def attendance_page(request: Request, site: str, tanggal: str = "") -> Response:
    actor = staff_actor(request)
    db = db_of(request)
    error = ""
    day = service.site_today(db, site)
    if tanggal:
        try:
            day = date.fromisoformat(tanggal)
        except ValueError:
            error = "Tanggal tidak valid; gunakan format TTTT-BB-HH."
    rows = service.attendance_day(db, actor, site, day)
    return render(request, "staffing/attendance.html", status_code=422 if error else 200,
                  site=catalogue.get_site(db, site), day=day, rows=rows, error=error, labels=STATUS_LABELS)
