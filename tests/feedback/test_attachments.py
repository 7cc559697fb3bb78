"""Complaint attachments are what they claim to be, checked by parsing them, and are stored and
downloaded under a name that comes from their detected type, never from the upload."""

import pytest

from satupintu.accounts import service as accounts
from satupintu.errors import ValidationFailed
from satupintu.feedback import complaint_service as cs
from satupintu.feedback.complaint_schemas import ComplaintIn
from tests.conftest import DEMO_PASSWORD, token_for
from tests.feedback import files
from tests.feedback.test_complaints import complaint_id


def file(db):
    data = ComplaintIn(title="Antrian tidak tertib", body="Nomor saya dilewati dua kali di loket 4.",
                       reporter_name="Budi Santoso")
    return cs.file_complaint(db, "lahat", data, "web").tracking_code


def refused(db, code, name, data):
    with pytest.raises(ValidationFailed) as err:
        cs.attach(db, code, name, data)
    assert err.value.field == "file"
    return err.value.details[0]


def test_an_html_page_behind_a_png_signature_is_refused(fresh_demo_db):
    code = file(fresh_demo_db)
    page = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"
    assert "PNG/JPEG atau PDF yang utuh" in refused(fresh_demo_db, code, "a.html", page).message


def test_truncated_or_damaged_pdfs_and_images_are_refused(fresh_demo_db):
    code = file(fresh_demo_db)
    pdf, png, jpeg = files.pdf(), files.png((64, 64)), files.jpeg((64, 64))
    refused(fresh_demo_db, code, "surat.pdf", pdf[: len(pdf) // 2])
    refused(fresh_demo_db, code, "surat.pdf", b"%PDF-1.7\n" + b"bukan pdf " * 50 + b"\n%%EOF\n")
    refused(fresh_demo_db, code, "foto.png", png[: len(png) - 20])
    refused(fresh_demo_db, code, "foto.jpg", jpeg[: len(jpeg) // 2])
    damaged = bytearray(png)
    damaged[png.index(b"IDAT") + 6] ^= 0xFF  # inside the image data: its checksum no longer holds
    refused(fresh_demo_db, code, "foto.png", bytes(damaged))
    for name, data, kind in [("a.pdf", pdf, "application/pdf"), ("b.png", png, "image/png"),
                             ("c.jpg", jpeg, "image/jpeg")]:
        assert cs.attach(fresh_demo_db, code, name, data).content_type == kind


def test_an_attachment_name_with_a_control_character_is_refused(fresh_demo_db):
    code = file(fresh_demo_db)
    problem = refused(fresh_demo_db, code, "foto\x1b[2J.png", files.png())
    assert problem.code == "control_character" and "U+001B" in problem.message


def test_a_real_png_named_a_html_is_stored_and_downloaded_as_a_png(fresh_server):
    db = fresh_server.app.state.db
    code = file(db)
    png = files.png()
    made = cs.attach(db, code, "a.html", png)
    assert (made.filename, made.content_type) == ("lampiran-1.png", "image/png")
    second = cs.attach(db, code, "surat.html", files.pdf())
    assert second.filename == "lampiran-2.pdf"
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    assert cs.attachment(db, manager, "lahat", complaint_id(db, code), made.id)[:2] == ("lampiran-1.png", "image/png")
    with fresh_server.client() as c:
        got = c.get(f"/api/v1/sites/lahat/complaints/{complaint_id(db, code)}/attachments/{made.id}",
                    headers=token_for(c, "pengelola"))
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"] == 'attachment; filename="lampiran-1.png"'
    assert got.headers["x-content-type-options"] == "nosniff"


def test_attachments_filed_with_the_complaint_are_named_in_order(fresh_demo_db):
    data = ComplaintIn(title="Lantai licin", body="Lantai dekat loket 3 licin dan tanpa tanda.", reporter_name="Ani")
    code = cs.file_complaint(fresh_demo_db, "lahat", data, "web",
                             attachments=[("x.svg", files.jpeg()), ("y.exe", files.png())]).tracking_code
    from sqlalchemy import select

    from satupintu.feedback.models import ComplaintAttachment

    with fresh_demo_db.read() as s:
        rows = s.execute(select(ComplaintAttachment.filename, ComplaintAttachment.content_type)
                         .where(ComplaintAttachment.complaint_id == complaint_id(fresh_demo_db, code))
                         .order_by(ComplaintAttachment.filename)).all()
    assert rows == [("lampiran-1.jpg", "image/jpeg"), ("lampiran-2.png", "image/png")]


def test_a_file_stored_under_its_uploaded_name_downloads_under_a_name_from_its_type():
    from satupintu.feedback.complaints import download_name

    assert download_name("a.html", "image/png") == "lampiran.png"
    assert download_name("lampiran-3.pdf", "application/pdf") == "lampiran-3.pdf"
    assert download_name("lampiran-3.pdf", "image/jpeg") == "lampiran.jpg"
