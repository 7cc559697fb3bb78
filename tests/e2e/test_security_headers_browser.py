"""In real Chromium: the pages work under their Content-Security-Policy (no violation on any of
them), the policy is really enforced (an injected inline script is refused, no page can be framed),
and a kiosk whose answer is lost retries with the same key and prints the ticket that was issued."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from satupintu.queueing.models import Ticket
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_front_of_house import device, login

POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy", "Permissions policy")


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "csp") as server:
        yield server


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console messages and CSP violation reports of the page, as they come."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(f"console {msg.type}: {msg.text}"))
    page.on("pageerror", lambda err: seen.append(f"pageerror: {err}"))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    return seen


def _policy_problems(seen: list[str]) -> list[str]:
    return [m for m in seen if "CSP violation" in m or any(w in m for w in POLICY_WORDS)]


def test_every_front_of_house_and_staff_page_runs_without_a_policy_violation(browser, live):
    with httpx.Client(base_url=live.url) as c:
        auth = {"Authorization": "Bearer " + c.post("/api/v1/auth/token", json={
            "username": "pengelola", "password": DEMO_PASSWORD}).json()["access_token"]}
        kiosk = c.post("/api/v1/sites/lahat/devices", headers=auth, json={"kind": "kiosk", "name": "K"}).json()
        ticket = c.post("/api/v1/sites/lahat/tickets", headers={"X-Device-Token": kiosk["token"]},
                        json={"service": "DKC-01"}).json()
    ctx = new_context(browser)
    page = ctx.new_page()
    seen = _watch(page)
    login(page, live, "pengelola")
    pages = ["/", "/mpp/lahat", "/mpp/lahat/layanan?q=akta", f"/kios/lahat?token={kiosk['token']}",
             "/kios/lahat?instansi=DUKCAPIL", f"/antrian/{ticket['id']}/cetak", f"/antrian/{ticket['id']}",
             f"/papan/lahat?token={device(live, 'board')}", "/loket/lahat/4", "/kelola/lahat/antrian",
             "/kelola/lahat", "/mpp/lahat/pesan", "/mpp/lahat/pengaduan"]
    for path in pages:
        response = page.goto(live.url + path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # live pages open their event stream; violations are reported as they happen
    # The pages' own scripts ran: the officer console's buttons call the API from console.js.
    page.goto(live.url + "/loket/lahat/4")
    page.get_by_role("button", name=re.compile("Buka loket")).click()
    page.wait_for_selector("#open-state:has-text('Buka')")
    assert _policy_problems(seen) == []
    ctx.close()


def test_the_policy_is_enforced_no_inline_script_and_no_framing(browser, live):
    """Staff consoles could be framed by another site, and an injected script would have run."""
    ctx = new_context(browser)
    page = ctx.new_page()
    seen = _watch(page)
    page.goto(live.url + "/masuk")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1'; "
                  "document.body.appendChild(s); }")
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in m for m in _policy_problems(seen))

    framer = ctx.new_page()
    with framer.expect_console_message(lambda m: "frame-ancestors" in m.text or "X-Frame-Options" in m.text):
        framer.set_content(f'<iframe id="f" src="{live.url}/masuk" width="600" height="400"></iframe>')
    assert framer.frame_locator("#f").locator("input[name=username]").count() == 0  # the form never showed
    ctx.close()


def test_a_kiosk_whose_answer_was_lost_prints_the_ticket_already_issued_not_a_second(browser, live):
    """The kiosk's first request reaches the server and is committed, but the answer never comes
    back (the network drops): the page tries again with the same key and the same number prints."""
    db = live.app.state.db
    with db.read() as s:
        before = int(s.scalar(select(func.count()).select_from(Ticket)))
    ctx = new_context(browser)
    page = ctx.new_page()
    seen = _watch(page)
    lost: list[str] = []

    def lose_the_first_answer(route) -> None:  # type: ignore[no-untyped-def]
        if not lost:
            answer = route.fetch(max_redirects=0)  # the server issues the ticket...
            lost.append(answer.headers.get("location", ""))
            route.abort("connectionreset")  # ...and the kiosk never hears it
        else:
            route.continue_()

    page.route(re.compile(r".*/kios/lahat/ambil$"), lose_the_first_answer)
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.get_by_role("button", name=re.compile("Perekaman dan Penerbitan KTP-el")).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    assert lost and lost[0].endswith("/cetak")
    assert page.url.endswith(lost[0])  # the ticket the lost answer would have shown
    with db.read() as s:
        assert int(s.scalar(select(func.count()).select_from(Ticket))) == before + 1
    assert _policy_problems(seen) == []
    ctx.close()
