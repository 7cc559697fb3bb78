"""The users page a site manager opens at /kelola/{site}/pengguna, over a real HTTP server."""

from __future__ import annotations

import re

import httpx

from tests.test_pages import csrf_of, login


def test_a_manager_creates_a_counter_officer_who_can_then_sign_in_with_the_shown_password(fresh_server):
    with httpx.Client(base_url=fresh_server.url) as c:
        login(c)
        page = c.get("/kelola/lahat/pengguna")
        assert page.status_code == 200 and "petugas.dukcapil" in page.text  # the site's accounts are listed
        resp = c.post("/kelola/lahat/pengguna", data={
            "csrf": csrf_of(page.text), "username": "petugas.baru", "full_name": "Petugas Baru",
            "role": "counter_officer", "agency": "DUKCAPIL", "site": "lahat", "password": ""})
        assert resp.status_code == 200, resp.text[:500]
        assert "petugas.baru" in resp.text
    password = _shown_password(resp.text)  # shown once, on the page that answered the form
    with httpx.Client(base_url=fresh_server.url) as officer:
        page = officer.get("/masuk")
        signed_in = officer.post("/masuk", data={"username": "petugas.baru", "password": password,
                                                 "csrf": csrf_of(page.text)})
        assert signed_in.status_code == 303  # a wrong password would answer the form again (200)
        home = officer.get("/kelola")
        assert not home.headers.get("location", "").startswith("/masuk")  # signed in, not sent to sign in


def test_a_username_already_taken_is_refused_beside_the_username_and_nothing_is_created(fresh_server):
    with httpx.Client(base_url=fresh_server.url) as c:
        login(c)
        page = c.get("/kelola/lahat/pengguna")
        resp = c.post("/kelola/lahat/pengguna", data={
            "csrf": csrf_of(page.text), "username": "petugas.dukcapil", "full_name": "Kembar",
            "role": "counter_officer", "agency": "DUKCAPIL", "site": "lahat", "password": ""})
        assert resp.status_code == 422
        assert 'id="username"' in resp.text and 'aria-invalid="true"' in resp.text
        assert c.get("/kelola/lahat/pengguna").text.count("Kembar") == 0


def _shown_password(html: str) -> str:
    found = re.search(r'<code id="one-time-password">([^<]+)</code>', html)
    assert found, "the one-time password is shown once on the page"
    return found.group(1).strip()
