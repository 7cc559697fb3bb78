"""The dashboard's figures as plain data: a CSV for spreadsheets and a JSON-ready dict for the API.
Pure: both take the Dashboard the service built."""

from __future__ import annotations

from typing import Any

from ..exports import CsvWriter
from .measures import FIGURES, Summary
from .service import Dashboard, NationalRow

CSV_COLUMNS = (("visitors", "Pengunjung"), ("tickets", "Tiket"), ("served", "Dilayani"), ("no_show", "Tidak hadir"),
               ("closed_unserved", "Ditutup tanpa dilayani"), ("wait_median_s", "Median tunggu (detik)"),
               ("wait_p90_s", "P90 tunggu (detik)"), ("over_threshold_share", "Porsi melebihi batas"),
               ("service_mean_s", "Rata-rata layanan (detik)"), ("utilisation", "Utilisasi loket"),
               ("ikm", "IKM"))


def _value(figures: Summary, key: str) -> float | None:
    return float(figures.tickets) if key == "tickets" else figures.figure(key)


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def dashboard_csv(board: Dashboard) -> bytes:
    """One line for the period, then one per day and one per agency (UTF-8 with a BOM for Excel;
    a text that a spreadsheet would run as a formula is quoted as text)."""
    writer = CsvWriter()
    writer.writerow(["jenis", "kunci", "nama", *[label for _, label in CSV_COLUMNS]])

    def row(kind: str, key: str, label: str, figures: Summary) -> None:
        writer.writerow([kind, key, label, *[_cell(_value(figures, k)) for k, _ in CSV_COLUMNS]])

    row("periode", f"{board.start}..{board.end}", board.site.name, board.figures)
    for r in board.per_day:
        row("hari", r.key, r.label, r.figures)
    for r in board.per_agency:
        row("instansi", r.key, r.label, r.figures)
    return writer.to_bytes()


def figures_dict(figures: Summary) -> dict[str, Any]:
    """Every headline figure by its key, with the counts behind them."""
    return {"figures": {k: figures.figure(k) for k in FIGURES}, "tickets": figures.tickets,
            "referred_in": figures.referred_in, "priority_tickets": figures.priority_tickets,
            "by_channel": dict(figures.by_channel), "by_priority": dict(figures.by_priority),
            "outcomes": dict(figures.outcomes), "bookings": dict(figures.bookings),
            "skm": {"respondents": figures.skm.respondents, "required_sample": figures.skm.required_sample,
                    "sample_sufficient": figures.skm.sample_sufficient,
                    "ikm": None if figures.skm.ikm is None else str(figures.skm.ikm), "grade": figures.skm.grade},
            "waited_over_threshold": figures.waited_over_threshold, "inverted": figures.inverted}


def dashboard_dict(board: Dashboard) -> dict[str, Any]:
    return {"site": board.site.code, "start": board.start.isoformat(), "end": board.end.isoformat(),
            "previous": {"start": board.previous[0].isoformat(), "end": board.previous[1].isoformat()},
            "agency": board.agency.code if board.agency else None,
            "service": board.service.code if board.service else None,
            "wait_threshold_minutes": board.threshold_minutes,
            "current": figures_dict(board.figures),
            "changes": [{"key": c.key, "current": c.current, "previous": c.previous} for c in board.changes],
            "per_day": [{"day": r.key, **figures_dict(r.figures)} for r in board.per_day],
            "per_agency": [{"agency": r.key, "name": r.label, **figures_dict(r.figures)} for r in board.per_agency],
            "arrivals": {"counts": [list(row) for row in board.heatmap.counts], "days": list(board.heatmap.days)}}


NATIONAL_COLUMNS = ("Kode", "Nama", "Jenis", "Provinsi", "Kabupaten/Kota", "Pengunjung", "Dilayani",
                    "Median tunggu (menit)", "P90 tunggu (menit)", "IKM", "Pengaduan dijawab tepat waktu (%)",
                    "Permohonan tepat waktu (%)", "Sarana tersedia (%)")


def national_line(r: NationalRow) -> list[Any]:
    f = r.figures

    def pct(v: float | None) -> float | None:
        return None if v is None else round(v * 100, 1)

    def mins(v: float | None) -> float | None:
        return None if v is None else round(v / 60, 1)

    return [r.code, r.name, "Pelayanan bergerak" if r.is_event else "MPP", r.place.province, r.place.regency,
            f.visitors, f.served, mins(f.wait.median_s), mins(f.wait.p90_s), f.figure("ikm"),
            pct(f.complaints.answered_on_time_share), pct(f.applications.on_time_share), pct(r.facilities_share)]


def national_lines(rows: list[NationalRow]) -> list[list[Any]]:
    """The national view as a table: the header, then one line per site or mobile event."""
    return [list(NATIONAL_COLUMNS)] + [national_line(r) for r in rows]
