"""Login backoff and rate limits on the public endpoints a bot would abuse: 429 with
Retry-After and the project's error shape, per account and per client address, with Redis
shared between app instances and a memory fallback when Redis is gone."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid

import httpx
import pytest
import redis

from satupintu.web.ratelimit import Limiter, tiers
from tests.conftest import DEMO_PASSWORD, LiveServer, free_port, token_for

REDIS_URL = "redis://127.0.0.1:6379/0"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def from_address(address: str) -> dict[str, str]:
    """The test server trusts X-Forwarded-For from loopback, as behind a local proxy."""
    return {"X-Forwarded-For": address}


def login(c: httpx.Client, username: str, password: str = "salah-sekali-ini", address: str = "198.51.100.7"):
    return c.post("/api/v1/auth/token", json={"username": username, "password": password},
                  headers=from_address(address))


def assert_too_many(resp: httpx.Response) -> int:
    assert resp.status_code == 429, resp.text
    error = resp.json()["error"]
    assert error["code"] == "too_many_requests" and error["field"] is None
    assert error["message"].startswith("Terlalu banyak")
    retry = int(resp.headers["Retry-After"])
    assert retry >= 1
    return retry


def poll(check, what: str, ceiling: float = 60.0) -> None:
    deadline = time.monotonic() + ceiling
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.2)


def test_six_wrong_passwords_lock_the_account_and_even_the_right_one_is_refused(fresh_server):
    with fresh_server.client() as c:
        for _ in range(5):
            assert login(c, "pengelola").status_code == 401
        retry = assert_too_many(login(c, "pengelola"))
        assert retry <= 60  # the first tier: a minute at most
        assert "menit" in login(c, "pengelola").json()["error"]["message"]
        assert_too_many(login(c, "pengelola", DEMO_PASSWORD))  # no lockout if the right one got through
        # From another address too: the lock is the account's.
        assert_too_many(login(c, "pengelola", DEMO_PASSWORD, address="203.0.113.50"))
        # The login page says so on the form, in Indonesian (English with ?lang=en).
        form = c.get("/masuk", headers=from_address("198.51.100.7"))
        page = c.post("/masuk", headers=from_address("198.51.100.7"),
                      data={"username": "pengelola", "password": DEMO_PASSWORD, "csrf": csrf_of(form.text)})
        assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
        assert 'id="password-error"' in page.text and "Terlalu banyak percobaan masuk yang gagal" in page.text
        en = c.post("/masuk?lang=en", headers=from_address("198.51.100.7"),
                    data={"username": "pengelola", "password": DEMO_PASSWORD, "csrf": csrf_of(form.text)})
        assert "Too many failed sign-in attempts" in en.text
        # Other accounts are not locked by it.
        assert c.post("/api/v1/auth/token", json={"username": "admin.dukcapil", "password": DEMO_PASSWORD},
                      headers=from_address("203.0.113.50")).status_code == 200


def test_an_address_failing_for_many_usernames_is_throttled_for_every_username(fresh_server):
    with fresh_server.client() as c:
        for username in ("pengelola", "petugas.dukcapil"):
            for _ in range(5):
                assert login(c, username).status_code == 401
        # Ten failures from this address within a minute: a third username is refused at once,
        # even an unknown one, even with a right password.
        assert_too_many(login(c, "admin.dukcapil", DEMO_PASSWORD))
        assert_too_many(login(c, "tidak.ada"))
        # Another address may still sign in to that account.
        assert login(c, "admin.dukcapil", DEMO_PASSWORD, address="203.0.113.51").status_code == 200


def test_a_successful_sign_in_clears_the_accounts_failures_but_not_the_addresses(fresh_demo_db):
    with LiveServer(fresh_demo_db, login_failures_per_account="3/hour", login_failures_per_address="4/hour") as live, \
            live.client() as c:
        for _ in range(2):
            assert login(c, "pengelola").status_code == 401
        assert login(c, "pengelola", DEMO_PASSWORD).status_code == 200
        for _ in range(2):
            assert login(c, "pengelola").status_code == 401  # counted from zero again: not locked at three
        # ...but the address has four failures now.
        assert_too_many(login(c, "pengelola", DEMO_PASSWORD))


def test_the_lock_ends_by_itself_when_the_window_passes(fresh_demo_db):
    """An attacker cannot lock a real user out for longer than the longest window."""
    with LiveServer(fresh_demo_db, login_failures_per_account="3/2 second") as live, live.client() as c:
        for _ in range(3):
            assert login(c, "pengelola").status_code == 401
        assert_too_many(login(c, "pengelola", DEMO_PASSWORD))
        poll(lambda: login(c, "pengelola", DEMO_PASSWORD).status_code == 200, "the lock ends")


def test_the_wait_grows_with_the_failures_up_to_the_longest_window():
    limiter = Limiter(None, "test")
    backoff = tiers("2/second;4/hour")
    key = ("login.account", uuid.uuid4().hex)
    limiter.hit(backoff, *key)
    limiter.hit(backoff, *key)
    assert limiter.retry_after(backoff, *key) == 1
    poll(lambda: limiter.retry_after(backoff, *key) is None, "the one-second tier has room again")
    limiter.hit(backoff, *key)
    limiter.hit(backoff, *key)
    assert 3500 < limiter.retry_after(backoff, *key) <= 3600


def test_a_bot_filing_complaints_from_one_address_gets_429_but_a_kiosk_does_not(fresh_server):
    complaint = {"title": "Antrean tidak bergerak", "body": "Sudah dua jam menunggu tanpa dipanggil sama sekali.",
                 "reporter_name": "Warga Lahat"}
    with fresh_server.client() as c:
        for _ in range(10):  # the default: 10 a minute per address
            resp = c.post("/api/v1/sites/lahat/complaints", json=complaint, headers=from_address("198.51.100.20"))
            assert resp.status_code == 201, resp.text
        assert_too_many(c.post("/api/v1/sites/lahat/complaints", json=complaint,
                               headers=from_address("198.51.100.20")))
        # The public form on the same address is the same counter.
        form = c.get("/mpp/lahat/pengaduan", headers=from_address("198.51.100.20"))
        page = c.post("/mpp/lahat/pengaduan", headers=from_address("198.51.100.20"),
                      data={"csrf": csrf_of(form.text), **complaint})
        assert page.status_code == 429 and "Terlalu banyak permintaan" in page.text
        assert "Retry-After" in page.headers
        # A citizen on another address is not affected.
        assert c.post("/api/v1/sites/lahat/complaints", json=complaint,
                      headers=from_address("198.51.100.21")).status_code == 201
        # The hall's kiosk shares one address with everyone: a kiosk device token is exempt.
        manager = token_for(c, "pengelola")
        kiosk = c.post("/api/v1/sites/lahat/devices", json={"kind": "kiosk", "name": "Kios lobi"},
                       headers=manager).json()["token"]
        board = c.post("/api/v1/sites/lahat/devices", json={"kind": "board", "name": "Papan"},
                       headers=manager).json()["token"]
        for _ in range(3):
            assert c.post("/api/v1/sites/lahat/complaints", json=complaint,
                          headers={**from_address("198.51.100.20"), "X-Device-Token": kiosk}).status_code == 201
        # A board is no kiosk, and a forged token buys nothing.
        for token in (board, "dev_palsu"):
            resp = c.post("/api/v1/sites/lahat/complaints", json=complaint,
                          headers={**from_address("198.51.100.20"), "X-Device-Token": token})
            assert_too_many(resp)


PUBLIC_ROUTES = [  # (limit, method, path, a page form)
    ("complaint", "POST", "/api/v1/sites/lahat/complaints", False),
    ("complaint", "POST", "/mpp/lahat/pengaduan", True),
    ("booking", "POST", "/api/v1/sites/lahat/bookings", False),
    ("booking", "POST", "/mpp/lahat/pesan", True),
    ("survey", "POST", "/api/v1/tickets/{ticket}/survey", False),
    ("survey", "POST", "/survei/{ticket}", True),
    ("lookup", "GET", "/api/v1/complaints/ADU-TIDAKADA", False),
    ("lookup", "GET", "/pengaduan/ADU-TIDAKADA", False),
    ("lookup", "GET", "/api/v1/bookings/TIDAKADA", False),
    ("lookup", "GET", "/api/v1/bookings/TIDAKADA/qr.svg", False),
    ("lookup", "GET", "/pesan/TIDAKADA", False),
    ("lookup", "GET", "/api/v1/applications/track/PRM-TIDAK-ADA1", False),
    ("lookup", "GET", "/permohonan/PRM-TIDAK-ADA1", False),
]


def test_every_public_write_and_lookup_route_is_limited_per_address(fresh_demo_db):
    limits = {f"rate_limit_{name}": "1/minute" for name in ("complaint", "booking", "survey", "lookup")}
    with LiveServer(fresh_demo_db, **limits) as live, live.client() as c:
        officer = token_for(c, "petugas.dukcapil")
        ticket = c.post("/api/v1/sites/lahat/tickets", json={"service": "DKC-01"}, headers=officer).json()["id"]
        for i, (name, method, path, form_page) in enumerate(PUBLIC_ROUTES):
            path = path.format(ticket=ticket)
            # Each route on its own address: the first call is counted, the second refused.
            headers = from_address(f"198.51.100.{100 + i}")
            kwargs = ({"data": {"csrf": csrf_of(c.get("/masuk").text)}} if form_page
                      else {"json": {}} if method == "POST" else {})
            first = c.request(method, path, headers=headers, **kwargs)
            assert first.status_code != 429, (path, first.text)
            second = c.request(method, path, headers=headers, **kwargs)
            assert second.status_code == 429, (name, path, second.status_code)
            assert int(second.headers["Retry-After"]) >= 1


@pytest.fixture
def redis_prefix():
    prefix = "sp-test-" + uuid.uuid4().hex[:12]
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_two_app_instances_on_one_redis_share_the_login_counter(fresh_demo_db, redis_prefix):
    settings = {"redis_url": REDIS_URL, "rate_limit_key_prefix": redis_prefix}
    with LiveServer(fresh_demo_db, **settings) as a, LiveServer(fresh_demo_db, **settings) as b, \
            a.client() as ca, b.client() as cb:
        for c in (ca, cb, ca, cb, ca):
            assert login(c, "pengelola").status_code == 401
        assert_too_many(login(cb, "pengelola", DEMO_PASSWORD))
        assert_too_many(login(ca, "pengelola", DEMO_PASSWORD))
        for live in (a, b):
            live.app.state.bus.close()
    assert redis.Redis.from_url(REDIS_URL).keys(f"{redis_prefix}:*")  # the counters were in Redis


def test_a_limiter_whose_redis_cannot_be_reached_still_counts_in_memory():
    limiter = Limiter(f"redis://127.0.0.1:{free_port()}/0", "test")  # nothing listens there
    backoff = tiers("2/minute")
    assert limiter.retry_after(backoff, "login.account", "x") is None
    limiter.hit(backoff, "login.account", "x")
    limiter.hit(backoff, "login.account", "x")
    assert limiter.retry_after(backoff, "login.account", "x") >= 1


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_when_redis_dies_sign_in_goes_on_and_failures_are_still_throttled(fresh_demo_db, tmp_path):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        poll(lambda: _pings(port), "redis-server answers")
        with LiveServer(fresh_demo_db, redis_url=f"redis://127.0.0.1:{port}/0") as live, live.client() as c:
            try:
                assert login(c, "pengelola").status_code == 401
                proc.kill()
                proc.wait(10)
                assert login(c, "admin.dukcapil", DEMO_PASSWORD).status_code == 200  # no crash, no 500
                for _ in range(5):
                    assert login(c, "pengelola").status_code == 401
                assert_too_many(login(c, "pengelola", DEMO_PASSWORD))  # not failing open
            finally:
                live.app.state.bus.close()  # its listener would retry the dead Redis for the rest of the run
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _pings(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False
