"""The mobile event pages over a real HTTP server (SQLite and PostgreSQL): who may use them, a
form's mistakes beside their fields with nothing saved, and the English switch."""

from __future__ import annotations

from datetime import timedelta

import httpx

from satupintu.catalogue import service
from satupintu.catalogue import service as catalogue
from satupintu.scope import SYSTEM
from satupintu.staffing import service as staffing
from tests.test_pages import csrf_of, login

PAGE = "/kelola/lahat/pelayanan-bergerak"


def form(server, **changes):
    today = staffing.site_today(server.app.state.db, "lahat")
    data = {"name": "Jemput Bola Kecamatan Merapi", "code": "", "address": "Balai Desa Merapi",
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=2)).isoformat(),
            "timezone": "Asia/Jakarta", "opens-mon": "08:00", "closes-mon": "12:00"}
    return {**data, **changes}


def test_the_management_home_links_the_page_and_a_left_empty_code_is_made_from_the_name(server):
    """The manager finds 'Pelayanan Bergerak' on the mall's home, creates an event without typing a
    code and lands on its page, planned."""
    with httpx.Client(base_url=server.url) as c:
        login(c)
        assert f'href="{PAGE}"' in c.get("/kelola/lahat").text
        page = c.get(PAGE)
        assert page.status_code == 200 and "Buat kegiatan" in page.text
        opens_mon = catalogue.get_site(server.app.state.db, "lahat").opening_hours["mon"][0]
        assert f'id="opens-mon" name="opens-mon" type="time" value="{opens_mon}"' in page.text  # the mall's hours
        made = c.post(PAGE, data={"csrf": csrf_of(page.text), **form(server)})
        assert made.status_code == 303
        assert made.headers["location"] == f"{PAGE}/lahat-jemput-bola-kecamatan-merapi?dibuat=1"
        shown = c.get(made.headers["location"])
        assert "Direncanakan" in shown.text and "Balai Desa Merapi" in shown.text
        english = c.get(f"{PAGE}/lahat-jemput-bola-kecamatan-merapi?lang=en")
        assert "Services brought" in english.text and "Planned" in english.text


def test_half_filled_hours_and_a_taken_code_stand_beside_their_fields_and_nothing_is_created(server):
    with httpx.Client(base_url=server.url) as c:
        login(c)
        page = c.get(PAGE)
        before = len(service.list_events(server.app.state.db, SYSTEM, "lahat"))
        resp = c.post(PAGE, data={"csrf": csrf_of(page.text),
                                  **form(server, code="plaza-lematang", **{"opens-tue": "08:00"})})
        assert resp.status_code == 422
        assert 'id="opening_hours-tue-error"' in resp.text and "jam tutup" in resp.text
        resp = c.post(PAGE, data={"csrf": csrf_of(page.text), **form(server, code="plaza-lematang")})
        assert resp.status_code == 422 and 'id="code-error"' in resp.text and "sudah dipakai" in resp.text
        assert 'value="Balai Desa Merapi"' in resp.text  # kept for the retry
        assert len(service.list_events(server.app.state.db, SYSTEM, "lahat")) == before


def test_visitors_are_sent_to_sign_in_and_a_counter_officer_may_not_create_events(server):
    with httpx.Client(base_url=server.url) as c:
        assert c.get(PAGE).status_code in (303, 401)
    with httpx.Client(base_url=server.url) as c:
        login(c, "petugas.dukcapil")
        page = c.get(PAGE)
        assert page.status_code == 200  # site staff may look
        resp = c.post(PAGE, data={"csrf": csrf_of(page.text), **form(server, code="ev-by-officer")})
        assert resp.status_code == 403
        assert c.get(f"{PAGE}/tidak-ada").status_code == 404
    assert "ev-by-officer" not in {e.code for e in service.list_events(server.app.state.db, SYSTEM,
                                                                       "lahat")}


def test_a_counter_at_the_event_is_added_then_changed_and_a_service_of_another_agency_is_not_its_own(server):
    """The manager adds counter 1 for Dukcapil, ticks a Dinkes service too (it is dropped: a counter
    serves its own agency's services), then changes the counter to serve one service only."""
    db = server.app.state.db
    today = staffing.site_today(db, "lahat")
    service.create_mobile_event(db, SYSTEM, "lahat", service.EventIn(
        name="Loket Keliling", code="ev-counters", address="Balai Desa", starts_on=today, ends_on=today,
        opening_hours={"mon": ["08:00", "12:00"]}, services=["DKC-01", "DKC-03", "KES-01"]))
    url = f"{PAGE}/ev-counters"
    with httpx.Client(base_url=server.url) as c:
        login(c)
        page = c.get(url)
        made = c.post(f"{url}/loket", data={"csrf": csrf_of(page.text), "number": "1", "agency": "DUKCAPIL",
                                            "services": ["DUKCAPIL:DKC-01", "DUKCAPIL:DKC-03", "DINKES:KES-01"]})
        assert made.status_code == 303
        counters = service.event_view(db, SYSTEM, "lahat", "ev-counters").counters
        assert [(x.number, x.agency_code, x.services) for x in counters] == [(1, "DUKCAPIL", ("DKC-01", "DKC-03"))]
        edit = c.get(f"{url}?ubah=1")
        assert f'action="{url}/loket/1"' in edit.text and 'value="DUKCAPIL:DKC-03" checked' in edit.text
        bad = c.post(f"{url}/loket/1", data={"csrf": csrf_of(edit.text), "number": "0", "agency": "DUKCAPIL",
                                             "services": ["DUKCAPIL:DKC-01"]})
        assert bad.status_code == 422 and 'id="number-error"' in bad.text
        changed = c.post(f"{url}/loket/1", data={"csrf": csrf_of(edit.text), "number": "2", "agency": "DUKCAPIL",
                                                 "services": ["DUKCAPIL:DKC-01"]})
        assert changed.status_code == 303
    counters = service.event_view(db, SYSTEM, "lahat", "ev-counters").counters
    assert [(x.number, x.services) for x in counters] == [(2, ("DKC-01",))]
