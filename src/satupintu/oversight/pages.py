"""The site's history dashboard (`/kelola/{site}/statistik`): a period's figures beside the previous
period, per day and per agency, and when visitors arrive; filters by period, agency and service;
the same figures as CSV. Every chart stands beside a table of its figures."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..catalogue import service as catalogue
from ..errors import ValidationFailed
from ..exports import append_row, csv_bytes, xlsx_bytes
from ..timeutil import utcnow
from ..web.charts import bar_chart
from ..web.i18n import gettext
from ..web.pages import db_of, errors_of, staff_actor
from ..web.render import register_templates, render
from . import evaluation, exports, report_export, service

router = APIRouter(include_in_schema=False)
register_templates(Path(__file__).parent / "templates")

WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
PRESETS = (("7", "7 hari terakhir"), ("30", "30 hari terakhir"), ("bulan", "Bulan ini"), ("bulan-lalu", "Bulan lalu"))


def minutes(seconds: float | None) -> str:
    """'12,5 mnt' (one decimal, Indonesian comma); '–' without a figure."""
    if seconds is None:
        return "–"
    return f"{seconds / 60:.1f}".replace(".", ",") + " mnt"


def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.2f}".replace(".", ",")


FORMATS = {"wait_median_s": minutes, "wait_p90_s": minutes, "service_mean_s": minutes, "wait_mean_s": minutes,
           "over_threshold_share": percent, "within_standard_share": percent, "utilisation": percent,
           "skm_response_rate": percent, "complaints_answered_on_time_share": percent,
           "applications_on_time_share": percent}
# Figures where less is better: a rise is shown as a worsening.
LOWER_IS_BETTER = {"no_show", "wait_median_s", "wait_p90_s", "over_threshold_share", "service_mean_s",
                   "wait_mean_s", "complaints_overdue", "closed_unserved"}


# Volumes that rise and fall with demand: a change is shown, not judged.
NEUTRAL = {"visitors", "tickets", "served", "bookings_made", "complaints_received"}
# The page shows durations in minutes, so its labels do not say "(detik)" as the stored keys do.
LABELS = {"wait_median_s": "Median waktu tunggu", "wait_p90_s": "Persentil ke-90 waktu tunggu",
          "wait_mean_s": "Rata-rata waktu tunggu", "service_mean_s": "Rata-rata lama layanan"}


def show(key: str, value: float | None) -> str:
    return FORMATS.get(key, number)(value)


def _period(preset: str, today: date) -> tuple[date, date]:
    if preset == "7":
        return today - timedelta(days=6), today
    if preset == "bulan":
        return today.replace(day=1), today
    if preset == "bulan-lalu":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today - timedelta(days=29), today


def _query_dates(request: Request) -> tuple[dict[str, date], dict[str, str]]:
    """The ISO dates given as `dari` (start) and `sampai` (end), and an error per field that is not one."""
    q = request.query_params
    values: dict[str, date] = {}
    errors: dict[str, str] = {}
    for name, field in (("dari", "start"), ("sampai", "end")):
        raw = q.get(name, "").strip()
        if not raw:
            continue
        try:
            values[field] = date.fromisoformat(raw)
        except ValueError:
            errors[field] = "Tanggal tidak valid; pakai format tahun-bulan-tanggal, misalnya 2026-11-30."
    return values, errors


def _dates(request: Request, today: date) -> tuple[date, date, dict[str, str]]:
    """The period asked for: `dari`/`sampai` (ISO dates) or a preset (`periode`), last 30 days by default."""
    start, end = _period(request.query_params.get("periode", "30"), today)
    values, errors = _query_dates(request)
    return values.get("start", start), values.get("end", end), errors


def _params(request: Request) -> tuple[str | None, str | None]:
    q = request.query_params
    return (q.get("instansi") or None), (q.get("layanan") or None)


def _charts(board: service.Dashboard, lang: str) -> dict[str, Any]:
    t = lambda m: gettext(lang, m)  # noqa: E731
    labels = [r.label for r in board.per_day]
    visitors = bar_chart("ov-day", t("Pengunjung per hari"),
                         t("Pengunjung baru dan yang dilayani setiap hari pada periode ini; angkanya ada di tabel."),
                         labels, [(t("Pengunjung"), "#1d4ed8", [float(r.figures.visitors) for r in board.per_day]),
                                  (t("Dilayani"), "#15803d", [float(r.figures.served) for r in board.per_day])],
                         t("orang"))
    codes = [r.key for r in board.per_agency]
    p90 = [(r.figures.wait.p90_s or 0.0) / 60 for r in board.per_agency]
    waits = bar_chart("ov-agency", t("Waktu tunggu per instansi"),
                      t("Persentil ke-90 waktu tunggu tiap instansi dengan garis batas waktu tunggu; angkanya ada "
                        "di tabel."),
                      codes, [(t("Persentil ke-90 (menit)"), "#b45309", p90)], t("menit"),
                      target=float(board.threshold_minutes), target_label=t("batas"))
    return {"visitors_chart": visitors, "waits_chart": waits}


def _heat_rows(board: service.Dashboard) -> tuple[list[int], list[tuple[str, list[tuple[float | None, int]]]]]:
    """The hours with any arrival, and per weekday the mean arrivals in each with a shade 0..4."""
    hours = [h for h in range(24) if any(board.heatmap.counts[w][h] for w in range(7))]
    means = [board.heatmap.mean(w, h) or 0.0 for w in range(7) for h in hours]
    peak = max(means + [0.0])
    rows = []
    for w in range(7):
        if not board.heatmap.days[w] or not any(board.heatmap.counts[w]):
            continue  # a weekday the range does not have, or one nobody came (closed at weekends)
        cells = []
        for h in hours:
            m = board.heatmap.mean(w, h)
            shade = 0 if not m or not peak else min(4, int(m / peak * 4.999))
            cells.append((m, shade))
        rows.append((WEEKDAYS[w], cells))
    return hours, rows


def _context(request: Request, site: str) -> tuple[dict[str, Any], int]:
    """The page's context and status: 422 with the messages beside the fields for a bad period."""
    actor = staff_actor(request)
    db = db_of(request)
    agency, svc = _params(request)
    site_view = catalogue.get_site(db, site)
    today = utcnow().astimezone(ZoneInfo(site_view.timezone)).date()
    start, end, errors = _dates(request, today)
    base = {"site": site_view, "presets": PRESETS, "start": start, "end": end, "agency_code": agency or "",
            "service_code": svc or "", "board": None}
    if not errors:
        try:
            board = service.dashboard(db, actor, site, start, end, agency=agency, service=svc)
        except ValidationFailed as exc:
            errors = errors_of(exc)
    if errors:
        return {**base, "errors": errors}, 422
    hours, heat = _heat_rows(board)
    return {**base, "board": board, "hours": hours, "heat": heat, "show": show, "labels": LABELS,
            "lower_is_better": LOWER_IS_BETTER, "neutral": NEUTRAL, "query": request.url.query,
            **_charts(board, request.state.lang)}, 200


@router.get("/kelola/{site}/statistik")
def history(request: Request, site: str) -> Response:
    """The history dashboard; a bad date or an end before the start is named beside its field."""
    context, status = _context(request, site)
    return render(request, "oversight/history.html", status_code=status, **context)


@router.get("/kelola/{site}/statistik.csv")
def history_csv(request: Request, site: str) -> Response:
    """The dashboard's figures as CSV: the period, then one line per day and per agency."""
    context, status = _context(request, site)
    if status != 200:
        return render(request, "oversight/history.html", status_code=status, **context)
    board: service.Dashboard = context["board"]
    name = f"statistik-{site}-{board.start}-{board.end}.csv"
    return Response(exports.dashboard_csv(board), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------- the trial-period evaluation report

def _evaluation_period(request: Request, site_view: Any) -> tuple[date | None, date | None, dict[str, str]]:
    """Dates from the form; none given: the event's own dates, or the last fourteen days."""
    values, errors = _query_dates(request)
    return values.get("start"), values.get("end"), errors


@router.get("/kelola/{site}/evaluasi")
def evaluation_page(request: Request, site: str) -> Response:
    """Choose the period (or a mobile event) and download the report as PDF or XLSX."""
    actor = staff_actor(request)
    db = db_of(request)
    site_view = catalogue.get_site(db, site)
    start, end, errors = _evaluation_period(request, site_view)
    report = None
    if not errors:
        try:
            report = evaluation.evaluation(db, actor, site, start, end)
        except ValidationFailed as exc:
            errors = errors_of(exc)
    events = ([e for e in catalogue.list_sites(db) if e.parent_site == site]
              if site_view.kind.value == "permanent" else [])
    status = 422 if errors else 200
    return render(request, "oversight/evaluation.html", status_code=status, site=site_view, report=report,
                  events=events, query=request.url.query, start=start, end=end, errors=errors)


@router.get("/kelola/{site}/evaluasi.{fmt}")
def evaluation_download(request: Request, site: str, fmt: str) -> Response:
    """The report as the DPMPTSP sends it: a PDF on the letterhead with a signature block, or XLSX."""
    actor = staff_actor(request)
    db = db_of(request)
    if fmt not in ("pdf", "xlsx"):
        return render(request, "error.html", status_code=404, message="Format laporan tidak dikenal.")
    site_view = catalogue.get_site(db, site)
    start, end, errors = _evaluation_period(request, site_view)
    if errors:
        return evaluation_page(request, site)
    report = evaluation.evaluation(db, actor, site, start, end)
    name = f"laporan-evaluasi-{site}-{report.board.start}-{report.board.end}.{fmt}"
    if fmt == "pdf":
        body, media = report_export.to_pdf(report), "application/pdf"
    else:
        body = report_export.to_xlsx(report)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------- the national view

SORTS = {"nama": lambda r: r.name.lower(), "pengunjung": lambda r: r.figures.visitors,
         "median": lambda r: r.figures.wait.median_s, "p90": lambda r: r.figures.wait.p90_s,
         "ikm": lambda r: r.figures.figure("ikm"), "pengaduan": lambda r: r.figures.complaints.answered_on_time_share,
         "permohonan": lambda r: r.figures.applications.on_time_share, "sarana": lambda r: r.facilities_share}


def _national(request: Request) -> tuple[dict[str, Any], int]:
    actor = staff_actor(request)
    db = db_of(request)
    today = utcnow().astimezone(ZoneInfo("Asia/Jakarta")).date()
    start, end, errors = _dates(request, today)
    q = request.query_params
    province, regency = q.get("provinsi") or None, q.get("kabupaten") or None
    sort = q.get("urut", "nama") if q.get("urut", "nama") in SORTS else "nama"
    descending = q.get("arah", "turun" if sort != "nama" else "naik") == "turun"
    base: dict[str, Any] = {"start": start, "end": end, "rows": [], "sort": sort, "descending": descending,
                            "province": province or "", "regency": regency or "", "provinces": [], "regencies": [],
                            "presets": PRESETS}
    if errors:
        return {**base, "errors": errors}, 422
    try:
        everything = service.national(db, actor, start, end)
    except ValidationFailed as exc:
        return {**base, "errors": errors_of(exc)}, 422
    provinces = sorted({(r.place.province_code, r.place.province) for r in everything if r.place.province_code})
    regencies = sorted({(r.place.regency_code, r.place.regency) for r in everything if r.place.regency_code
                        and (province is None or r.place.province_code == province)}, key=lambda x: x[1])
    rows = [r for r in everything if (province is None or r.place.province_code == province)
            and (regency is None or r.place.regency_code == regency)]
    key = SORTS[sort]
    present = [r for r in rows if key(r) is not None]
    present.sort(key=key, reverse=descending)
    rows = present + [r for r in rows if key(r) is None]  # rows without the figure last, either way
    return {**base, "rows": rows, "provinces": provinces, "regencies": regencies, "show": show,
            "query": request.url.query}, 200


@router.get("/nasional")
def national_page(request: Request) -> Response:
    """Every site and mobile event side by side for the national overseer, sortable and filterable
    by province and regency; each row opens the site's dashboard."""
    context, status = _national(request)
    return render(request, "oversight/national.html", status_code=status, **context)


@router.get("/nasional.{fmt}")
def national_download(request: Request, fmt: str) -> Response:
    """The national view as CSV or XLSX, with the filters and the period of the page."""
    context, status = _national(request)
    if status != 200 or fmt not in ("csv", "xlsx"):
        return render(request, "oversight/national.html", status_code=status if status != 200 else 404, **context)
    lines = exports.national_lines(context["rows"])
    name = f"nasional-{context['start']}-{context['end']}.{fmt}"
    if fmt == "csv":
        return Response(csv_bytes(lines), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    from openpyxl import Workbook  # deferred: only the download needs it

    wb = Workbook()
    ws = wb.active
    ws.title = "Nasional"
    for line in lines:
        append_row(ws, line)
    return Response(xlsx_bytes(wb), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
