"""The trial-period evaluation report in real Chromium (laptop, 1366x768) and as files: the manager
opens "Laporan evaluasi uji coba", sees the summary and the recommendations for the demo's past two
weeks, and downloads the PDF (letterhead, eight sections, signature block; its pages are rendered
to images for docs/screenshots) and the XLSX, whose figures equal the service's."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from satupintu.oversight import service as oversight
from satupintu.scope import SYSTEM
from tests.conftest import LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import DOCS_SHOTS, screen
from tests.e2e.test_front_of_house import login


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "evaluasi") as server:
        yield server


def _period() -> tuple[str, str]:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    return (today - timedelta(days=13)).isoformat(), today.isoformat()


def test_the_manager_downloads_the_evaluation_report(browser, live, axe_source, tmp_path):  # noqa: F811
    """The page shows the period's visitors and recommendations; the PDF carries the letterhead,
    every section and the signature block; the XLSX's summary line equals the service's figures."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    start, end = _period()
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    page.goto(f"{live.url}/kelola/lahat")
    page.get_by_role("link", name="Laporan evaluasi uji coba").click()
    page.get_by_label("Dari tanggal").fill(start)
    page.get_by_label("Sampai tanggal").fill(end)
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    figures = oversight.summary(live.app.state.db, SYSTEM, "lahat", datetime.fromisoformat(start).date(),
                                datetime.fromisoformat(end).date())
    assert figures.visitors > 300
    assert page.locator("tr:has(th:text-is('Pengunjung')) td").inner_text() == str(figures.visitors)
    assert page.locator("tr:has(th:text-is('Dilayani')) td").inner_text() == str(figures.served)
    assert page.locator("ol li").count() >= 1  # the demo's Dukcapil waits pass the threshold
    assert "Disdukcapil" in page.locator("ol").inner_text() or "Kependudukan" in page.locator("ol").inner_text()
    assert serious_violations(page, axe_source) == []
    screen(page, "152-laporan-evaluasi-1366x768", full_page=True)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Unduh PDF (dengan kop dan tanda tangan)").click()
    pdf_path = tmp_path / "laporan.pdf"
    pdf_download.value.save_as(pdf_path)
    reader = PdfReader(str(pdf_path))
    text = " ".join(p.extract_text() or "" for p in reader.pages)
    for expected in ("PEMERINTAH KABUPATEN LAHAT", "LAPORAN EVALUASI UJI COBA", "1. Ringkasan",
                     "2. Antusiasme masyarakat", "4. Survei Kepuasan Masyarakat", "5. Pengaduan",
                     "6. Kesiapan petugas", "8. Rekomendasi", "NIP."):
        assert expected.lower() in text.lower(), expected
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf_path), str(tmp_path / "hal")], check=True)
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        for old in DOCS_SHOTS.glob("153-laporan-evaluasi-pdf-hal*.png"):
            old.unlink()
        for i, png in enumerate(sorted(tmp_path.glob("hal-*.png")), 1):
            shutil.copy(png, DOCS_SHOTS / f"153-laporan-evaluasi-pdf-hal{i}.png")

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Unduh XLSX").click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert book.sheetnames == ["Ringkasan", "Per hari", "Per instansi", "SKM", "Pengaduan", "Kekosongan loket",
                               "Rekomendasi"]
    row = [c.value for c in book["Ringkasan"][6]]
    assert row[:3] == ["Seluruh MPP", figures.visitors, figures.served]
    assert sum(r[1].value for r in book["Per hari"].iter_rows(min_row=2)) == figures.visitors


def test_a_bad_date_is_named_beside_its_field(browser, live):
    """A date that is not a date answers 422 with the message under "Dari tanggal"."""
    page = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(page, live, "pengelola")
    response = page.goto(f"{live.url}/kelola/lahat/evaluasi?dari=31-02-2026")
    assert response is not None and response.status == 422
    assert "format tahun-bulan-tanggal" in page.locator("#dari-error").inner_text()
