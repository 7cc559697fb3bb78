"""Public text in the SKM XLSX and the SP4N-LAPOR! CSV is written as text, never as a formula, and a
control character is refused when it is typed, so it can no longer break the report."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from satupintu.feedback.models import SurveyResponse
from satupintu.feedback.skm import KEYS, Regulation
from satupintu.timeutil import utcnow
from tests.conftest import token_for
from tests.feedback.test_survey import code, served_ticket

ANSWERS = {k: 4 for k in KEYS[Regulation.permenpanrb_14_2017]}


def test_a_survey_suggestion_with_an_escape_character_is_refused_and_the_skm_xlsx_keeps_working(bare_server):
    db = bare_server.app.state.db
    first, second = served_ticket(db), served_ticket(db)
    today = utcnow().date()
    period = {"starts_on": str(today - timedelta(days=2)), "ends_on": str(today + timedelta(days=2))}
    with bare_server.client() as c:
        bad = c.post(f"/api/v1/tickets/{first.id}/survey", params={"code": code(first)},
                     json={"answers": ANSWERS, "suggestion": "Bagus\x1b[2J"})
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "suggestion"
        assert bad.json()["error"]["details"][0]["code"] == "control_character"
        formula = '=HYPERLINK("http://contoh.invalid","Klik di sini")'
        assert c.post(f"/api/v1/tickets/{first.id}/survey", params={"code": code(first)},
                      json={"answers": ANSWERS, "suggestion": formula}).status_code == 201
        assert c.post(f"/api/v1/tickets/{second.id}/survey", params={"code": code(second)},
                      json={"answers": ANSWERS, "suggestion": "-1+1 antrean cepat"}).status_code == 201
        with db.write() as s:  # a suggestion stored before the rule existed
            s.scalars(select(SurveyResponse).where(SurveyResponse.ticket_id == second.id)).one().suggestion = \
                "-1+1 antrean\x1b cepat"
        report = c.get("/api/v1/sites/lahat/skm.xlsx", params=period, headers=token_for(c, "pengelola"))
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content))["Saran"]
    cells = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row[1:]}
    assert cells == {formula: "s", "-1+1 antrean\ufffd cepat": "s"}


def test_complaint_text_in_the_lapor_csv_cannot_run_as_a_formula(fresh_server):
    with fresh_server.client() as c:
        title = '=HYPERLINK("http://contoh.invalid","Lihat bukti")'
        made = c.post("/api/v1/sites/lahat/complaints",
                      json={"title": title, "body": "+62 811 000 111 menelepon, tidak dijawab.",
                            "reporter_name": "@budi"})
        assert made.status_code == 201
        bad = c.post("/api/v1/sites/lahat/complaints",
                     json={"title": "Antrian\x07 kacau", "body": "Nomor dilewati dua kali di loket 4."})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "title"
        exported = c.get("/api/v1/sites/lahat/complaints.lapor.csv", headers=token_for(c, "pengelola"))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == made.json()["tracking_code"])
    assert row[header.index("Judul Laporan")] == "'" + title
    assert row[header.index("Isi Laporan")].startswith("'+62")
    assert row[header.index("Nama Pelapor")] == "'@budi"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_the_public_complaint_form_refuses_a_control_character_naming_the_field(bare_server):
    from sqlalchemy import func

    from satupintu.feedback.models import Complaint
    from tests.feedback.test_feedback_pages import csrf_of

    db = bare_server.app.state.db
    with bare_server.client() as c:
        form = c.get("/mpp/lahat/pengaduan")
        bad = c.post("/mpp/lahat/pengaduan", data={"csrf": csrf_of(form.text), "title": "Lantai licin",
                                                   "body": "Lantai dekat loket 3\x0b licin.", "kind": "pengaduan",
                                                   "privacy": "normal", "reporter_name": "Budi"})
    assert bad.status_code == 422 and "Isian &#39;body&#39; memuat karakter kendali U+000B" in bad.text
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 0
