"""The officer's console in real Chromium on a 1366x768 laptop: login lands on "my counter"
(the roster's, else the last opened, else "Pilih loket"), the waiting list with priority badges,
calling a chosen number with a reason, only the allowed steps enabled, the visit's history in
Indonesian, live updates, and axe-core with no serious violations."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from satupintu.accounts import service as accounts
from satupintu.errors import ValidationFailed
from satupintu.staffing import service as staffing
from tests.conftest import DEMO_PASSWORD, LiveServer
from tests.e2e.conftest import SHOTS, demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_front_of_house import device, login

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "console", history=False) as server:
        yield server


def screen(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A laptop-sized screenshot kept with the tests' output and copied to docs/screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS_SHOTS / path.name)


def issue(live: LiveServer, token: str, service: str, priority: str = "none") -> dict:
    r = httpx.post(f"{live.url}/api/v1/sites/lahat/tickets", headers={"X-Device-Token": token},
                   json={"service": service, "priority": priority})
    assert r.status_code == 201, r.text
    return r.json()


def enabled(page, act: str) -> bool:  # type: ignore[no-untyped-def]
    return page.locator(f"button[data-act='{act}']").is_enabled()


def primary(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("button.primary[data-act]", "bs => bs.map(b => b.dataset.act)")


def link_to_counter_5_officer(live: LiveServer) -> None:
    """The manager links the login petugas.dukcapil to the roster's officer at counter 5 today."""
    db = live.app.state.db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    today = staffing.site_today(db, "lahat")
    rows = [a for a in staffing.list_assignments(db, manager, "lahat", today, 1) if a.counter == 5]
    if not rows:  # a weekend: the demo rosters Monday to Friday, so staff counter 5 today as a manager would
        for officer in (o for o in staffing.list_officers(db, manager, "lahat") if o.agency == "DUKCAPIL"):
            try:
                rows = [staffing.add_assignment(db, manager, "lahat", staffing.AssignmentIn(
                    officer_id=officer.id, counter=5, date=today, start="00:00", end="24:00"))]
                break
            except ValidationFailed:  # lent to the mall's mobile event today
                continue
    assert rows, "counter 5 is staffed today"
    user = next(u for u in accounts.list_users(db, manager, "lahat") if u.username == "petugas.dukcapil")
    staffing.link_login(db, manager, "lahat", user.id, None)  # the demo links it to its agency's first officer
    staffing.link_login(db, manager, "lahat", user.id, rows[0].officer_id)


def test_an_officer_lands_on_the_counter_the_roster_gives_them(browser, live, axe_source):  # noqa: F811
    """Signed in without a target, the Dukcapil officer whose roster officer staffs counter 5
    today sees counter 5's console, titled with the counter number, agency and floor."""
    link_to_counter_5_officer(live)
    ctx = new_context(browser, viewport=LAPTOP)
    page = ctx.new_page()
    login(page, live, "petugas.dukcapil")
    assert page.url.endswith("/loket/lahat/5")
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Loket 5 · ") and "Kependudukan" in heading and "Loket 5 — Loket 5" not in heading
    assert "Lantai 1" in page.locator(".console-where").inner_text()
    assert "Loket 5 · " in page.title()
    assert serious_violations(page, axe_source) == []
    screen(page, "125-konsol-loket-saya")
    ctx.close()


def test_an_officer_without_a_roster_chooses_a_counter_then_lands_on_it_next_time(browser, live,
                                                                                  axe_source):  # noqa: F811
    """The DPMPTSP officer has no roster link: login shows "Pilih loket" with their agency's
    counters only; after opening counter 2 there, the next login goes straight to counter 2."""
    db = live.app.state.db
    manager = accounts.authenticate(db, "pengelola", DEMO_PASSWORD)
    user = next(u for u in accounts.list_users(db, manager, "lahat") if u.username == "petugas.dpmptsp")
    staffing.link_login(db, manager, "lahat", user.id, None)  # the demo links it; this officer has none
    ctx = new_context(browser, viewport=LAPTOP)
    page = ctx.new_page()
    login(page, live, "petugas.dpmptsp")
    assert page.url.endswith("/loket/lahat")
    assert page.locator("h1").inner_text() == "Pilih loket"
    choices = page.locator(".counter-choices a").all_inner_texts()
    assert [c.split(" · ")[0] for c in choices] == ["Loket 1", "Loket 2", "Loket 3"]  # DPMPTSP's, none other
    assert serious_violations(page, axe_source) == []
    screen(page, "126-konsol-pilih-loket")
    page.get_by_role("link", name=re.compile("Loket 2")).click()
    page.wait_for_url(re.compile(r"/loket/lahat/2$"))
    page.get_by_role("button", name=re.compile("Buka loket")).click()
    page.wait_for_selector("a#close-link")
    ctx.close()
    again = new_context(browser, viewport=LAPTOP).new_page()
    login(again, live, "petugas.dpmptsp")
    assert again.url.endswith("/loket/lahat/2")
    again.context.close()


def test_the_console_lists_who_waits_calls_a_chosen_number_and_enables_only_allowed_steps(
        browser, live, axe_source):  # noqa: F811
    """Counter 5 (Dukcapil) closed, two visitors wait for its services: the list shows both, the
    lansia first with a 'Lansia' badge in words; only 'Buka loket' is enabled. Opened: calling
    is primary, the ticket steps disabled. The officer calls the second number with a reason (an
    empty reason is refused beside the field); then 'Mulai layani' is primary, 'Selesai' disabled;
    serving, 'Selesai' is primary. The history reads in Indonesian with the reason."""
    token = device(live, "kiosk")
    regular = issue(live, token, "DKC-03")
    elderly = issue(live, token, "DKC-06", "elderly")
    issue(live, token, "DKC-01")  # counter 4's service: not in counter 5's list
    ctx = new_context(browser, viewport=LAPTOP)
    page = ctx.new_page()
    login(page, live, "petugas.dukcapil")
    page.goto(f"{live.url}/loket/lahat/5")
    assert page.locator("#waiting-count").inner_text() == "2"
    rows = page.locator("#waiting tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text() == elderly["number"]
    badge = rows.nth(0).locator(".prio")
    assert badge.inner_text() == "Lansia"
    assert rows.nth(1).locator("th").inner_text() == regular["number"] and rows.nth(1).locator(".prio").count() == 0
    assert enabled(page, "open") and primary(page) == ["open"]
    assert not any(enabled(page, a) for a in ("call-next", "start", "finish", "recall", "no-show", "hold"))
    assert page.locator("a#close-link").count() == 0
    assert serious_violations(page, axe_source) == []
    screen(page, "127-konsol-tutup-dengan-antrean")

    page.keyboard.press("o")  # shortcut: open
    page.wait_for_selector("#console[data-open='1']")
    assert enabled(page, "call-next") and primary(page) == ["call-next"]
    assert not any(enabled(page, a) for a in ("start", "finish", "recall", "no-show", "hold"))
    assert page.locator("a#close-link").get_attribute("href") == "/loket/lahat/5/tutup"
    assert "N" in page.locator("button[data-act='call-next'] kbd").inner_text()
    assert serious_violations(page, axe_source) == []
    screen(page, "128-konsol-buka-menunggu")

    page.locator(f"button[data-choose='{regular['id']}']").click()
    assert page.locator("#call-ticket-id").input_value() == regular["id"]
    page.get_by_role("button", name="Panggil nomor ini").click()
    error = page.locator("#call-reason-error")
    assert "alasan" in error.inner_text()
    screen(page, "129-konsol-alasan-wajib")
    page.get_by_label("Alasan memanggil di luar urutan (wajib)").fill("Berkas sudah diperiksa di meja informasi")
    page.get_by_role("button", name="Panggil nomor ini").click()
    page.wait_for_selector(f"#current:has-text('{regular['number']}')")
    assert page.locator("#current-status").get_attribute("data-status") == "called"
    assert primary(page) == ["start"]
    assert all(enabled(page, a) for a in ("start", "recall", "no-show", "hold"))
    assert not any(enabled(page, a) for a in ("call-next", "finish"))
    assert page.locator("a#close-link").count() == 0  # busy: closing is not offered as a link
    history = page.locator("#history").inner_text()
    assert "nomor diambil" in history and "dipanggil di luar urutan" in history
    assert "Berkas sudah diperiksa di meja informasi" in history
    assert "issued" not in history and "called" not in history
    assert page.locator("#waiting-count").inner_text() == "1"
    assert serious_violations(page, axe_source) == []
    screen(page, "130-konsol-dipanggil")

    page.keyboard.press("f")  # not allowed now: says so, changes nothing
    assert "tidak tersedia" in page.locator("#message").inner_text()
    page.keyboard.press("s")
    page.wait_for_selector("#current-status[data-status='serving']")
    assert primary(page) == ["finish"]
    assert enabled(page, "finish") and enabled(page, "hold")
    assert not any(enabled(page, a) for a in ("start", "recall", "no-show", "call-next"))
    assert "dilayani" in page.locator("#history").inner_text()
    assert page.get_by_label("Layanan tujuan").is_visible()
    assert serious_violations(page, axe_source) == []
    screen(page, "131-konsol-dilayani")
    page.keyboard.press("f")
    page.wait_for_selector("#console[data-ticket='']")  # finished: the counter is free again
    assert primary(page) == ["call-next"]
    page.keyboard.press("n")  # the lansia, next in the calling order
    page.wait_for_selector(f"#current:has-text('{elderly['number']}')")
    assert page.locator(".console-now .prio").inner_text() == "Lansia"
    screen(page, "134-konsol-lansia-dipanggil")
    ctx.close()


def test_the_waiting_list_follows_the_hall_live(browser, live):
    """With the console open and idle, a number taken for another counter's service leaves the
    page alone (it does not reload); a visitor taking a number for one of this counter's services
    appears in the list within seconds, without touching the page."""
    ctx = new_context(browser, viewport=LAPTOP)
    page = ctx.new_page()
    login(page, live, "petugas.dukcapil")
    page.goto(f"{live.url}/loket/lahat/5")
    before = int(page.locator("#waiting-count").inner_text())
    page.wait_for_timeout(2100)  # the page's own clicks are not echoed for 2 s
    token = device(live, "kiosk")
    page.evaluate("() => { window.sameLoad = true; }")
    issue(live, token, "DKC-01")  # counter 4's service
    page.wait_for_timeout(1500)
    assert page.evaluate("() => window.sameLoad === true")  # not reloaded
    t = issue(live, token, "DKC-07", "pregnant")
    page.wait_for_function("n => document.querySelector('#waiting-count') && "
                           "Number(document.querySelector('#waiting-count').textContent) === n",
                           arg=before + 1, timeout=8000)
    row = page.locator(f"#waiting tr[data-ticket='{t['id']}']")
    assert row.locator(".prio").inner_text() == "Ibu hamil"
    screen(page, "132-konsol-antrean-langsung")
    ctx.close()


def test_the_console_in_english(browser, live, axe_source):  # noqa: F811
    """The same console with ?lang=en: English labels, the history in English words."""
    ctx = new_context(browser, viewport=LAPTOP, locale="en-US")
    page = ctx.new_page()
    login(page, live, "petugas.dukcapil")
    page.goto(f"{live.url}/loket/lahat/5?lang=en")
    assert page.locator("#queue-title").inner_text().startswith("Waiting for this counter")
    assert page.locator("button[data-act='call-next']").inner_text().startswith("Call next")
    assert serious_violations(page, axe_source) == []
    screen(page, "133-konsol-inggris")
    ctx.close()
