"""Feeds for national platforms: the SIPPN standards of a site and its open-data figures.

Both are public by nature (a published Standar Pelayanan is announced to the public; the open
data holds aggregates only), so they need no credentials. The figures come from the oversight
capability's summary of each month, read as the system (`SYSTEM`): the same numbers the
manager's dashboard shows, never a person's data.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from ..catalogue import service as catalogue
from ..db import Database
from ..errors import FieldError, ValidationFailed
from ..oversight import service as oversight
from ..scope import SYSTEM
from ..timeutil import to_local, utcnow
from . import feeds

FIRST_YEAR = 2000


def sippn(db: Database, site_code: str) -> dict[str, Any]:
    """The published services of a site in SIPPN's structure (feeds.SIPPN_FIELDS)."""
    _, name, rows = catalogue.published_standards(db, site_code)
    return feeds.sippn_document(site_code, name, rows)


def _month_figures(summary: Any) -> dict[str, Any]:
    return {
        "visitors": summary.visitors, "tickets": summary.tickets, "served": summary.served,
        "no_show": summary.figure("no_show"), "wait_median_s": summary.wait.median_s,
        "wait_p90_s": summary.wait.p90_s, "service_mean_s": summary.service.mean_s,
        "over_threshold_share": summary.over_threshold_share,
        "ikm": summary.figure("ikm"), "skm_responses": summary.skm.respondents,
        "complaints": summary.complaints.received,
        "complaints_answered_on_time_share": summary.complaints.answered_on_time_share,
        "applications_finished": summary.applications.finished,
        "applications_on_time_share": summary.applications.on_time_share,
        "bookings_made": summary.bookings["made"],
    }


def open_data(db: Database, site_code: str, year: int | None = None) -> dict[str, Any]:
    """One record per month of `year` (this year by default, up to this month) of a site."""
    site = catalogue.get_site(db, site_code)
    today = to_local(utcnow(), site.timezone).date()
    year = year or today.year
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationFailed([FieldError("tahun", f"Tahun harus antara {FIRST_YEAR} dan {today.year}.",
                                           "out_of_range")])
    records = []
    for y, m in feeds.months_of(year, (today.year, today.month)):
        start = date(y, m, 1)
        end = min(date(y, m, calendar.monthrange(y, m)[1]), today)
        summary = oversight.summary(db, SYSTEM, site_code, start, end)
        records.append(feeds.open_data_record(site.code, site.name, f"{y:04d}-{m:02d}", _month_figures(summary)))
    return {"format": "satupintu-data-terbuka", "version": feeds.OPEN_DATA_VERSION, "site": site.code,
            "year": year, "records": records}
