"""Feeds for national platforms: SIPPN's standards field by field, the open data per month with
no personal data, over a real HTTP server on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from satupintu.catalogue.models import Service, Site
from satupintu.catalogue.schemas import ServiceStatus
from satupintu.catalogue.standard import COMPONENTS
from satupintu.integration import feed_service, feeds
from satupintu.queueing.models import Ticket


def test_numbered_lines_and_times_read_as_the_form_wants():
    assert feeds.numbered(["KTP-el", "Kartu Keluarga"]) == "1. KTP-el\n2. Kartu Keluarga"
    assert feeds.numbered([]) == "" and feeds.numbered(None) == ""
    assert feeds.completion_time(14, "working_days") == "14 hari kerja"
    assert feeds.completion_time(30, "minutes") == "30 menit"
    assert feeds.completion_time(None, None) == ""
    assert feeds.fee_text(0, "") == "Tidak dipungut biaya (gratis)"
    assert feeds.fee_text(1500000, "Perda No. 3/2020") == "Rp1.500.000; dasar: Perda No. 3/2020"


def test_every_one_of_the_fourteen_components_has_its_sippn_field():
    sources = " ".join(f.source for f in feeds.SIPPN_FIELDS)
    missing = [c.key for c in COMPONENTS if c.key not in sources]
    assert missing == []
    labels = {f.label for f in feeds.SIPPN_FIELDS}
    assert {c.label_id for c in COMPONENTS} <= labels  # SIPPN's names are the regulation's
    assert len({f.key for f in feeds.SIPPN_FIELDS}) == len(feeds.SIPPN_FIELDS)


counts = st.integers(min_value=0, max_value=10_000)
maybe = st.one_of(st.none(), st.floats(min_value=0, max_value=1, allow_nan=False))


@given(counts, counts, maybe, st.one_of(st.none(), st.floats(min_value=0, max_value=36_000, allow_nan=False)))
def test_an_open_data_record_holds_numbers_only(visitors, served, share, seconds):
    record = feeds.open_data_record("lahat", "MPP Kabupaten Lahat", "2026-11", {
        "visitors": visitors, "tickets": visitors, "served": served, "no_show": 0, "wait_median_s": seconds,
        "wait_p90_s": seconds, "service_mean_s": seconds, "over_threshold_share": share, "ikm": None,
        "skm_responses": 0, "complaints": 0, "complaints_answered_on_time_share": share,
        "applications_finished": 0, "applications_on_time_share": share, "bookings_made": 0})
    assert [k for k, _ in feeds.OPEN_DATA_FIELDS] == list(record)
    for key, value in record.items():
        if key not in ("site", "site_name", "month"):
            assert value is None or isinstance(value, int | float)
    if seconds is not None:
        assert record["wait_median_min"] == round(seconds / 60, 1)


def test_the_months_of_a_year_stop_at_this_month():
    assert feeds.months_of(2026, (2026, 3)) == [(2026, 1), (2026, 2), (2026, 3)]
    assert len(feeds.months_of(2025, (2026, 3))) == 12


@pytest.fixture
def db(demo_db):  # type: ignore[no-untyped-def]
    return demo_db


def test_the_sippn_feed_lists_every_published_service_and_nothing_else(db):
    document = feed_service.sippn(db, "lahat")
    with db.read() as s:
        site = s.scalar(select(Site).where(Site.code == "lahat"))
        published = s.scalar(select(func.count()).select_from(Service).where(
            Service.site_id == site.id, Service.status == ServiceStatus.published))
    assert document["count"] == published == len(document["services"]) > 0
    one = next(x for x in document["services"] if x["kode_layanan"] == "DKC-01")
    assert one["persyaratan"].startswith("1. ") and one["nama_instansi"]
    assert one["lokasi"] == "MPP Kabupaten Lahat"


def test_the_open_data_counts_the_months_tickets_as_recorded(db):
    document = feed_service.open_data(db, "lahat")
    assert document["records"] and document["records"][-1]["month"].startswith(str(document["year"]))
    with db.read() as s:
        site = s.scalar(select(Site).where(Site.code == "lahat"))
        for record in document["records"]:
            y, m = map(int, record["month"].split("-"))
            end = date(y + (m == 12), m % 12 + 1, 1)
            issued = s.scalar(select(func.count()).select_from(Ticket).where(
                Ticket.site_id == site.id, Ticket.local_date >= date(y, m, 1), Ticket.local_date < end))
            assert record["tickets"] == issued, record["month"]


def test_a_year_outside_the_records_is_refused_naming_the_field(db):
    from satupintu.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        feed_service.open_data(db, "lahat", 1999)
    assert refused.value.field == "tahun"


def test_the_feeds_download_as_json_xlsx_and_csv_without_credentials(server):
    with server.client() as c:
        sippn = c.get("/api/v1/sites/lahat/feeds/sippn")
        assert sippn.status_code == 200 and sippn.json()["format"] == "sippn-standar-pelayanan"
        book = load_workbook(io.BytesIO(c.get("/api/v1/sites/lahat/feeds/sippn", params={"format": "xlsx"}).content))
        header = [cell.value for cell in book.active[1]]
        assert header == [f.label for f in feeds.SIPPN_FIELDS]
        assert book.active.max_row == sippn.json()["count"] + 1
        opened = c.get("/api/v1/sites/lahat/feeds/open-data", params={"format": "csv"})
        assert opened.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(opened.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Kode lokasi", "Nama lokasi", "Bulan"] and len(rows) >= 2
        refused = c.get("/api/v1/sites/lahat/feeds/open-data", params={"tahun": "1990"})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "tahun"
        assert c.get("/api/v1/sites/nowhere/feeds/sippn").status_code == 404
