"""Where sign-in leads (accounts/pages.py with queueing/console_pages.py), over a real HTTP
server on SQLite and PostgreSQL: a counter officer to "my counter", a manager to management as
before, anyone with an explicit `next` there."""

from __future__ import annotations

import re

import httpx

from satupintu.accounts import service as accounts
from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD


def _sign_in(c: httpx.Client, username: str, next_: str | None = None) -> str:
    page = c.get("/masuk" + (f"?next={next_}" if next_ else ""))
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    hidden = re.search(r'name="next" value="([^"]*)"', page.text).group(1)
    r = c.post("/masuk", data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf, "next": hidden})
    assert r.status_code == 303, r.text[:300]
    return r.headers["location"]


def test_sign_in_sends_an_officer_to_their_counter_and_a_manager_to_management(fresh_server):
    db = fresh_server.app.state.db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    user = next(u for u in accounts.list_users(db, manager, "lahat") if u.username == "petugas.dukcapil")
    staffing.link_login(db, manager, "lahat", user.id, None)  # the demo links it; this officer has no roster
    with httpx.Client(base_url=fresh_server.url) as c:
        assert _sign_in(c, "pengelola") == "/kelola"  # managers keep their landing
    with httpx.Client(base_url=fresh_server.url) as c:
        assert _sign_in(c, "petugas.dukcapil") == "/loket"
        mine = c.get("/loket")
        assert mine.status_code == 303 and mine.headers["location"] == "/loket/lahat"
        choose = c.get("/loket/lahat")  # no roster link, never opened a counter: the choice
        assert choose.status_code == 200 and "Pilih loket" in choose.text
        assert re.findall(r'href="/loket/lahat/(\d+)"', choose.text) == ["4", "5", "6"]  # Dukcapil's counters
        token = c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": DEMO_PASSWORD})
        auth = {"Authorization": "Bearer " + token.json()["access_token"]}
        assert c.post("/api/v1/sites/lahat/counters/6/open", headers=auth).status_code == 200
        again = c.get("/loket/lahat")
        assert again.status_code == 303 and again.headers["location"] == "/loket/lahat/6"  # the last opened
        assert c.get("/loket/lahat?pilih=1").status_code == 200  # the choice on request
    with httpx.Client(base_url=fresh_server.url) as c:
        assert _sign_in(c, "petugas.dukcapil", "/kelola/lahat/antrian") == "/kelola/lahat/antrian"  # explicit next
