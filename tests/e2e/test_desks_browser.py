"""The desks of an MPP day in real Chromium, in Indonesian: the manager reads the month's SKM,
enters a paper tally (first with a mistake, told beside the field), sees the index change and
publishes it after reading what becomes public; the manager works a complaint with its photo,
Indonesian step names and deadline; an officer prints an applicant's tanda terima. Each page
passes axe-core with no serious or critical violations."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from satupintu.accounts import service as accounts
from satupintu.applications import service as apps
from satupintu.applications.schemas import ApplicationIn
from satupintu.feedback import complaint_service as cs
from satupintu.feedback import service as feedback
from satupintu.feedback.complaint_schemas import ComplaintIn
from satupintu.feedback.models import Complaint
from satupintu.feedback.schemas import SurveyIn
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import SHOTS, demo_server, new_context, shot
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.feedback.test_survey import K, code, served_ticket

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
NIK = "1604015208850002"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    # The desk's figures here are exact (an index of 100.00 from this test's answers): no past weeks.
    with demo_server(tmp_path_factory, "desks", history=False) as server:
        yield server


def signed_in(browser, live, username, viewport=LAPTOP):  # type: ignore[no-untyped-def]
    ctx = new_context(browser, viewport=viewport)
    page = ctx.new_page()
    page.goto(live.url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    return ctx, page


def test_a_manager_enters_a_paper_tally_sees_the_index_change_and_publishes(browser, live, axe_source):  # noqa: F811
    db = live.app.state.db
    t = served_ticket(db)
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers={k: 4 for k in K}, age=41, sex="P",
                                                        education="sma", occupation="wirausaha"))
    ctx, page = signed_in(browser, live, "pengelola")
    page.goto(live.url + "/kelola/lahat")
    page.get_by_role("link", name="Survei kepuasan (SKM)").click()
    page.wait_for_url("**/kelola/lahat/skm")
    assert page.locator("#ikm-value").inner_text() == "100.00"
    assert page.locator("#ikm-grade").inner_text() == "Mutu A"
    assert page.locator("#respondent-count").inner_text() == "1"
    assert "Perempuan" in page.locator(".profile").inner_text()
    assert page.get_by_role("link", name="PDF (dengan kop surat)").is_visible()
    assert serious_violations(page, axe_source) == []

    # A first try with the respondents left empty and one unsur not filled in.
    page.get_by_label("Layanan", exact=True).select_option("DKC-01")
    for key in K:
        if key != "sarana":
            page.get_by_label(re.compile(rf"^{re.escape(_label(key))}: .* \(1\)$")).fill("3")
    page.get_by_role("button", name="Simpan tally").click()
    page.wait_for_load_state()
    assert "Tally belum tersimpan" in page.locator("#tally-errors").inner_text()
    assert "jumlah kuesioner kertas" in page.locator("#respondents-error").inner_text()
    assert "belum diisi" in page.locator("#err-sarana").inner_text()
    assert page.locator("input[name=t_persyaratan_1]").input_value() == "3"  # what was typed is kept
    assert page.locator("#ikm-value").inner_text() == "100.00"  # nothing half-saved
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#tally").screenshot(path=str(SHOTS / "49-skm-tally-salah.png"))
    assert serious_violations(page, axe_source) == []
    page.get_by_label("Jumlah kuesioner (responden)").fill("3")
    page.locator("input[name=t_sarana_1]").fill("3")
    page.get_by_role("button", name="Simpan tally").click()
    page.wait_for_load_state()
    assert "3 responden ditambahkan" in page.get_by_role("status").inner_text()
    # 1 x all-4 and 3 x all-1: NRR 7/4 per unsur -> 43.75, grade D.
    assert page.locator("#ikm-value").inner_text() == "43.75"
    assert page.locator("#ikm-grade").inner_text() == "Mutu D"
    assert page.locator("#respondent-count").inner_text() == "4"
    page.set_viewport_size(LAPTOP)
    shot(page, "50-skm-pengelola")

    page.get_by_role("link", name="Terbitkan indeks periode ini…").click()
    items = page.locator("#public-items").inner_text()
    assert "43.75" in items and "disamarkan" in items and "profil responden" in items
    assert serious_violations(page, axe_source) == []
    shot(page, "51-skm-konfirmasi-terbit")
    page.get_by_role("button", name="Ya, terbitkan untuk umum").click()
    page.wait_for_load_state()
    assert "Indeks diterbitkan" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Lihat halaman publik").first.click()
    page.wait_for_url("**/mpp/lahat/ikm")
    assert "IKM 43.75" in page.content()

    page.set_viewport_size(PHONE)  # a manager on a phone: wide tables scroll in their box, not the page
    page.goto(live.url + "/kelola/lahat/skm")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    shot(page, "50-skm-pengelola-ponsel")
    page.goto(live.url + "/kelola/lahat/skm?lang=en")
    english = page.content()
    assert "Public Satisfaction Survey (SKM)" in english and "Enter a paper questionnaire tally" in english
    ctx.close()


def _label(key: str) -> str:
    from satupintu.feedback.skm import UNSUR_2017

    return next(u.label for u in UNSUR_2017 if u.key == key)


def test_a_manager_sees_a_complaint_with_its_photo_indonesian_steps_and_due_date(browser, live, axe_source):  # noqa: F811
    db = live.app.state.db
    made = cs.file_complaint(db, "lahat", ComplaintIn(title="Atap ruang tunggu bocor",
                                                      body="Saat hujan air menetes di kursi baris kedua.",
                                                      reporter_name="Rahmat", reporter_contact="081298765432"),
                             "web", attachments=[("bocor.jpg", _photo())])
    ctx, page = signed_in(browser, live, "pengelola")
    page.goto(live.url + "/kelola/lahat")
    page.get_by_role("link", name="Pengaduan", exact=True).click()
    card = page.locator("section.complaint", has_text="Atap ruang tunggu bocor")
    image = card.get_by_role("img", name=re.compile("Foto lampiran 1"))
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert card.locator("select[name=step] option").all_inner_texts() == [
        "Verifikasi", "Tolak", "Bukan wewenang MPP"]
    assert "Batas verifikasi" in card.inner_text() and "WIB" in card.locator("li.due").inner_text()
    assert "0812****5432" in card.inner_text() or "081298765432" not in card.inner_text()
    assert serious_violations(page, axe_source) == []
    csv = page.get_by_role("link", name="Unduh CSV untuk SP4N-LAPOR!")
    with page.expect_download() as got:
        csv.click()
    with open(got.value.path(), encoding="utf-8") as exported:
        assert "Atap ruang tunggu bocor" in exported.read()

    card.get_by_label("Langkah").select_option(label="Verifikasi")
    card.get_by_label("Tingkat (menentukan batas tindak lanjut)").select_option(label="Tinggi")
    card.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state()
    card = page.locator("section.complaint", has_text="Atap ruang tunggu bocor")
    assert "Batas tindak lanjut" in card.inner_text()
    assert card.locator("select[name=step] option").all_inner_texts() == ["Disposisikan ke instansi"]
    with db.write() as s:  # the follow-up deadline passed yesterday
        s.execute(update(Complaint).where(Complaint.tracking_code == made.tracking_code)
                  .values(due_at=utcnow() - timedelta(days=1)))
    page.reload()
    card = page.locator("section.complaint", has_text="Atap ruang tunggu bocor")
    assert card.locator(".late").inner_text() == "Terlambat"
    card.locator("summary").click()
    assert "Verifikasi → Diverifikasi" in card.locator("ol.history").inner_text()
    card.scroll_into_view_if_needed()
    shot(page, "52-pengaduan-pengelola")
    page.goto(live.url + "/kelola/lahat/pengaduan?tampil=overdue")
    assert page.locator("section.complaint").count() == 1
    assert serious_violations(page, axe_source) == []
    page.goto(live.url + "/kelola/lahat/pengaduan?lang=en")  # the language switch
    card = page.locator("section.complaint", has_text="Atap ruang tunggu bocor")
    assert card.locator("select[name=step] option").all_inner_texts() == ["Assign to an agency"]
    assert card.locator(".late").inner_text() == "Overdue" and "Follow-up deadline" in card.inner_text()
    ctx.close()


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    out = io.BytesIO()
    img = Image.new("RGB", (320, 240), (120, 160, 200))
    ImageDraw.Draw(img).rectangle((40, 60, 280, 200), fill=(90, 70, 50))
    img.save(out, "JPEG")
    return out.getvalue()


def test_an_officer_prints_the_tanda_terima_on_one_page_with_nik_and_phone_masked(browser, live, axe_source):  # noqa: F811
    from pypdf import PdfReader

    db = live.app.state.db
    officer = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
    opened = apps.open_application(db, officer, "lahat", ApplicationIn.model_validate({
        "service": "DPM-03", "applicant_name": "Siti Aminah", "nik": NIK, "phone": "0812-3456-7890",
        "documents_received": [0, 1, 2]}))
    ctx, page = signed_in(browser, live, "petugas.dpmptsp")
    page.goto(f"{live.url}/kelola/lahat/permohonan/{opened.application.id}")
    page.get_by_role("link", name="Cetak tanda terima").click()
    page.wait_for_url("**/tanda-terima")
    assert page.locator("#tracking-number").inner_text() == opened.tracking_number
    assert page.locator("#nik").inner_text() == "1604**********02"
    assert "*" in page.locator("#phone").inner_text()
    body = page.content()
    assert NIK not in body and "81234567890" not in body and "3456-7890" not in body
    assert page.locator("#documents li").count() == 3
    assert "Izin Penyelenggaraan Reklame" in body and "MPP Kabupaten Lahat" in body
    assert page.get_by_role("img", name="Kode QR halaman status permohonan").locator("svg").count() == 1
    assert re.search(r"(Senin|Selasa|Rabu|Kamis|Jumat), \d+ \w+ 20\d\d", page.locator("#due").inner_text())
    assert serious_violations(page, axe_source) == []
    shot(page, "43-tanda-terima-laptop")
    # Printed, it is one A5 page.
    printed = page.pdf(prefer_css_page_size=True, print_background=True)
    (SHOTS / "43-tanda-terima.pdf").write_bytes(printed)
    pdf = PdfReader(io.BytesIO(printed))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 148 and round(float(box.height) / 72 * 25.4) == 210
    page.goto(page.url + "?lang=en")
    assert "APPLICATION DOCUMENTS RECEIPT" in page.content() and "Documents received" in page.content()
    ctx.close()

    phone_ctx = new_context(browser, viewport=PHONE, device_scale_factor=2)
    phone = phone_ctx.new_page()
    phone.goto(live.url + "/masuk")
    phone.get_by_label("Nama pengguna").fill("petugas.dpmptsp")
    phone.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    phone.wait_for_load_state()
    phone.goto(f"{live.url}/kelola/lahat/permohonan/{opened.application.id}/tanda-terima")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    shot(phone, "44-tanda-terima-ponsel")
    phone_ctx.close()
