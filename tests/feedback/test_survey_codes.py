"""The SKM survey is reachable only with the code the visitor holds (printed on the ticket, in
its QR), never by a bare ticket number or the ticket's public id; on SQLite and PostgreSQL,
through the real server, for every way a ticket is issued."""

from __future__ import annotations

import re
import uuid
from datetime import UTC

import httpx
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from satupintu.accounts import service as accounts
from satupintu.catalogue import service as catalogue
from satupintu.feedback import service as feedback
from satupintu.feedback import survey_codes
from satupintu.feedback.models import SurveyResponse
from satupintu.feedback.skm import KEYS, Regulation
from satupintu.queueing import bookings
from satupintu.queueing import service as queue
from tests.conftest import DEMO_PASSWORD, token_for

K = KEYS[Regulation.permenpanrb_14_2017]
ANSWERS = {k: 4 for k in K}


@given(st.uuids(), st.binary(min_size=16, max_size=32))
def test_a_code_is_eight_unambiguous_characters_and_reads_back_however_it_is_typed(visit, key):
    code = survey_codes.survey_code(key, visit)
    assert len(code) == 8 and set(code) <= set(survey_codes.ALPHABET) and not set(code) & set("01OI")
    assert survey_codes.survey_code(key, visit) == code  # derived, so every issue path has the same one
    for typed in (code, code.lower(), survey_codes.display(code), " " + survey_codes.display(code).lower() + " ",
                  f"http://mpp.example/antrian/{uuid.uuid4()}?kode={code}"):
        assert survey_codes.normalise(typed) == code
        assert survey_codes.matches(key, visit, typed)


def test_a_ticket_number_or_a_short_string_is_not_a_code():
    for typed in ("A-012", "A012", "", "ABCD-EFG", "ABCD-EFGH-J", "ABCD-EF0H"):
        assert survey_codes.normalise(typed) is None
    key = b"k" * 32
    assert survey_codes.survey_code(key, uuid.UUID(int=1)) != survey_codes.survey_code(key, uuid.UUID(int=2))
    assert not survey_codes.matches(key, uuid.UUID(int=1), survey_codes.survey_code(key, uuid.UUID(int=2)))


def _kiosk(c: httpx.Client, name: str) -> tuple[str, str]:
    """A kiosk device of the site: its token and, after opening its page, a CSRF token."""
    token = c.post("/api/v1/sites/lahat/devices", headers=token_for(c, "pengelola"),
                   json={"kind": "kiosk", "name": name}).json()["token"]
    page = c.get(f"/kios/lahat?token={token}")
    return token, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _serve_all(c: httpx.Client, counter: int = 4) -> None:
    officer = token_for(c, "petugas.dukcapil")
    c.post(f"/api/v1/sites/lahat/counters/{counter}/open", headers=officer)
    while True:
        called = c.post(f"/api/v1/sites/lahat/counters/{counter}/call-next", headers=officer)
        if called.json() is None:
            return
        for step in ("start", "finish"):
            assert c.post(f"/api/v1/sites/lahat/counters/{counter}/{step}", headers=officer).status_code == 200


def _responses(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(SurveyResponse)) or 0


def test_one_person_at_the_kiosk_cannot_fill_in_other_visitors_surveys_by_typing_their_numbers(bare_server):
    db = bare_server.app.state.db
    with bare_server.client() as c:
        token, csrf = _kiosk(c, "lobi")
        tickets = [c.post("/api/v1/sites/lahat/tickets", headers={"X-Device-Token": token},
                          json={"service": "DKC-08"}).json() for _ in range(3)]
        _serve_all(c)
        for t in tickets:  # typing the sequential numbers, as in the finding
            typed = c.post("/kios/lahat/survei", data={"csrf": csrf, "number": t["number"], "kode": t["number"]})
            assert typed.status_code == 422 and "/survei/" not in typed.headers.get("location", "")
            assert 'id="survey-code-error"' in typed.text
            # The ticket's id is public (live events carry it): it does not open the survey either.
            assert c.get(f"/api/v1/tickets/{t['id']}/survey").status_code == 403
            assert c.post(f"/api/v1/tickets/{t['id']}/survey", json={"answers": ANSWERS}).status_code == 403
            assert c.get(f"/survei/{t['id']}").status_code == 403
        other = feedback.survey_code(uuid.UUID(tickets[1]["visit_id"]))
        assert c.post(f"/api/v1/tickets/{tickets[0]['id']}/survey", params={"code": other},
                      json={"answers": ANSWERS}).status_code == 403  # another visitor's code
        assert _responses(db) == 0

        # The visitor holding the first ticket types its code (any case, with the dash).
        mine = c.get(f"/api/v1/tickets/{tickets[0]['id']}/survey-code", headers={"X-Device-Token": token}).json()
        typed = c.post("/kios/lahat/survei", data={"csrf": csrf, "kode": mine["display"].lower()})
        assert typed.status_code == 303
        assert typed.headers["location"] == f"/survei/{tickets[0]['id']}?kode={mine['code']}&via=kiosk"
        page = c.get(typed.headers["location"])
        form = {"csrf": re.search(r'name="csrf" value="([^"]+)"', page.text).group(1),
                "kode": mine["code"], "channel": "kiosk", **{f"u_{k}": "4" for k in K}}
        done = c.post(typed.headers["location"], data=form)
        assert "Terima kasih atas penilaian Anda." in done.text
    assert _responses(db) == 1


def test_the_printed_ticket_carries_the_code_only_for_the_kiosk_that_issued_it(fresh_server):
    with fresh_server.client() as c:
        token, csrf = _kiosk(c, "lobi-utara")
        issued = c.post("/kios/lahat/ambil", data={"csrf": csrf, "service_code": "DKC-08"})
        ticket_id = re.fullmatch(r"/antrian/([0-9a-f-]+)/cetak", issued.headers["location"]).group(1)
        visit = uuid.UUID(c.get(f"/api/v1/tickets/{ticket_id}").json()["visit_id"])
        printed = c.get(issued.headers["location"])  # the kiosk's own browser (device cookie)
        shown = survey_codes.display(feedback.survey_code(visit))
        assert f"Kode survei: <strong class=\"survey-code\">{shown}</strong>" in printed.text
        pdf = c.get(f"/antrian/{ticket_id}/cetak.pdf", params={"token": token})
        assert pdf.content.startswith(b"%PDF")
        other_token, _ = _kiosk(c, "lobi-selatan")
        assert c.get(f"/api/v1/tickets/{ticket_id}/survey-code",
                     headers={"X-Device-Token": other_token}).status_code == 403
    with fresh_server.client() as stranger:  # anyone else who knows the id
        assert shown not in stranger.get(f"/antrian/{ticket_id}/cetak").text
        assert stranger.get(f"/api/v1/tickets/{ticket_id}/survey-code").status_code == 401
        _serve_all(stranger)
        plain = stranger.get(f"/antrian/{ticket_id}").text
        assert f"/survei/{ticket_id}" not in plain and 'name="kode"' in plain  # asks for the code
        code = feedback.survey_code(visit)
        from_qr = stranger.get(f"/antrian/{ticket_id}", params={"kode": code}).text
        assert f'href="/survei/{ticket_id}?kode={code}&amp;via=qr"' in from_qr


def test_every_way_of_issuing_a_ticket_gives_a_code_that_opens_its_survey(bare_server):
    """Kiosk API (on PostgreSQL the single-statement hot path), booking check-in, and a referral
    (the visitor keeps the code printed on the first ticket)."""
    from datetime import datetime, timedelta

    from satupintu.catalogue.models import Service
    from satupintu.queueing.models import Booking
    from satupintu.queueing.policy import local_day

    db = bare_server.app.state.db
    site = catalogue.get_site(db, "lahat")
    kiosk = queue.Issuer(label="kios:lobi", site_id=site.id)
    with bare_server.client() as c:
        token, _ = _kiosk(c, "lobi")
        by_api = c.post("/api/v1/sites/lahat/tickets", headers={"X-Device-Token": token},
                        json={"service": "DKC-08"}).json()
        now = datetime.now(UTC)
        with db.write() as s:
            svc = s.scalar(select(Service).where(Service.code == "DKC-08"))
            s.add(Booking(site_id=site.id, service_id=svc.id, on_date=local_day(now, site.timezone),
                          slot_start=now - timedelta(minutes=1), code="SURVEI01", name="Rina", status="booked"))
        by_booking = bookings.check_in(db, kiosk, "lahat", "SURVEI01")
        _serve_all(c)

        officer = accounts.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
        first = queue.issue_ticket(db, kiosk, "lahat", "DKC-08")
        queue.call_next(db, officer, "lahat", 4)
        queue.start_serving(db, officer, "lahat", 4)
        moved = queue.refer(db, officer, "lahat", 4, "DPM-01", note="Perlu NIB")
        dpm = accounts.authenticate(db, "petugas.dpmptsp", DEMO_PASSWORD)
        queue.open_counter(db, dpm, "lahat", 1)
        while queue.call_next(db, dpm, "lahat", 1).id != moved.id:
            queue.start_serving(db, dpm, "lahat", 1)
            queue.finish(db, dpm, "lahat", 1)
        queue.start_serving(db, dpm, "lahat", 1)
        queue.finish(db, dpm, "lahat", 1)

        for printed, served in ((by_api["id"], by_api["id"]), (by_booking.id, by_booking.id), (first.id, moved.id)):
            visit = uuid.UUID(c.get(f"/api/v1/tickets/{printed}").json()["visit_id"])
            code = feedback.survey_code(visit)
            assert feedback.ticket_for_survey_code(db, "lahat", survey_codes.display(code)) == (uuid.UUID(str(served)),
                                                                                                code)
            ok = c.post(f"/api/v1/tickets/{served}/survey", params={"code": code}, json={"answers": ANSWERS})
            assert ok.status_code == 201, ok.text
    assert _responses(db) == 3
