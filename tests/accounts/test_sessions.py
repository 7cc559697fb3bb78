"""Signing out, a password change and deactivation end a user's sessions and API tokens on
the server, on every app process: a captured cookie or token is refused afterwards."""

from __future__ import annotations

import re
import time

import httpx
from hypothesis import given
from hypothesis import strategies as st

from satupintu.accounts import service as accounts
from satupintu.db import Database
from tests.conftest import DEMO_PASSWORD, LiveServer, token_for
from tests.procserver import ServerProcess

SESSION_COOKIE = "satupintu_session"
NEW_PASSWORD = "sandi-baru-yang-panjang-42"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def page_login(c: httpx.Client, username: str = "pengelola", password: str = DEMO_PASSWORD) -> str:
    """Sign in through the login page; returns the session cookie's value."""
    resp = c.post("/masuk", data={"username": username, "password": password, "csrf": csrf_of(c.get("/masuk").text),
                                  "next": "/kelola"})
    assert resp.status_code == 303, resp.text
    return c.cookies[SESSION_COOKIE]


def signed_in(base_url: str, cookie: str) -> bool:
    """Does the server still take this session cookie? (a fresh client: nothing else is sent)"""
    with httpx.Client(base_url=base_url, cookies={SESSION_COOKIE: cookie}, timeout=30) as c:
        page = c.get("/kelola")
        api = c.get("/api/v1/me")
    assert (page.status_code == 303) and (api.status_code in (200, 401))
    assert (api.status_code == 200) == page.headers["location"].startswith("/kelola/"), (page.headers, api.text)
    return api.status_code == 200


def poll(check, what: str, ceiling: float = 60.0) -> None:
    """Wait until `check()` holds; the ceiling only keeps a broken build from hanging."""
    deadline = time.monotonic() + ceiling
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.2)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_a_credential_is_valid_only_under_the_users_current_epoch(carried, current):
    state = accounts.credential_state(carried, current)
    assert state == ("valid" if carried == current else "ended" if carried < current else "unknown")


def test_a_session_cookie_captured_before_logout_is_refused_after_it(fresh_server):
    with fresh_server.client() as c:
        captured = page_login(c)
        assert signed_in(fresh_server.url, captured)
        resp = c.post("/keluar", data={"csrf": csrf_of(c.get("/kelola/lahat").text)})
        assert resp.status_code == 303
    # Replayed by someone who copied it: the signature is still good, the session is not.
    assert not signed_in(fresh_server.url, captured)
    with httpx.Client(base_url=fresh_server.url, cookies={SESSION_COOKIE: captured}) as c:
        assert c.get("/kelola/lahat").headers["location"].startswith("/masuk")


def test_a_bearer_token_is_refused_after_its_user_changes_the_password(fresh_server):
    with fresh_server.client() as c:
        first = token_for(c, "petugas.dukcapil")
        second = token_for(c, "petugas.dukcapil")
        browser = httpx.Client(base_url=fresh_server.url)
        cookie = page_login(browser, "petugas.dukcapil")
        resp = c.put("/api/v1/me/password", headers=first,
                     json={"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD})
        assert resp.status_code == 200, resp.text
        fresh = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        for old in (first, second):
            refused = c.get("/api/v1/me", headers=old)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "unauthenticated"
        assert not signed_in(fresh_server.url, cookie)
        assert c.get("/api/v1/me", headers=fresh).json()["username"] == "petugas.dukcapil"
        old_password = c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": DEMO_PASSWORD})
        assert old_password.status_code == 401
        assert token_for(c, "petugas.dukcapil", NEW_PASSWORD)
        browser.close()


def test_a_wrong_current_password_changes_nothing_and_names_the_field(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "petugas.dukcapil")
        resp = c.put("/api/v1/me/password", headers=auth,
                     json={"current_password": "bukan-sandinya", "new_password": NEW_PASSWORD})
        assert resp.status_code == 422
        assert resp.json()["error"]["field"] == "current_password"
        short = c.put("/api/v1/me/password", headers=auth,
                      json={"current_password": DEMO_PASSWORD, "new_password": "x"})
        assert short.status_code == 422 and short.json()["error"]["field"] == "new_password"
        assert c.get("/api/v1/me", headers=auth).status_code == 200
        assert token_for(c, "petugas.dukcapil")


def test_the_password_page_changes_it_keeps_this_browser_and_ends_the_others(fresh_server):
    other = httpx.Client(base_url=fresh_server.url)
    other_cookie = page_login(other, "petugas.dukcapil")
    with fresh_server.client() as c:
        page_login(c, "petugas.dukcapil")
        form = c.get("/kelola/sandi")
        assert form.status_code == 200 and "Kata sandi saat ini" in form.text
        wrong = c.post("/kelola/sandi", data={"csrf": csrf_of(form.text), "current_password": "salah-salah-salah",
                                             "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
        assert wrong.status_code == 422 and "Kata sandi saat ini salah." in wrong.text
        done = c.post("/kelola/sandi", data={"csrf": csrf_of(wrong.text), "current_password": DEMO_PASSWORD,
                                            "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
        assert done.status_code == 200 and "Kata sandi sudah diganti" in done.text
        assert c.get("/api/v1/me").status_code == 200  # this browser: signed in again under the new epoch
    assert not signed_in(fresh_server.url, other_cookie)
    other.close()


def test_api_logout_ends_every_token_and_session_of_the_user(fresh_server):
    with fresh_server.client() as c:
        auth = token_for(c, "pengelola")
        browser = httpx.Client(base_url=fresh_server.url)
        cookie = page_login(browser)
        assert c.post("/api/v1/auth/logout", headers=auth).status_code == 204
        assert c.get("/api/v1/me", headers=auth).status_code == 401
        assert not signed_in(fresh_server.url, cookie)
        assert c.get("/api/v1/me", headers=token_for(c, "pengelola")).status_code == 200  # signing in again works
        browser.close()


def test_a_deactivated_user_is_signed_out_everywhere_and_cannot_sign_in(fresh_server):
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        officer = token_for(c, "petugas.dukcapil")
        browser = httpx.Client(base_url=fresh_server.url)
        cookie = page_login(browser, "petugas.dukcapil")
        users = {u["username"]: u for u in c.get("/api/v1/sites/lahat/users", headers=manager).json()}
        officer_id = users["petugas.dukcapil"]["id"]
        # An officer may not deactivate anyone, the manager may not deactivate themselves.
        assert c.post(f"/api/v1/users/{officer_id}/deactivate", headers=officer).status_code == 403
        assert c.post(f"/api/v1/users/{users['pengelola']['id']}/deactivate", headers=manager).status_code == 409
        resp = c.post(f"/api/v1/users/{officer_id}/deactivate", headers=manager)
        assert resp.status_code == 200 and resp.json()["active"] is False
        assert c.get("/api/v1/me", headers=officer).status_code == 401
        assert not signed_in(fresh_server.url, cookie)
        login = c.post("/api/v1/auth/token", json={"username": "petugas.dukcapil", "password": DEMO_PASSWORD})
        assert login.status_code == 401
        assert c.post(f"/api/v1/users/{officer_id}/activate", headers=manager).json()["active"] is True
        assert token_for(c, "petugas.dukcapil")
        audit = [e["action"] for e in c.get("/api/v1/sites/lahat/audit", headers=manager).json()]
        assert "user.deactivate" in audit and "user.activate" in audit
        browser.close()


def test_a_manager_setting_a_forgotten_password_ends_that_users_tokens(fresh_server):
    with fresh_server.client() as c:
        manager = token_for(c, "pengelola")
        officer = token_for(c, "petugas.dukcapil")
        users = {u["username"]: u["id"] for u in c.get("/api/v1/sites/lahat/users", headers=manager).json()}
        resp = c.put(f"/api/v1/users/{users['petugas.dukcapil']}/password", headers=manager,
                     json={"password": NEW_PASSWORD})
        assert resp.status_code == 204, resp.text
        assert c.get("/api/v1/me", headers=officer).status_code == 401
        assert c.get("/api/v1/me", headers=manager).status_code == 200
        assert token_for(c, "petugas.dukcapil", NEW_PASSWORD)


def test_a_token_issued_after_another_process_cached_the_user_is_accepted_there(fresh_demo_db):
    """Process B still caches the user under the old epoch when a fresh login on A brings a
    newer one: B reads the user again instead of refusing the new token."""
    other_db = Database(fresh_demo_db.url)  # its own per-process cache, as another process has
    with LiveServer(fresh_demo_db) as a, LiveServer(other_db) as b, a.client() as ca, b.client() as cb:
        first = token_for(ca, "pengelola")
        assert cb.get("/api/v1/me", headers=first).status_code == 200  # B caches the user now
        assert ca.post("/api/v1/auth/logout", headers=first).status_code == 204
        again = token_for(ca, "pengelola")
        assert cb.get("/api/v1/me", headers=again).status_code == 200
        assert cb.get("/api/v1/me", headers=first).status_code == 401
    other_db.dispose()


def test_a_logout_in_one_app_process_is_honoured_by_another_within_the_cache_time(fresh_demo_db):
    """Two real `satupintu serve` processes on one database: the token and the cookie were
    used on B (so B has the user cached) and the user signs out on A."""
    servers = [ServerProcess(fresh_demo_db.url, workers=1) for _ in range(2)]
    for proc in servers:
        proc.env["SATUPINTU_CREDENTIALS_CACHE_SECONDS"] = "2"
        proc.env["SATUPINTU_NOTIFY_WORKER"] = "false"
    with servers[0] as a, servers[1] as b, httpx.Client(base_url=a.url, timeout=30) as ca, \
            httpx.Client(base_url=b.url, timeout=30) as cb:
        auth = token_for(ca, "pengelola")
        cookie = page_login(httpx.Client(base_url=a.url, timeout=30))
        assert cb.get("/api/v1/me", headers=auth).status_code == 200
        assert signed_in(b.url, cookie)
        assert ca.post("/api/v1/auth/logout", headers=auth).status_code == 204
        poll(lambda: cb.get("/api/v1/me", headers=auth).status_code == 401, "B refuses the token")
        assert not signed_in(b.url, cookie)
        # ...and a password change made on B reaches A the same way.
        auth = token_for(cb, "petugas.dukcapil")
        assert ca.get("/api/v1/me", headers=auth).status_code == 200
        assert cb.put("/api/v1/me/password", headers=auth,
                      json={"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}).status_code == 200
        poll(lambda: ca.get("/api/v1/me", headers=auth).status_code == 401, "A refuses the token")


def test_a_bearer_token_used_before_expires_on_time_and_a_forged_one_is_refused(fresh_demo_db, monkeypatch):
    """The verified-token cache keeps only the signature's verdict: a token that was accepted
    (and so remembered) is refused once it is older than api_token_max_age, or dated in the
    future; a token with one character changed is refused though its original was accepted."""
    from satupintu.config import get_settings
    from satupintu.errors import Unauthenticated

    actor = accounts.authenticate(fresh_demo_db, "pengelola", DEMO_PASSWORD)
    token = accounts.issue_api_token(actor)
    assert accounts.actor_from_api_token(fresh_demo_db, token).user_id == actor.user_id
    assert accounts.actor_from_api_token(fresh_demo_db, token).user_id == actor.user_id  # remembered
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    try:
        accounts.actor_from_api_token(fresh_demo_db, forged)
        raise AssertionError("a forged token was accepted")
    except Unauthenticated as exc:
        assert exc.message == "Token API tidak sah."
    now = time.time()
    for moment in (now + get_settings().api_token_max_age + 5, now - 3600):
        monkeypatch.setattr(accounts.time, "time", lambda moment=moment: moment)
        try:
            accounts.actor_from_api_token(fresh_demo_db, token)
            raise AssertionError("an expired or future-dated token was accepted")
        except Unauthenticated as exc:
            assert exc.message == "Token API kedaluwarsa; minta token baru."
