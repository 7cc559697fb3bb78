"""The hall board in real Chromium at TV sizes (1920x1080 landscape, 1080x1920 portrait): the
newest call large and highlighted, then settled into the list of counters calling, each with
its agency, floor and location; waiting counts, the date and time; the running text the
manager sets; a board paired for one floor shows only that floor's counters."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, token_for
from tests.e2e.conftest import SHOTS, demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_front_of_house import device, login

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
# Counter -> a service it serves, in the demo (Lahat).
SERVES = {1: "DPM-01", 2: "DPM-02", 3: "DPM-04", 4: "DKC-01", 5: "DKC-03", 6: "DKC-04", 7: "KES-01", 8: "KES-02",
          9: "SOS-01", 10: "PUS-01", 11: "SAM-01", 12: "SAM-02", 13: "BSB-01", 14: "BPJ-01"}
AGENCY = {"DPM": "DPMPTSP", "DKC": "DUKCAPIL", "KES": "DINKES", "SOS": "DINSOS", "PUS": "DPAD", "SAM": "SAMSAT",
          "BSB": "BSB", "BPJ": "BPJS"}


@pytest.fixture
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "hall", history=False) as server:
        yield server


def screen(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS_SHOTS / path.name)


def px(page, selector: str, what: str = "fontSize") -> float:  # type: ignore[no-untyped-def]
    """A rendered style of the first element the selector finds, in CSS px."""
    return float(page.eval_on_selector(selector, f"e => parseFloat(getComputedStyle(e).{what})"))


def smallest(page, selector: str) -> float:  # type: ignore[no-untyped-def]
    """The smallest rendered font size among the elements the selector finds."""
    return float(page.eval_on_selector_all(
        selector, "es => Math.min(...es.map(e => parseFloat(getComputedStyle(e).fontSize)))"))


def call(api: httpx.Client, auth: dict[str, str], counter: int, service: str) -> str:
    """A visitor takes a number for `service` at reception and counter `counter` calls it."""
    t = api.post("/api/v1/sites/lahat/tickets", headers=auth, json={"service": service, "channel": "reception"})
    assert t.status_code == 201, t.text
    called = api.post(f"/api/v1/sites/lahat/counters/{counter}/call-next", headers=auth)
    assert called.status_code == 200, called.text
    return str(called.json()["number"])


def open_counters(api: httpx.Client, auth: dict[str, str], numbers) -> None:  # type: ignore[no-untyped-def]
    for n in numbers:
        assert api.post(f"/api/v1/sites/lahat/counters/{n}/open", headers=auth).status_code == 200


def test_one_counter_fills_the_tv_the_newest_call_is_large_then_settles(browser, live, axe_source):  # noqa: F811
    """One counter open: the whole right of the TV is its card, the newest call fills the left,
    bright yellow for a few seconds with the counter, agency, floor and location, then calm;
    the number stays on the counter's card. Date and time in Indonesian, waiting per agency."""
    ctx = new_context(browser, viewport=LANDSCAPE)
    board = ctx.new_page()
    board.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
    assert "Belum ada panggilan" in board.locator("#hero").inner_text()
    with live.client() as api:
        auth = token_for(api, "pengelola")
        open_counters(api, auth, [4])
        board.wait_for_selector("#counters tr[data-counter='4']", timeout=5000)
        api.post("/api/v1/sites/lahat/tickets", headers=auth, json={"service": "DKC-02", "channel": "reception"})
        number = call(api, auth, 4, "DKC-01")
    board.wait_for_function("n => document.querySelector('#hero-num').textContent === n"
                            " && document.querySelector('#hero').classList.contains('fresh')", arg=number, timeout=5000)
    hero = board.locator("#hero").inner_text()
    assert "Loket 4" in hero and "Lantai 1 · sayap timur" in hero and "Disdukcapil" in hero
    assert px(board, "#hero-num") >= 120 and board.locator("#hero-num").bounding_box()["height"] >= 120
    assert px(board, "#hero-agency") >= 32
    assert px(board, "#counters tr[data-counter='4'] td.num") >= 60
    assert px(board, "#counters tr[data-counter='4'] td.agency") >= 32
    board.wait_for_selector("#waiting .w-name", timeout=3000)  # the state after the call: one still waits
    assert px(board, "#waiting .w-name") >= 32
    card = board.locator("#counters tr[data-counter='4']").bounding_box()
    assert card["width"] * card["height"] >= 0.3 * 1920 * 1080  # one counter: not 80 % of the screen empty
    assert "Disdukcapil" in board.locator("#waiting").inner_text()  # a second DKC ticket still waits
    day = r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} \w+ 20\d\d"
    assert re.search(day, board.locator("#date").inner_text())
    assert re.fullmatch(r"\d\d[.:]\d\d[.:]\d\d WIB", board.locator("#clock").inner_text())
    screen(board, "110-papan-1-loket-sorot-1920x1080")
    assert serious_violations(board, axe_source) == []
    board.wait_for_function("() => !document.querySelector('#hero').classList.contains('fresh')", timeout=12000)
    assert board.locator("#counters tr[data-counter='4'] td.num").inner_text() == number  # settled into the list
    assert board.locator("#hero-num").inner_text() == number
    screen(board, "111-papan-1-loket-1920x1080")

    tall = new_context(browser, viewport=PORTRAIT).new_page()
    tall.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
    tall.wait_for_function("() => document.body.dataset.live === '1'", timeout=5000)
    assert tall.locator("#hero-num").inner_text() == number
    hero_box, list_box = tall.locator("#hero").bounding_box(), tall.locator("#counters").bounding_box()
    assert hero_box["y"] + hero_box["height"] <= list_box["y"] + 1  # portrait: the newest call above the list
    assert px(tall, "#hero-num") >= 120 and px(tall, "#counters td.num") >= 60 and px(tall, "#counters td.agency") >= 32
    screen(tall, "112-papan-1-loket-1080x1920")
    assert serious_violations(tall, axe_source) == []
    ctx.close()


def test_thirty_counters_share_the_screen_each_readable(browser, live, axe_source):  # noqa: F811
    """Thirty counters open and calling: every card fits its number (>= 60 px), counter, agency
    (>= 32 px) and location without overflow, landscape and portrait."""
    with live.client() as api:
        auth = token_for(api, "pengelola")
        for n in range(15, 31):
            source = (n - 15) % 14 + 1
            svc = SERVES[source]
            made = api.post("/api/v1/sites/lahat/counters", headers=auth, json={
                "number": n, "name": f"Loket {n}", "agency": AGENCY[svc[:3]], "services": [svc],
                "floor": "Lantai 2" if n % 2 else "Lantai 1", "location": "sayap utara"})
            assert made.status_code == 201, made.text
        open_counters(api, auth, range(1, 31))
        for n in range(1, 31):
            call(api, auth, n, SERVES[(n - 15) % 14 + 1] if n > 14 else SERVES[n])
    for viewport, name in ((LANDSCAPE, "113-papan-30-loket-1920x1080"), (PORTRAIT, "114-papan-30-loket-1080x1920")):
        page = new_context(browser, viewport=viewport).new_page()
        page.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
        page.wait_for_function("() => document.body.dataset.live === '1'"  # the live state drawn, not the page's
                               " && document.querySelectorAll('#counters tbody tr').length === 30")
        assert smallest(page, "#counters td.num") >= 60
        assert smallest(page, "#counters td.agency") >= 32
        assert px(page, "#hero-num") >= 120
        overflowing = page.eval_on_selector_all(
            "#counters tbody tr",
            "rs => rs.filter(r => r.scrollHeight > r.clientHeight + 1).map(r => r.dataset.counter)")
        assert overflowing == [], name
        cut = page.eval_on_selector_all("#counters td.num, #hero-num",
                                        "ns => ns.filter(n => n.scrollWidth > n.clientWidth).map(n => n.textContent)")
        assert cut == []  # every number whole, none cut off or shortened
        body = page.evaluate("() => [document.documentElement.scrollHeight, innerHeight]")
        assert body[0] <= body[1]  # all on one screen, nothing below the fold
        assert page.locator("#counters tr[data-counter='30'] td.where").inner_text() == "Lantai 1 · sayap utara"
        screen(page, name)
        assert serious_violations(page, axe_source) == []
        page.context.close()


def test_a_floor_board_shows_its_floor_and_the_managers_running_text(browser, live, axe_source):  # noqa: F811
    """A TV paired for "Lantai 2" shows counters 7-12 and 14 only and ignores a call on Lantai 1;
    the running text the manager saves appears on it without a reload; too long a text is
    refused beside the field, in Indonesian, with nothing saved."""
    tv_ctx = new_context(browser, viewport=LANDSCAPE)
    tv = tv_ctx.new_page()
    tv.goto(live.url + "/pasang")
    code = tv.locator("#code").inner_text()
    manager = new_context(browser, viewport={"width": 1366, "height": 768}).new_page()
    login(manager, live, "pengelola")
    manager.goto(live.url + "/kelola/lahat/perangkat")
    manager.get_by_label("Kode di layar perangkat").fill(code)
    manager.get_by_label("Nama perangkat").fill("Papan lantai 2")
    manager.get_by_label("Papan antrean").check()
    manager.get_by_label(re.compile("Lantai \\(bila papan")).select_option("Lantai 2")
    manager.get_by_role("button", name="Pasangkan", exact=True).click()
    manager.wait_for_load_state()
    tv.wait_for_url(re.compile(r"/papan/lahat$"), timeout=15000)
    assert tv.locator("body").get_attribute("data-floor") == "Lantai 2"
    assert "Lantai 2" in tv.locator("header .scope").inner_text()
    with live.client() as api:
        auth = token_for(api, "pengelola")
        open_counters(api, auth, [4, 7, 14])
        tv.wait_for_selector("#counters tr[data-counter='14']", timeout=5000)
        assert tv.locator("#counters tbody tr").evaluate_all("rs => rs.map(r => +r.dataset.counter)") == [7, 14]
        far = call(api, auth, 4, "DKC-01")  # Lantai 1: not this board's
        near = call(api, auth, 7, "KES-01")
    tv.wait_for_function("n => document.querySelector('#hero-num').textContent === n", arg=near, timeout=5000)
    assert far not in tv.locator("main").inner_text()
    assert "Lantai 2 · sayap barat" in tv.locator("#hero").inner_text()
    assert tv.locator("footer.ticker").is_hidden()  # no running text yet

    manager.goto(live.url + "/kelola/lahat/papan")
    assert serious_violations(manager, axe_source) == []
    manager.get_by_label("Teks berjalan").fill("x" * 301)
    manager.get_by_role("button", name="Simpan teks berjalan").click()
    manager.wait_for_load_state()
    assert "paling panjang 300 karakter" in manager.locator("#text-error").inner_text()
    assert manager.get_by_label("Teks berjalan").get_attribute("aria-invalid") == "true"
    screen(manager, "116-kelola-teks-berjalan-galat-1366x768")
    text = "Layanan Samsat hari Sabtu buka pukul 08.00-12.00 WIB. Siapkan KTP-el asli sebelum dipanggil."
    manager.get_by_label("Teks berjalan").fill(text)
    manager.get_by_role("button", name="Simpan teks berjalan").click()
    manager.wait_for_load_state()
    assert "Teks berjalan tersimpan" in manager.content()
    tv.wait_for_function("t => document.querySelector('#ticker-text').textContent.includes(t)", arg=text, timeout=5000)
    assert tv.locator("footer.ticker").is_visible()
    assert px(tv, "#ticker-text") >= 32
    assert tv.eval_on_selector("#ticker-text span", "e => getComputedStyle(e).animationName") == "ticker"
    tv.wait_for_timeout(5000)  # the text has run in from the right for the picture
    screen(tv, "115-papan-lantai-2-teks-berjalan-1920x1080")
    assert serious_violations(tv, axe_source) == []

    still = new_context(browser, viewport=PORTRAIT, reduced_motion="reduce").new_page()
    still.goto(f"{live.url}/papan/lahat?token={device(live, 'board')}")
    still.wait_for_function("() => document.body.dataset.live === '1'", timeout=5000)
    assert text in still.locator("#ticker-text").inner_text()  # on the next load too, every board of the site
    assert still.eval_on_selector("#ticker-text span", "e => getComputedStyle(e).animationName") == "none"
    screen(still, "117-papan-teks-diam-1080x1920")
    tv_ctx.close()
