"""The survey, complaint and index pages a citizen uses, from a real server."""

import re

from satupintu.feedback.skm import KEYS, Regulation
from tests.feedback import files
from tests.feedback.test_survey import code, served_ticket

K = KEYS[Regulation.permenpanrb_14_2017]


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_survey_page_shows_the_regulations_answers_and_thanks_once(fresh_server):
    t = served_ticket(fresh_server.app.state.db)
    with fresh_server.client() as c:
        page = c.get(f"/survei/{t.id}", params={"kode": code(t)})
        assert page.status_code == 200 and "Survei Kepuasan Masyarakat" in page.text
        assert "Sangat mahal" in page.text and "Dikelola dengan baik" in page.text
        partial = {"csrf": csrf_of(page.text), "kode": code(t), **{f"u_{k}": "4" for k in K if k != "sarana"}}
        missing = c.post(f"/survei/{t.id}", data=partial)
        assert missing.status_code == 422 and 'id="err-sarana"' in missing.text
        assert 'value="4" checked' in missing.text  # what was chosen is kept
        done = c.post(f"/survei/{t.id}", data={**partial, "u_sarana": "3", "suggestion": "Mantap"})
        assert done.status_code == 200 and "Terima kasih atas penilaian Anda." in done.text
        again = c.get(f"/survei/{t.id}", params={"kode": code(t)})
        assert "sudah diisi" in again.text and "u_persyaratan" not in again.text


def test_complaint_form_to_tracking_page_and_a_reporter_response(fresh_server):
    with fresh_server.client(follow_redirects=True) as c:
        form = c.get("/mpp/lahat/pengaduan")
        assert "Sampaikan pengaduan" in form.text
        bad = c.post("/mpp/lahat/pengaduan", data={"csrf": csrf_of(form.text), "title": "AC", "body": "panas"})
        assert bad.status_code == 422 and 'id="title-error"' in bad.text
        ok = c.post("/mpp/lahat/pengaduan", data={
            "csrf": csrf_of(form.text), "title": "Toilet rusak", "body": "Toilet lantai dua tidak bisa dipakai.",
            "privacy": "anonim", "kind": "pengaduan"})
        assert ok.status_code == 200 and "Simpan kode pelacakan ini" in ok.text
        code = re.search(r"ADU-[A-Z0-9]{8}", ok.text).group(0)
        lookup = c.get("/pengaduan", params={"kode": code.lower()})
        assert code in lookup.text and "Diterima" in lookup.text and "WIB" in lookup.text
        reply = c.post(f"/pengaduan/{code}", data={"csrf": csrf_of(lookup.text), "step": "respond",
                                                   "note": "Sudah dua hari rusak"})
        assert "Sudah dua hari rusak" in reply.text
        early = c.post(f"/pengaduan/{code}", data={"csrf": csrf_of(reply.text), "step": "reopen", "note": "buka"})
        assert early.status_code == 422 and "setelah dijawab" in early.text


def test_published_index_page_and_english(fresh_server):
    with fresh_server.client() as c:
        page = c.get("/mpp/lahat/ikm")
        assert "Indeks Kepuasan Masyarakat" in page.text and "Belum ada indeks yang diterbitkan." in page.text
        en = c.get("/mpp/lahat/ikm?lang=en")
        assert "Public Satisfaction Index" in en.text


def test_staff_work_a_complaint_from_the_management_page(fresh_server):
    from tests.test_pages import login

    with fresh_server.client() as c:
        form = c.get("/mpp/lahat/pengaduan")
        c.post("/mpp/lahat/pengaduan", data={"csrf": csrf_of(form.text), "title": "Kursi rusak",
                                             "body": "Kursi ruang tunggu banyak yang patah.", "reporter_name": "Ani"})
        login(c)
        c.follow_redirects = True
        page = c.get("/kelola/lahat/pengaduan")
        assert "Kursi rusak" in page.text and "Diterima" in page.text
        cid = re.search(r'action="/kelola/lahat/pengaduan/([0-9a-f-]+)"', page.text).group(1)
        bad = c.post(f"/kelola/lahat/pengaduan/{cid}", data={"csrf": csrf_of(page.text), "step": "reject"})
        assert "memerlukan alasan" in bad.text  # shown beside the complaint, nothing changed
        ok = c.post(f"/kelola/lahat/pengaduan/{cid}", data={"csrf": csrf_of(page.text), "step": "verify",
                                                              "severity": "tinggi"})
        assert "Diverifikasi" in ok.text
        assigned = c.post(f"/kelola/lahat/pengaduan/{cid}", data={"csrf": csrf_of(ok.text), "step": "assign",
                                                                    "agency": "DPMPTSP"})
        assert "Didisposisikan" in assigned.text


def test_a_complaint_from_the_public_form_carries_its_photo_and_a_bad_file_stores_nothing(bare_server):
    from sqlalchemy import func, select

    from satupintu.feedback.models import Complaint, ComplaintAttachment

    png = files.png()
    fields = {"title": "Lantai licin", "body": "Lantai dekat loket 3 licin dan tanpa tanda.", "kind": "pengaduan",
              "privacy": "normal", "reporter_name": "Budi"}
    db = bare_server.app.state.db
    with bare_server.client(follow_redirects=True) as c:
        form = c.get("/mpp/lahat/pengaduan")
        assert 'enctype="multipart/form-data"' in form.text and 'name="lampiran"' in form.text
        bad = c.post("/mpp/lahat/pengaduan", data={"csrf": csrf_of(form.text), **fields},
                     files=[("lampiran", ("foto.png", png, "image/png")),
                            ("lampiran", ("virus.exe", b"MZ\x90\x00 not an image", "image/png"))])
        assert bad.status_code == 422 and 'id="attachments-error"' in bad.text and "virus.exe" in bad.text
        assert 'value="Lantai licin"' in bad.text  # what the citizen typed is kept
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Complaint)) == 0  # nothing half-written
        ok = c.post("/mpp/lahat/pengaduan", data={"csrf": csrf_of(form.text), **fields},
                    files=[("lampiran", ("foto lantai.png", png, "image/png"))])
        assert ok.status_code == 200 and "Simpan kode pelacakan ini" in ok.text
    with db.read() as s:
        rows = s.execute(select(ComplaintAttachment.filename, ComplaintAttachment.content_type)).all()
    assert rows == [("lampiran-1.png", "image/png")]  # named by its type, not by the upload
