"""Staffing pages for site staff: the week's roster with its findings, and the capacity plan.

Charts are inline SVG drawn here on the server (no scripts, no CDN); every chart has a title,
a description and a table with the same numbers for screen readers and printing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..catalogue import service as catalogue
from ..errors import DomainError
from ..scope import Actor
from ..web.charts import bar_chart
from ..web.i18n import gettext
from ..web.pages import errors_of, staff_actor
from ..web.render import register_templates, render
from ..web.security import check_csrf
from . import service
from .service import WEEKDAY_NAMES, AssignmentOut, CapacityAgency, FindingOut, GenerateIn, GenerateOut, OpeningOut

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PALETTE = ("#1d4ed8", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f", "#9a3412")
FINDING_COLOURS = {"uncovered": "#dc2626"}


def _t(request: Request, text: str) -> str:
    return gettext(request.state.lang, text)


def day_name(d: int, lang: str) -> str:
    return WEEKDAYS_EN[d] if lang == "en" else WEEKDAY_NAMES[d]


# ---------------------------------------------------------------- SVG charts


def roster_chart(day: date, counters: Sequence[tuple[int, str]], openings: Sequence[OpeningOut],
                 assignments: Sequence[AssignmentOut], findings: Sequence[FindingOut], title: str, desc: str,
                 first: int = 420, last: int = 960) -> Markup:
    """A day's roster as a Gantt chart: a row per counter, officers' blocks, open hours shaded,
    uncovered ranges in red."""
    left, row_h, width = 150, 26, 900
    span = last - first
    scale = (width - left - 10) / span
    height = 30 + row_h * len(counters) + 10
    officers = sorted({a.officer_id for a in assignments}, key=str)
    colour = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(officers)}
    uid = f"r{day:%Y%m%d}"
    out = [f'<svg class="chart" role="img" aria-labelledby="{uid}-t {uid}-d" viewBox="0 0 {width} {height}" '
           f'width="100%" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
           '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fee2e2"/>'
           '<line x1="0" y1="0" x2="0" y2="6" stroke="#dc2626" stroke-width="3"/></pattern></defs>']

    def x(minute: int) -> float:
        return left + (max(first, min(last, minute)) - first) * scale

    for h in range(first // 60, last // 60 + 1):
        xx = x(h * 60)
        out.append(f'<line x1="{xx:.1f}" y1="18" x2="{xx:.1f}" y2="{height - 8}" stroke="#e5e7eb"/>'
                   f'<text x="{xx:.1f}" y="13" font-size="11" text-anchor="middle" fill="#374151">{h:02d}</text>')
    row_of = {number: i for i, (number, _) in enumerate(counters)}
    for i, (_number, label) in enumerate(counters):
        y = 22 + i * row_h
        out.append(f'<text x="4" y="{y + 16}" font-size="12" fill="#111827">{escape(label)}</text>')
    for op in openings:
        if op.date != day or op.counter not in row_of:
            continue
        y = 22 + row_of[op.counter] * row_h
        out.append(f'<rect x="{x(op.start_minute):.1f}" y="{y}" width="{x(op.end_minute) - x(op.start_minute):.1f}" '
                   f'height="{row_h - 4}" fill="#f3f4f6" stroke="#9ca3af" stroke-dasharray="3 2"/>')
    for a in assignments:
        if a.date != day or a.counter not in row_of:
            continue
        y = 22 + row_of[a.counter] * row_h + 3
        w = x(a.end_minute) - x(a.start_minute)
        name = a.officer.split(" (")[0]
        out.append(f'<g><title>{escape(a.officer)} {a.start}–{a.end}</title>'
                   f'<rect x="{x(a.start_minute):.1f}" y="{y}" width="{w:.1f}" height="{row_h - 10}" rx="3" '
                   f'fill="{colour[a.officer_id]}"/>')
        if w > 40:
            out.append(f'<text x="{x(a.start_minute) + 4:.1f}" y="{y + 12}" font-size="10" fill="#fff">'
                       f'{escape(name[: max(3, int(w / 6.5))])}</text>')
        out.append('</g>')
    for f in findings:
        if f.date != day or f.kind != "uncovered" or f.counter not in row_of:
            continue
        y = 22 + row_of[f.counter] * row_h
        out.append(f'<g class="gap"><title>{escape(f.message)}</title><rect x="{x(f.start_minute):.1f}" y="{y}" '
                   f'width="{max(2.0, x(f.end_minute) - x(f.start_minute)):.1f}" height="{row_h - 4}" '
                   f'fill="url(#hatch)" stroke="#dc2626" stroke-width="2"/></g>')
    out.append('</svg>')
    return Markup("".join(out))


# ---------------------------------------------------------------- roster page


def _parse_day(raw: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else fallback
    except ValueError:
        return fallback


def _roster_context(request: Request, actor: Actor, site: str, monday: date) -> dict[str, Any]:
    db = request.app.state.db
    site_view = catalogue.get_site(db, site)
    result = service.check(db, actor, site, monday, 7)
    counters = [(c.number, f"{c.name} ({c.agency_code})") for c in catalogue.list_counters(db, site)]
    lang = request.state.lang
    open_days = sorted({o.date for o in result.openings} | {a.date for a in result.assignments})
    findings_by_day: dict[date, list[FindingOut]] = defaultdict(list)
    for f in result.findings:
        findings_by_day[f.date].append(f)
    charts = {}
    for d in open_days:
        uncovered = [f for f in findings_by_day[d] if f.kind == "uncovered"]
        label = f"{day_name(d.weekday(), lang)} {d:%d-%m-%Y}"
        desc = (_t(request, "Jadwal petugas per loket; area merah bergaris: loket buka tanpa petugas.") + " "
                + (f"{len(uncovered)} " + _t(request, "rentang tanpa petugas.") if uncovered
                   else _t(request, "Semua loket yang buka terisi petugas.")))
        charts[d] = roster_chart(d, counters, result.openings, result.assignments, result.findings, label, desc)
    by_day_counter: dict[tuple[date, int], list[AssignmentOut]] = defaultdict(list)
    for a in result.assignments:
        by_day_counter[(a.date, a.counter)].append(a)
    return dict(site=site_view, result=result, monday=monday, prev_week=monday - timedelta(days=7),
                next_week=monday + timedelta(days=7), open_days=open_days, charts=charts,
                findings_by_day=findings_by_day, counters=counters, by_day_counter=by_day_counter,
                day_label=lambda d: f"{day_name(d.weekday(), lang)} {d:%d-%m-%Y}",
                can_manage=actor.is_overseer or (actor.role is not None and actor.role.value == "site_manager"))


@router.get("/kelola/{site}/jadwal")
def roster_page(request: Request, site: str, mulai: str | None = None) -> Response:
    actor = staff_actor(request)
    today = service.site_today(request.app.state.db, site)
    monday = service.week_start(_parse_day(mulai, today))
    return render(request, "staffing/roster.html", **_roster_context(request, actor, site, monday),
                  generated=None, form={"start": monday.isoformat(), "days": "1", "save": False})


@router.post("/kelola/{site}/jadwal/buat")
async def roster_generate(request: Request, site: str, csrf: Annotated[str, Form()],
                          start: Annotated[str, Form()] = "", days: Annotated[str, Form()] = "1",
                          save: Annotated[str, Form()] = "", time_limit: Annotated[str, Form()] = "8") -> Response:
    actor = staff_actor(request)
    check_csrf(request, csrf)
    form = {"start": start, "days": days, "save": bool(save)}
    generated: GenerateOut | None = None
    errors: dict[str, str] = {}
    try:
        data = GenerateIn.model_validate({"start": start, "days": days or "1", "save": bool(save),
                                          "time_limit_s": time_limit or "8"})
        generated = await run_in_threadpool(service.generate, request.app.state.db, actor, site, data)
    except ValidationError as exc:
        for e in exc.errors():
            errors.setdefault(str(e["loc"][0]) if e["loc"] else "_", _t(request, "Isian tidak valid."))
    except DomainError as exc:
        if exc.status in (401, 403, 404) and exc.field in (None, "site"):
            raise
        errors[exc.field or "_"] = exc.message
    day = _parse_day(start, service.site_today(request.app.state.db, site))
    ctx = _roster_context(request, actor, site, service.week_start(day))
    return render(request, "staffing/roster.html", status_code=422 if errors else 200, **ctx,
                  generated=generated, form=form, errors=errors)


# ---------------------------------------------------------------- capacity page


def _capacity_charts(request: Request, agency: CapacityAgency, target: float) -> dict[str, Markup]:
    labels = [f"{h.hour:02d}" for h in agency.hours]
    arrivals = bar_chart(
        f"a-{agency.agency}", f"{agency.name}: " + _t(request, "prakiraan kedatangan per jam"),
        _t(request, "Rata-rata pengunjung per jam; angka lengkap ada di tabel di bawahnya."), labels,
        [(_t(request, "Kedatangan"), "#1d4ed8", [h.arrivals for h in agency.hours]),
         (_t(request, "Loket sekarang"), "#9ca3af", [float(h.current) for h in agency.hours]),
         (_t(request, "Loket disarankan"), "#047857", [float(h.recommended) for h in agency.hours])],
        _t(request, "orang / loket"))
    waits = bar_chart(
        f"w-{agency.agency}", f"{agency.name}: " + _t(request, "waktu tunggu rata-rata sebelum dan sesudah"),
        _t(request, "Hasil simulasi: waktu tunggu rata-rata per jam kedatangan dengan loket sekarang dan loket "
                    "disarankan; garis merah adalah target."), labels,
        [(_t(request, "Sebelum"), "#dc2626", [h.wait_before or 0.0 for h in agency.hours]),
         (_t(request, "Sesudah"), "#047857", [h.wait_after or 0.0 for h in agency.hours])],
        _t(request, "menit"), target=target, target_label=_t(request, "target"))
    return {"arrivals": arrivals, "waits": waits}


@router.get("/kelola/{site}/kapasitas")
async def capacity_page(request: Request, site: str, hari: int | None = None, target: float = 15.0,
                        tingkat: float = 80.0) -> Response:
    actor = staff_actor(request)
    db = request.app.state.db
    site_view = catalogue.get_site(db, site)
    errors: dict[str, str] = {}
    plan = None
    try:
        plan = await run_in_threadpool(service.capacity, db, actor, site, hari, target, tingkat / 100)
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            raise
        errors = errors_of(exc)
    charts = {a.agency: _capacity_charts(request, a, target) for a in plan.agencies} if plan else {}
    lang = request.state.lang
    return render(request, "staffing/capacity.html", status_code=422 if errors else 200, site=site_view, plan=plan,
                  charts=charts, errors=errors, target=target, tingkat=tingkat,
                  weekday=plan.weekday if plan else (hari or 0),
                  weekdays=[(d, day_name(d, lang)) for d in range(7)], day_name=lambda d: day_name(d, lang))



@router.post("/kelola/{site}/kapasitas/terapkan")
async def capacity_apply(request: Request, site: str, csrf: Annotated[str, Form()], hari: Annotated[int, Form()],
                         target: Annotated[float, Form()] = 15.0, tingkat: Annotated[float, Form()] = 80.0) -> Response:
    """The site manager adopts the recommendation as the counters plan of that weekday."""
    actor = staff_actor(request)
    check_csrf(request, csrf)
    await run_in_threadpool(service.apply_recommendation, request.app.state.db, actor, site, hari, target,
                            tingkat / 100)
    return RedirectResponse(f"/kelola/{site}/kapasitas?hari={hari}&target={target:g}&tingkat={tingkat:g}&diterapkan=1",
                            status_code=303)
