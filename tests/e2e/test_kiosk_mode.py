"""Kiosk mode in real Chromium on a 1080x1920 portrait touch screen: the start offers one large
"Ambil nomor antrean", then agency tiles, the service (with search), priority as pictogram tiles,
and the ticket screen; nothing on it leads out of the kiosk (no "Masuk petugas"); every touch
target measures at least 48x48 CSS px in the browser (WCAG 2.2 target size); axe-core finds
no serious violation; an idle kiosk returns to its start and the previous citizen's ticket is
gone, Back included; a closed, full or unserved service says so in plain Indonesian."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from satupintu.catalogue.models import Service, counter_services
from satupintu.queueing import lookup, policy, screens, tickets
from satupintu.queueing.models import QueueSettings
from satupintu.timeutil import long_date, utcnow
from tests.conftest import LiveServer
from tests.dayclock import local_moment, set_hours, weekdays
from tests.e2e.conftest import demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import device

KIOSK = {"width": 1080, "height": 1920}

# Every element a finger can hit, as it is laid out: its box, and the ones under 48x48.
TARGETS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]';
  const shown = [...document.querySelectorAll(sel)].filter(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !e.closest('[hidden]');
  });
  return {count: shown.length, small: shown.map(e => {
    const r = e.getBoundingClientRect();
    return {what: e.outerHTML.slice(0, 90), w: Math.round(r.width), h: Math.round(r.height)};
  }).filter(x => x.w < 48 || x.h < 48)};
}"""

# Where each link and form of the page goes (resolved), to prove none leaves the kiosk.
DESTINATIONS = """() => [...document.querySelectorAll('a[href]')].map(a => a.href)
  .concat([...document.querySelectorAll('form')].map(f => f.action))"""


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "kioskmode", history=False) as server:
        yield server


def _kiosk(browser, live):  # type: ignore[no-untyped-def]
    context = new_context(browser, viewport=KIOSK, has_touch=True)
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live.url}/kios/lahat?token={device(live, 'kiosk')}")
    return page


def _check_screen(page, axe_source: str, live: LiveServer, allowed: tuple[str, ...] = ()) -> None:  # noqa: F811
    targets = page.evaluate(TARGETS)
    assert targets["count"] >= 2 and targets["small"] == [], targets["small"]
    assert serious_violations(page, axe_source) == []
    assert "Masuk petugas" not in page.content() and page.locator("header.top, footer.foot").count() == 0
    for url in page.evaluate(DESTINATIONS):
        assert url.startswith(f"{live.url}/kios/lahat") or any(url.startswith(live.url + a) for a in allowed), url


def test_a_citizen_takes_a_number_agency_service_priority_ticket(browser, live, axe_source):  # noqa: F811
    """The citizen touches "Ambil nomor antrean", the Kependudukan tile, KTP-el, the "Lansia"
    tile (it turns blue with a tick) and "Ambil nomor antrean": the ticket screen shows the
    number very large, the service, how many wait ahead, the QR of the ticket page and two big
    buttons, "Cetak ulang" and "Selesai". "Selesai" goes back to the start and Back does not
    bring the ticket back."""
    page = _kiosk(browser, live)
    start = page.get_by_role("link", name=re.compile("Ambil nomor antrean"))
    box = start.bounding_box()
    assert box["width"] >= 900 and box["height"] >= 400  # the first, largest thing on the screen
    # taking a number comes before check-in and the survey (DOCUMENT_POSITION_FOLLOWING)
    assert page.evaluate("document.getElementById('start-take').compareDocumentPosition("
                         "document.getElementById('check-in-form')) & 4") == 4
    _check_screen(page, axe_source, live)
    screen(page, "100-kios-awal-1080x1920")

    start.click()
    assert page.get_by_role("heading", name="Pilih instansi").is_visible()
    tiles = page.locator("a.k-tile")
    assert tiles.count() >= 2
    _check_screen(page, axe_source, live)
    screen(page, "101-kios-pilih-instansi-1080x1920")

    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    assert page.get_by_role("heading", name="Pilih layanan").is_visible()
    _check_screen(page, axe_source, live)
    screen(page, "102-kios-pilih-layanan-1080x1920")

    page.get_by_role("button", name=re.compile("Perekaman dan Penerbitan KTP-el")).click()
    lansia = page.get_by_label("Lansia")
    regular = page.get_by_label("Bukan prioritas (umum)")
    assert regular.is_checked() and not lansia.is_checked()  # none chosen is a regular ticket
    for word in ("Lansia", "Penyandang disabilitas", "Ibu hamil", "Membawa balita"):
        tile = page.locator("label.k-prio-tile", has_text=word)
        assert tile.locator("svg.pict").count() == 1
        size = tile.bounding_box()
        assert size["width"] >= 400 and size["height"] >= 200
    page.locator("label.k-prio-tile", has_text="Ibu hamil").click()
    page.locator("label.k-prio-tile", has_text="Ibu hamil").click()  # a toggle: touched again, it is off
    assert regular.is_checked()
    lansia.check()
    assert lansia.is_checked() and not regular.is_checked()
    chosen = page.locator("label.k-prio-tile", has_text="Lansia")
    assert chosen.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(10, 61, 145)"
    _check_screen(page, axe_source, live)
    screen(page, "103-kios-prioritas-lansia-1080x1920")

    with page.expect_response(re.compile(r"/antrian/.+/cetak")) as answer:
        page.get_by_role("button", name="Ambil nomor antrean").click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    assert answer.value.headers["cache-control"] == "no-store"
    number = page.locator(".number").inner_text()
    assert re.fullmatch(r"[A-Z]-\d{3}", number)
    assert page.locator(".number").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 200
    assert "Perekaman dan Penerbitan KTP-el" in page.locator(".t-service").inner_text()
    assert re.search(r"Di depan Anda: \d+ orang", page.locator(".t-wait").inner_text())
    assert "Prioritas: Lansia" in page.locator(".t-priority").inner_text()
    assert page.locator(".qr svg").count() == 1
    assert page.get_by_role("button", name="Cetak ulang").is_visible()
    done = page.get_by_role("link", name="Selesai")
    assert done.bounding_box()["height"] >= 100
    _check_screen(page, axe_source, live, allowed=("/antrian/",))
    screen(page, "104-kios-tiket-1080x1920")

    done.click()
    page.wait_for_url(f"{live.url}/kios/lahat")
    assert number not in page.content()
    page.go_back()
    page.wait_for_load_state()
    assert "/cetak" not in page.url and number not in page.content()  # the priority step, not the ticket
    page.context.close()


def test_an_idle_kiosk_returns_to_the_start_and_the_ticket_is_gone(browser, live, axe_source):  # noqa: F811
    """Mid-flow the kiosk waits 60 s for a touch (counting down the last seconds on screen),
    on the ticket screen 20 s; then it is back at the start, the previous citizen's number is
    nowhere on it, and neither Back nor Forward shows the ticket again."""
    page = _kiosk(browser, live)
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.clock.fast_forward("00:30")
    page.wait_for_timeout(400)
    assert "instansi=" in page.url  # 30 s of reading is not idle yet
    page.clock.fast_forward("00:25")
    note = page.locator("#kiosk-idle-note")
    note.wait_for(state="visible")
    assert re.search(r"Layar kembali ke awal dalam \d+ detik\. Sentuh layar untuk melanjutkan\.", note.inner_text())
    screen(page, "108-kios-hitung-mundur-1080x1920")
    page.clock.fast_forward("00:06")
    page.wait_for_url(f"{live.url}/kios/lahat")

    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    number = page.locator(".number").inner_text()
    assert "20 detik" in page.locator("#ticket-idle-hint").inner_text()
    page.clock.fast_forward("00:21")
    page.wait_for_url(f"{live.url}/kios/lahat")
    assert number not in page.content() and page.locator(".number").count() == 0
    page.go_back()
    page.wait_for_load_state()
    assert "/cetak" not in page.url and number not in page.content()
    page.go_forward()
    page.wait_for_load_state()
    assert page.url == f"{live.url}/kios/lahat" and number not in page.content()
    page.context.close()


def test_the_agency_screen_searches_the_whole_catalogue(browser, live, axe_source):  # noqa: F811
    """The citizen who does not know the agency types "akta lahir": the services that match are
    listed with their agency; touching one goes to the priority step."""
    page = _kiosk(browser, live)
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_label("Atau cari layanan").fill("akta lahir")
    page.get_by_role("button", name="Cari").click()
    found = page.locator("button.k-tile-service")
    assert found.count() >= 1 and "Akta Kelahiran" in found.first.inner_text()
    _check_screen(page, axe_source, live)
    screen(page, "109-kios-cari-layanan-1080x1920")
    found.first.click()
    assert page.get_by_role("button", name="Ambil nomor antrean").is_visible()
    assert page.get_by_role("link", name="Kembali ke daftar layanan").get_attribute("href").startswith("?q=akta")
    page.context.close()


def _set_quota(db, code: str, quota: int) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        service_id = s.scalar(select(Service.id).where(Service.code == code))
        s.execute(update(QueueSettings).where(QueueSettings.service_id == service_id).values(daily_quota=quota))
    lookup.clear(db)


def test_a_full_service_says_the_quota_is_used_up(browser, live, axe_source):  # noqa: F811
    """Today's numbers for a service are all taken: the kiosk says the quota is used up and to
    come back on the next service day, with the booking page as a QR for the phone (no link out)."""
    db = live.app.state.db
    page = _kiosk(browser, live)
    try:
        page.goto(f"{live.url}/kios/lahat?instansi=DUKCAPIL&layanan=DKC-02")
        _set_quota(db, "DKC-02", 0)
        page.get_by_role("button", name="Ambil nomor antrean").click()  # a first one: quota 0 is "no quota"
        page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
        _set_quota(db, "DKC-02", 1)
        page.goto(f"{live.url}/kios/lahat?instansi=DUKCAPIL&layanan=DKC-02")
        page.get_by_role("button", name="Ambil nomor antrean").click()
        heading = page.locator("#closed-h")
        heading.wait_for()
        assert heading.inner_text() == "Kuota nomor antrean layanan ini untuk hari ini sudah habis."
        assert "Silakan datang kembali" in page.locator(".come-back").inner_text()
        assert page.locator(".booking-offer svg").count() == 1
        assert "/mpp/lahat/pesan?layanan=DKC-02" in page.locator("#booking-link").inner_text()
        _check_screen(page, axe_source, live)
        screen(page, "106-kios-kuota-habis-1080x1920")
    finally:
        _set_quota(db, "DKC-02", 0)
        page.context.close()


def test_a_service_no_counter_serves_any_more_says_so(browser, live, axe_source):  # noqa: F811
    """The citizen is on the priority step when the last counter serving the service stops
    serving it: "Ambil nomor antrean" answers that no counter serves it now and to ask the
    information desk or choose another service; nothing is issued."""
    db = live.app.state.db
    page = _kiosk(browser, live)
    page.goto(f"{live.url}/kios/lahat?instansi=DUKCAPIL&layanan=DKC-03")
    with db.write() as s:
        service_id = s.scalar(select(Service.id).where(Service.code == "DKC-03"))
        kept = s.execute(select(counter_services).where(counter_services.c.service_id == service_id)).all()
        s.execute(delete(counter_services).where(counter_services.c.service_id == service_id))
    lookup.clear(db)
    try:
        page.get_by_role("button", name="Ambil nomor antrean").click()
        heading = page.locator("#closed-h")
        heading.wait_for()
        assert heading.inner_text() == "Layanan ini belum dilayani loket mana pun saat ini."
        assert page.locator(".k-alert .k-lead").inner_text().startswith("Penerbitan")  # which service
        assert "tanyakan kepada petugas informasi" in page.locator("[role=alert]").inner_text()
        assert "/antrian/" not in page.url
        _check_screen(page, axe_source, live)
        screen(page, "107-kios-tidak-ada-loket-1080x1920")
    finally:
        with db.write() as s:
            s.execute(counter_services.insert(), [row._asdict() for row in kept])
        lookup.clear(db)
        page.context.close()


def test_a_closed_kiosk_says_when_to_come_back(browser, live, axe_source, monkeypatch):  # noqa: F811
    """At 14:40 WIB with issuing stopping at 14:30: the start says issuing has closed for today
    and to come back tomorrow at 08:00 WIB; pressing a service says the same in large type."""
    db = live.app.state.db
    today = policy.local_day(utcnow(), "Asia/Jakarta")
    set_hours(db, "lahat", weekdays("08:00", "15:00", range(7)), issue_cutoff_minutes=30)
    for module in (tickets, screens):
        monkeypatch.setattr(module, "utcnow", lambda: local_moment(today, "14:40", "Asia/Jakarta"))
    page = _kiosk(browser, live)
    try:
        tomorrow = long_date(today + timedelta(days=1), weekday=True)
        assert "sudah ditutup" in page.locator("#kiosk-closed-h").inner_text()
        assert page.locator("#kiosk-come-back").inner_text() == f"{tomorrow}, pukul 08:00 WIB"
        page.goto(f"{live.url}/kios/lahat?instansi=DUKCAPIL&layanan=DKC-01")
        page.get_by_role("button", name="Ambil nomor antrean").click()
        heading = page.locator("#closed-h")
        heading.wait_for()
        assert heading.inner_text() == "Pengambilan nomor antrean untuk hari ini sudah ditutup."
        assert page.locator("#come-back").inner_text() == f"{tomorrow}, pukul 08:00 WIB"
        _check_screen(page, axe_source, live)
        screen(page, "105-kios-tutup-1080x1920")
    finally:
        monkeypatch.undo()
        set_hours(db, "lahat", weekdays("00:00", "23:59", range(7)), issue_cutoff_minutes=0)
        page.context.close()


def test_a_withdrawn_ticket_does_not_come_back_with_back(browser, live):
    """The ticket did not print and the citizen withdraws it: the start says the number was
    withdrawn (and goes back to a plain start by itself after 20 s); pressing Back then does not
    show the withdrawn ticket: the kiosk has been at its start since, so the page leaves at once."""
    page = _kiosk(browser, live)
    page.get_by_role("link", name=re.compile("Ambil nomor antrean")).click()
    page.get_by_role("link", name=re.compile("Kependudukan")).click()
    page.get_by_role("button", name=re.compile("Penerbitan Akta Kelahiran")).click()
    page.get_by_role("button", name="Ambil nomor antrean").click()
    page.wait_for_url(re.compile(r"/antrian/.+/cetak"))
    number = page.locator(".number").inner_text()
    page.get_by_role("button", name=re.compile("Batalkan nomor")).click()
    page.wait_for_url(re.compile(r"/kios/lahat\?batal="))
    assert f"Nomor dibatalkan: {number}" in page.locator(".k-notice").inner_text()
    ticket_url = page.evaluate("document.referrer") or ""
    page.go_back()  # restored from the back/forward cache, or loaded again: either way it leaves
    page.wait_for_url(f"{live.url}/kios/lahat", timeout=3000)
    assert page.locator(".number").count() == 0 and number not in page.content()
    assert "/cetak" in ticket_url
    page.goto(ticket_url)  # the old ticket's address loaded afresh in this tab
    page.wait_for_url(f"{live.url}/kios/lahat", timeout=3000)  # at once, not after the 20 s idle timeout
    assert page.locator(".number").count() == 0
    page.goto(f"{live.url}/kios/lahat?batal={number}")
    page.clock.fast_forward("00:21")
    page.wait_for_url(f"{live.url}/kios/lahat")
    assert number not in page.content()
    page.context.close()
