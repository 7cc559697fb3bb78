"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a real server.

Skipped when Chromium is not installed, unless SATUPINTU_TEST_REQUIRE_BROWSER=1 (as in CI).
Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from satupintu.db import Database
from satupintu.demo.loader import load_demo
from satupintu.migrate import upgrade
from tests.conftest import DEMO_PASSWORD, LiveServer

CHROMIUM = os.environ.get("SATUPINTU_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session", autouse=True)
def board_voice_clips() -> None:
    """The board's recorded voice, built as `make install` builds it (espeak-ng); without
    espeak-ng the board tests that need it fail when the browser is required."""
    from satupintu.queueing import voice, voice_build

    agencies = ["Disdukcapil", "DPMPTSP", "Dinkes", "Dinsos", "DPAD", "Bank Sumsel Babel", "Samsat Lahat",
                "BPJS Kesehatan"]
    wanted = set(voice.REQUIRED_CLIPS) | {voice.agency_clip(a) for a in agencies}
    if wanted <= voice_build.built_clips():  # the demo's agencies are said too (a plain build has none)
        return
    try:
        voice_build.build(agencies=agencies)
    except voice_build.EngineMissing:
        if os.environ.get("SATUPINTU_TEST_REQUIRE_BROWSER") == "1":
            raise


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("SATUPINTU_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def new_context(browser, **kwargs):  # type: ignore[no-untyped-def]
    """A browser context as a test needs it: no printer, so the kiosk's automatic print is a no-op
    (a headless print dialog can otherwise stall rendering and screenshots)."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "id-ID", **kwargs})
    context.add_init_script("window.print = () => {};")
    return context


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = new_context(browser)
    p = context.new_page()
    yield p
    context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@contextmanager
def demo_server(tmp_path_factory: pytest.TempPathFactory, name: str, history: bool = True) -> Iterator[LiveServer]:
    """The demo data in a SQLite file of its own behind a real server: a browser module's world
    (without the demo's past weeks when a test counts exact answers or complaints)."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / (name + '.db')}"
    upgrade(url)
    db = Database(url)
    load_demo(db, DEMO_PASSWORD, history=history)
    try:
        with LiveServer(db) as server:
            yield server
    finally:
        db.dispose()
