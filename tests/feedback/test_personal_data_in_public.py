"""Personal data citizens type into free text stays off public pages, over real HTTP on SQLite
and PostgreSQL: a complaint is listed publicly only once verified and then with NIK and phone
numbers masked; the reporter still reads their own words in full by tracking code; published
survey suggestions are masked too."""

from __future__ import annotations

from datetime import timedelta

from satupintu.feedback import service as feedback
from satupintu.feedback.schemas import SurveyIn
from satupintu.feedback.skm import KEYS, Regulation
from tests.conftest import token_for
from tests.feedback.test_survey import code, served_ticket, site_today

NIK = "3201234567890001"
PHONE = "0812-3456-7890"
BODY = f"Nomor saya dilewati di loket 4 pukul 10.00. NIK saya {NIK}, hubungi saya di {PHONE}."
MASKED_BODY = "Nomor saya dilewati di loket 4 pukul 10.00. NIK saya 3201**********01, hubungi saya di 0812******90."


def _leaks(text: str) -> bool:
    return NIK in text or PHONE in text or "081234567890" in text or "0813-2222-3333" in text


def test_a_nik_and_phone_typed_into_a_complaint_reach_no_public_page_and_only_masked_after_verification(
        bare_server):
    with bare_server.client() as c:
        filed = c.post("/api/v1/sites/lahat/complaints", json={
            "title": "Antrian dilewati", "body": BODY, "reporter_name": "Budi", "reporter_contact": "0812-1111-2222"})
        assert filed.status_code == 201, filed.text
        tracking = filed.json()["tracking_code"]

        # Not yet verified: nobody without the tracking code reads it.
        before = c.get("/api/v1/sites/lahat/complaints/public")
        assert before.status_code == 200 and before.json() == [] and not _leaks(before.text)

        # The reporter, holding the code, reads their own words in full.
        assert c.get(f"/api/v1/complaints/{tracking}").json()["body"] == BODY
        assert BODY in c.get(f"/pengaduan/{tracking}").text

        manager, agency = token_for(c, "pengelola"), token_for(c, "admin.dukcapil")
        staff = c.get("/api/v1/sites/lahat/complaints", headers=manager).json()
        [mine] = [v for v in staff if v["tracking_code"] == tracking]
        assert mine["body"] == BODY  # staff work with the text as written
        assert mine["reporter_contact"] == "0812******22"  # and see the contact masked
        for step in ({"step": "verify"}, {"step": "assign", "agency": "DUKCAPIL"}):
            assert c.post(f"/api/v1/sites/lahat/complaints/{mine['id']}/steps", json=step,
                          headers=manager).status_code == 200
        answer = {"step": "answer", "note": "Mohon maaf. Petugas kami, Pak Andi (0813-2222-3333), akan menelepon."}
        assert c.post(f"/api/v1/sites/lahat/complaints/{mine['id']}/steps", json=answer,
                      headers=agency).status_code == 200

        public = c.get("/api/v1/sites/lahat/complaints/public")
        [listed] = public.json()
        assert listed["body"] == MASKED_BODY and "0813******33" in listed["answer"]
        assert not _leaks(public.text)

        # By tracking code: the reporter's own text in full, what the office wrote masked.
        tracked = c.get(f"/api/v1/complaints/{tracking}").json()
        assert tracked["body"] == BODY and "0813-2222-3333" not in tracked["answer"]
        page = c.get(f"/pengaduan/{tracking}").text
        assert BODY in page and "0813-2222-3333" not in page


def test_a_phone_number_in_a_survey_suggestion_is_masked_on_the_published_index(bare_server):
    db = bare_server.app.state.db
    t = served_ticket(db)
    answers = {k: 4 for k in KEYS[Regulation.permenpanrb_14_2017]}
    feedback.submit_survey(db, t.id, code(t), SurveyIn(answers=answers,
                                                       suggestion=f"Bagus. Kalau perlu, telepon saya {PHONE}."))
    today = site_today()
    with bare_server.client() as c:
        published = c.post("/api/v1/sites/lahat/skm/publish", headers=token_for(c, "pengelola"), json={
            "title": "Triwulan ini", "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=1)).isoformat()})
        assert published.status_code == 201, published.text
        public = c.get("/api/v1/sites/lahat/skm/published")
    assert public.json()[0]["report"]["suggestions"] == ["Bagus. Kalau perlu, telepon saya 0812******90."]
    assert not _leaks(public.text)
