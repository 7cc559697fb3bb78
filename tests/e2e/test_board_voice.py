"""The display board's voice in real Chromium with no Indonesian speech voice (headless
Chromium has none): an officer calls a number through the API and the board plays the call's
recorded clips, chime first, one after another (the audio elements' own play/ended events); a
recall plays again; two quick calls never overlap. Without the autoplay flag the board asks
"Ketuk untuk mengaktifkan suara" and plays the waiting call after a tap."""

from __future__ import annotations

import io
import wave
import zipfile
from collections.abc import Iterator

import httpx
import pytest

from satupintu.queueing import voice, voice_build
from tests.conftest import LiveServer, token_for
from tests.e2e.conftest import ARGS, CHROMIUM, demo_server, new_context
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401  (fixture)
from tests.e2e.test_device_pairing import screen
from tests.e2e.test_front_of_house import login

# Every play and ended of the board's audio elements, in order, with the clip it played.
RECORD_MEDIA = """
window.__media = [];
["play", "ended"].forEach(t => document.addEventListener(t, e => {
  if (e.target.dataset && e.target.dataset.clip) window.__media.push([t, e.target.dataset.clip]);
}, true));
"""
def _own_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x10\x00" * 4000)
    return out.getvalue()


OWN = _own_wav()  # "the site's own recording" of nomor-antrean
ENDED = "n => window.__media.filter(m => m[0] === 'ended').length >= n"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "voice", history=False) as server:
        yield server


def _setup(c: httpx.Client) -> tuple[str, dict[str, str], dict[str, str]]:
    manager = token_for(c, "pengelola")
    board = c.post("/api/v1/sites/lahat/devices", headers=manager, json={"kind": "board", "name": "TV"}).json()
    kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                      json={"kind": "kiosk", "name": "K"}).json()["token"]}
    officer = token_for(c, "petugas.dukcapil")
    for counter in (4, 5):
        c.post(f"/api/v1/sites/lahat/counters/{counter}/open", headers=officer)
        c.post(f"/api/v1/sites/lahat/counters/{counter}/no-show", headers=officer)  # free after another test
    return board["token"], kiosk, officer


def _clips_of(c: httpx.Client, number: str) -> list[str]:
    calls = c.get("/api/v1/sites/lahat/board").json()["recent_calls"]
    return next(x["clips"] for x in calls if x["number"] == number)


def _played(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [tuple(m) for m in page.evaluate("window.__media")]


def _in_turn(clips: list[str]) -> list[tuple[str, str]]:
    """Each clip played then ended before the next one starts: nothing talks over anything."""
    return [e for k in clips for e in (("play", k), ("ended", k))]


def _board(browser, live, token):  # type: ignore[no-untyped-def]
    ctx = new_context(browser, viewport={"width": 1920, "height": 1080})
    ctx.add_init_script(RECORD_MEDIA)
    page = ctx.new_page()
    page.goto(f"{live.url}/papan/lahat?token={token}")
    page.wait_for_selector("body[data-live='1']", timeout=15000)
    return ctx, page


def test_a_board_without_an_indonesian_voice_plays_each_call_in_order(browser, live, axe_source):  # noqa: F811
    """On the TV (1920x1080) the board says "Suara aktif"; a call plays chime, "nomor antrean",
    the letter, the digits, "silakan ke loket", the counter, the agency and the floor, in that
    order; a recall plays it again after "panggilan ulang"; two calls made at once play one
    after the other."""
    own = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                      args=[*ARGS, "--autoplay-policy=no-user-gesture-required"])
    try:
        with httpx.Client(base_url=live.url, timeout=30) as c:
            token, kiosk, officer = _setup(c)
            ctx, board = _board(own, live, token)
            board.wait_for_selector("#voice-state[data-state='active']", timeout=10000)
            assert board.locator("#voice-state").inner_text().strip() == "Suara aktif"
            board.wait_for_timeout(500)  # voices load asynchronously
            assert board.evaluate("speechSynthesis.getVoices().filter(v => v.lang.toLowerCase()"
                                  ".startsWith('id')).length") == 0
            assert board.evaluate("window.SatuPintuVoice.mode()") == "clips"
            screen(board, "120-papan-suara-aktif-1920x1080")
            assert serious_violations(board, axe_source) == []

            number = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).json()["number"]
            assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["number"] == number
            clips = _clips_of(c, number)
            assert clips[0] == "chime" and "instansi-disdukcapil" in clips and clips[-2:] == ["lantai", "satu"]
            board.wait_for_function(ENDED, arg=len(clips), timeout=60000)
            assert _played(board) == _in_turn(clips)

            assert c.post("/api/v1/sites/lahat/counters/4/recall", headers=officer).status_code == 200
            again = ["chime", "panggilan-ulang", *clips[1:]]
            board.wait_for_function(ENDED, arg=len(clips) + len(again), timeout=60000)
            assert _played(board) == _in_turn(clips + again)

            assert c.post("/api/v1/sites/lahat/counters/4/no-show", headers=officer).status_code == 200
            a = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).json()["number"]
            b = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-03"}).json()["number"]
            assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["number"] == a
            assert c.post("/api/v1/sites/lahat/counters/5/call-next", headers=officer).json()["number"] == b
            both = _clips_of(c, a) + _clips_of(c, b)
            before = len(clips) + len(again)
            board.wait_for_function(ENDED, arg=before + len(both), timeout=90000)
            assert _played(board)[2 * before:] == _in_turn(both)
            ctx.close()
    finally:
        own.close()


def test_a_board_under_the_autoplay_rule_asks_for_a_tap_then_plays(browser, live, axe_source):  # noqa: F811
    """Without the autoplay flag the board shows a large "Ketuk untuk mengaktifkan suara" button
    and plays nothing; a call waits; after the tap it says "Suara aktif" and plays the call."""
    with httpx.Client(base_url=live.url, timeout=30) as c:
        token, kiosk, officer = _setup(c)
        ctx, board = _board(browser, live, token)
        button = board.get_by_role("button", name="Ketuk untuk mengaktifkan suara")
        button.wait_for(timeout=10000)
        box = button.bounding_box()
        assert box and box["height"] >= 48
        screen(board, "121-papan-ketuk-untuk-suara-1920x1080")
        assert serious_violations(board, axe_source) == []
        number = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"}).json()["number"]
        assert c.post("/api/v1/sites/lahat/counters/4/call-next", headers=officer).json()["number"] == number
        clips = _clips_of(c, number)
        board.wait_for_function("n => document.querySelector(\"#counters tr[data-counter='4'] .num\")"
                                ".textContent === n", arg=number, timeout=15000)
        board.wait_for_timeout(1500)
        assert [m for m in _played(board) if m[0] == "ended"] == []  # refused by the autoplay rule
        button.click()
        board.wait_for_function(ENDED, arg=len(clips), timeout=60000)
        assert [m for m in _played(board) if m[0] == "ended"] == [("ended", k) for k in clips]
        assert board.locator("#voice-state").inner_text().strip() == "Suara aktif"
        ctx.close()


def _pack(tmp_path, leave_out: str = "") -> str:
    """A ZIP of every required clip (the built-in WAVs, 'nomor-antrean' replaced by a
    recording of its own), without `leave_out`, plus a text file posing as a clip."""
    path = tmp_path / f"paket-{leave_out or 'lengkap'}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for key in voice.REQUIRED_CLIPS:
            if key == leave_out:
                continue
            data = (voice_build.VOICE_DIR / f"{key}.wav").read_bytes()
            z.writestr(f"rekaman/{key}.wav", OWN if key == "nomor-antrean" else data)
        if leave_out:
            z.writestr("rekaman/instansi-disdukcapil.wav", b"bukan suara")
    return str(path)


def test_a_manager_installs_a_voice_pack_checked_for_every_clip_and_reverts(browser, live, tmp_path,
                                                                             axe_source):  # noqa: F811
    """At 1366x768 the manager sees the voice page; a pack without "lantai" is refused with
    the missing clip named beside the field (and a fake audio file named); a complete pack is
    installed and the boards get its recordings; "Kembali ke suara bawaan" restores the built-in."""
    ctx = new_context(browser, viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    login(page, live, "pengelola")
    page.goto(live.url + "/kelola/lahat/suara")
    assert page.get_by_role("heading", name="Suara papan antrean").is_visible()
    assert "Rekaman bawaan" in page.locator("#voice-now").inner_text()
    screen(page, "122-kelola-suara-1366x768", full_page=True)
    assert serious_violations(page, axe_source) == []

    page.get_by_label("Berkas ZIP paket suara").set_input_files(_pack(tmp_path, leave_out="lantai"))
    page.get_by_role("button", name="Unggah dan pasang").click()
    error = page.locator("#pack-error").inner_text()
    assert "Rekaman yang belum ada (1): lantai.wav." in error
    assert "instansi-disdukcapil.wav bukan rekaman suara" in error
    screen(page, "123-kelola-suara-paket-kurang-1366x768", full_page=True)
    assert serious_violations(page, axe_source) == []
    assert httpx.get(f"{live.url}/api/v1/sites/lahat/voice").json()["own_pack"] is False

    page.get_by_label("Berkas ZIP paket suara").set_input_files(_pack(tmp_path))
    page.get_by_role("button", name="Unggah dan pasang").click()
    assert "Paket suara dipasang" in page.get_by_role("status").first.inner_text()
    assert "paket-lengkap.zip" in page.locator("#voice-now").inner_text()
    screen(page, "124-kelola-suara-paket-terpasang-1366x768", full_page=True)
    config = httpx.get(f"{live.url}/api/v1/sites/lahat/voice").json()
    assert config["own_pack"] is True and set(voice.REQUIRED_CLIPS) <= set(config["clips"])
    clip = httpx.get(f"{live.url}/suara/lahat/nomor-antrean")
    assert clip.status_code == 200 and clip.content == OWN and clip.headers["content-type"] == "audio/wav"

    page.get_by_role("radio", name="Suara peramban bila tersedia").check()
    page.get_by_role("button", name="Simpan pilihan").click()
    assert httpx.get(f"{live.url}/api/v1/sites/lahat/voice").json()["preference"] == "peramban"
    page.get_by_role("button", name="Kembali ke suara bawaan").click()
    assert "Rekaman bawaan" in page.locator("#voice-now").inner_text()
    back = httpx.get(f"{live.url}/suara/lahat/nomor-antrean", follow_redirects=True)
    assert back.status_code == 200 and back.content == (voice_build.VOICE_DIR / "nomor-antrean.wav").read_bytes()
    ctx.close()
