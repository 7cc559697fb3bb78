"""The floor set-up pages over a real HTTP server: counters at /kelola/{site}/loket, the queue
settings at /kelola/{site}/loket/layanan, the public service page saying where it is served,
and the counters' JSON API with the new fields."""

from __future__ import annotations

import re

import httpx

from tests.conftest import token_for
from tests.test_pages import csrf_of, login


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    return found.group(1) if found else ""


def test_a_manager_adds_a_counter_and_the_service_page_says_where_it_is_served(fresh_server):
    """From the management home the manager follows "Loket dan layanan", adds Loket 20 for
    Dukcapil on Lantai 2, sayap timur, and the list and the public page of its service show it."""
    with httpx.Client(base_url=fresh_server.url) as c:
        login(c)
        home = c.get("/kelola/lahat")
        assert 'href="/kelola/lahat/loket"' in home.text and "Loket dan layanan" in home.text
        listed = c.get("/kelola/lahat/loket")
        assert listed.status_code == 200 and 'data-counter="4"' in listed.text and "Lantai 1" in listed.text
        form = c.get("/kelola/lahat/loket/baru")
        assert form.status_code == 200 and 'name="services" value="DKC-01"' in form.text
        saved = c.post("/kelola/lahat/loket/baru", data={
            "csrf": csrf_of(form.text), "number": "20", "name": "", "agency": "DUKCAPIL", "floor": "Lantai 2",
            "location": "sayap timur", "status": "open", "services": ["DKC-02"]})
        assert saved.status_code == 303 and saved.headers["location"] == "/kelola/lahat/loket?disimpan=20"
        row = re.search(r'<tr data-counter="20">(.*?)</tr>', c.get("/kelola/lahat/loket").text, re.S).group(1)
        assert "Loket 20" in row and "DKC-02" in row and "Lantai 2" in row and "sayap timur" in row
        event = c.get("/kelola/plaza-lematang/loket")  # a mobile event lists its own desks
        assert event.status_code == 200 and "Meja 2" in event.text and "tenda utama" in event.text
        assert "Loket 20" not in event.text
    public = httpx.get(f"{fresh_server.url}/mpp/lahat/layanan/DKC-02")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", public.text))
    assert "Dilayani di Loket 4 (Lantai 1, sayap timur); Loket 20 (Lantai 2, sayap timur)." in text


def test_a_refused_counter_is_shown_again_with_each_error_beside_its_field_and_nothing_saved(fresh_server):
    """Loket 4 already exists and DPM-01 is not Dukcapil's: the form comes back (422) with the
    number and services marked, the values kept; the list has no new counter."""
    with httpx.Client(base_url=fresh_server.url) as c:
        login(c)
        before = c.get("/kelola/lahat/loket").text.count("<tr data-counter=")
        form = c.get("/kelola/lahat/loket/baru")
        refused = c.post("/kelola/lahat/loket/baru", data={
            "csrf": csrf_of(form.text), "number": "4", "name": "Loket Baru", "agency": "DUKCAPIL",
            "floor": "Lantai 3", "location": "", "status": "open", "services": ["DPM-01"]})
        assert refused.status_code == 422
        assert "sudah ada" in _field_error(refused.text, "number")
        assert "DPM-01" in _field_error(refused.text, "services")
        assert ('id="number" name="number" inputmode="numeric" value="4" maxlength="3" aria-invalid="true"'
                in refused.text)
        assert 'value="Lantai 3"' in refused.text  # what was typed stays
        bad = c.post("/kelola/lahat/loket/baru", data={
            "csrf": csrf_of(form.text), "number": "abc", "agency": "", "status": "gone"})
        assert bad.status_code == 422
        assert _field_error(bad.text, "number") and _field_error(bad.text, "status")
        assert c.get("/kelola/lahat/loket").text.count("<tr data-counter=") == before
        # Editing: retiring Loket 5 keeps it listed as no longer used.
        edit = c.get("/kelola/lahat/loket/5")
        assert edit.status_code == 200 and 'value="5"' in edit.text and "checked" in edit.text
        codes = re.findall(r'value="([A-Z]+-\d+)" checked', edit.text)
        done = c.post("/kelola/lahat/loket/5", data={"csrf": csrf_of(edit.text), "number": "5", "name": "Loket 5",
                                                    "agency": "DUKCAPIL", "floor": "Lantai 1", "location": "",
                                                    "status": "retired", "services": codes})
        assert done.status_code == 303
        assert "Tidak dipakai lagi" in re.search(r'<tr data-counter="5">(.*?)</tr>',
                                                 c.get("/kelola/lahat/loket").text, re.S).group(1)


def test_the_queue_settings_page_shows_groups_and_saves_a_quota_with_errors_beside_the_fields(fresh_server):
    """The manager sees letter A shared by Dukcapil's services, gives DKC-01 a daily quota of
    150 and a 14:00 last ticket; a bad quota and time come back beside their fields."""
    with httpx.Client(base_url=fresh_server.url) as c:
        login(c)
        page = c.get("/kelola/lahat/loket/layanan")
        assert page.status_code == 200
        group_a = re.search(r'<tr data-prefix="A">(.*?)</tr>', page.text, re.S).group(1)
        assert "DKC-01" in group_a and "DKC-02" in group_a and "DUKCAPIL" in group_a
        form = c.get("/kelola/lahat/loket/layanan/DKC-01")
        assert form.status_code == 200 and 'id="prefix" name="prefix" value="A"' in form.text
        refused = c.post("/kelola/lahat/loket/layanan/DKC-01", data={
            "csrf": csrf_of(form.text), "prefix": "A", "daily_quota": "banyak", "last_issue_time": "25:99",
            "slot_quota": "4", "slot_minutes": "2", "booking_grace_minutes": "15", "booking_enabled": "1"})
        assert refused.status_code == 422
        assert _field_error(refused.text, "daily_quota") and _field_error(refused.text, "last_issue_time")
        assert "5 dan 240" in _field_error(refused.text, "slot_minutes")
        saved = c.post("/kelola/lahat/loket/layanan/DKC-01", data={
            "csrf": csrf_of(form.text), "prefix": "A", "daily_quota": "150", "last_issue_time": "14:00",
            "slot_quota": "4", "slot_minutes": "30", "booking_grace_minutes": "15"})  # booking switched off
        assert saved.status_code == 303
        row = re.search(r'<tr data-service="DKC-01">(.*?)</tr>', c.get("/kelola/lahat/loket/layanan").text,
                        re.S).group(1)
        assert "150" in row and "14:00" in row and "tidak" in row
        shared = c.post("/kelola/lahat/loket/layanan/DKC-02", data={
            "csrf": csrf_of(form.text), "prefix": "B", "daily_quota": "0", "last_issue_time": "",
            "slot_quota": "0", "slot_minutes": "30", "booking_grace_minutes": "15"})
        assert shared.status_code == 303
        group_b = re.search(r'<tr data-prefix="B">(.*?)</tr>', c.get("/kelola/lahat/loket/layanan").text,
                            re.S).group(1)
        assert "DKC-02" in group_b and "Dipakai lebih dari satu instansi" in group_b


def test_the_counters_api_carries_floor_location_and_status_and_names_the_field_it_refuses(fresh_server):
    """A client system creates a planned counter with its floor and location and reads them
    back; a wrong status and a taken number are 422s naming the field."""
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        made = c.post("/api/v1/sites/lahat/counters", headers=auth, json={
            "number": 30, "agency": "DUKCAPIL", "services": ["DKC-01"], "floor": "Lantai 2",
            "location": "sayap timur", "status": "planned"})
        assert made.status_code == 201, made.text
        listed = {x["number"]: x for x in c.get("/api/v1/sites/lahat/counters").json()}
        assert (listed[30]["floor"], listed[30]["location"], listed[30]["status"]) == (
            "Lantai 2", "sayap timur", "planned")
        r = c.post("/api/v1/sites/lahat/counters", headers=auth,
                   json={"number": 31, "agency": "DUKCAPIL", "services": ["DKC-01"], "status": "closed"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "status"
        r = c.put("/api/v1/sites/lahat/counters/30", headers=auth,
                  json={"number": 4, "agency": "DUKCAPIL", "services": ["DKC-01"]})
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "number"
        qs = c.put("/api/v1/sites/lahat/services/DKC-01/queue-settings", headers=auth, json={
            "prefix": "A", "daily_quota": 100, "last_issue_time": "14:00", "booking_enabled": False, "slot_quota": 4})
        assert qs.status_code == 200 and qs.json()["last_issue_time"] == "14:00:00" and qs.json()["daily_quota"] == 100
        r = c.put("/api/v1/sites/lahat/services/DKC-01/queue-settings", headers=auth,
                  json={"prefix": "A", "daily_quota": -1})
        assert r.status_code == 422 and r.json()["error"]["field"] == "daily_quota"
        groups = c.get("/api/v1/sites/lahat/queue-settings", headers=auth).json()["groups"]
        assert any(g["prefix"] == "A" and "DKC-01" in g["services"] for g in groups)
        assert c.get("/api/v1/sites/lahat/queue-settings").status_code == 401
