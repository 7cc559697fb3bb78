"""`make demo` prints addresses of devices paired in advance: opening the kiosk's address once in a
browser makes that browser the kiosk (its queue screen opens, it can issue a ticket); the same
address a second time is spent and shows a fresh pairing code instead. Run through the real CLI
on a SQLite file, then a real server on that file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from satupintu.config import get_settings
from satupintu.db import Database
from tests.conftest import LiveServer

PORT = 8765  # only printed into the addresses; the test server listens where it likes


SECRET = "demo-test-secret-0123456789abcdef"  # the server that serves the demo uses the same secret


def run_demo(tmp_path: Path) -> str:
    env = dict(os.environ, SATUPINTU_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
               SATUPINTU_DEMO_PASSWORD="demo-sandi-uji-123", SATUPINTU_SECRET_KEY=SECRET)
    done = subprocess.run([sys.executable, "-m", "satupintu", "demo", "--port", str(PORT)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_prints_one_time_addresses_that_turn_a_browser_into_its_kiosk_and_board(tmp_path, capsys, monkeypatch):
    out = run_demo(tmp_path)
    links = dict(re.findall(r"^  (.+?): (http://\S+)$", out, re.M))
    assert "Perangkat demo sudah dipasangkan" in out
    kiosk = links["Kios MPP Lahat (layar sentuh 1080x1920)"]
    board = links["Papan antrean MPP Lahat (TV 1920x1080)"]
    assert links["Konsol petugas Loket 4 (masuk sebagai petugas.dukcapil)"].endswith("/loket/lahat/4")
    assert all(u.startswith(f"http://127.0.0.1:{PORT}/") for u in links.values())
    # The server runs with the demo's settings, as `make demo --serve` does: sealed values (the
    # devices' tokens until collected) open with the same secret.
    monkeypatch.setenv("SATUPINTU_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with LiveServer(db, secret_key=SECRET) as server:
            def local(url: str) -> str:
                return server.url + url.split(str(PORT), 1)[1]

            with httpx.Client(follow_redirects=True, timeout=30) as browser:
                first = browser.get(local(kiosk))
                assert first.status_code == 200 and first.url.path == "/kios/lahat"
                assert "satupintu_device" in browser.cookies
            with httpx.Client(follow_redirects=True, timeout=30) as other:
                again = other.get(local(kiosk))  # the link is spent: a fresh code to pair by hand
                assert again.url.path == "/pasang" and "satupintu_device" not in other.cookies
                assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", again.text)
            with httpx.Client(follow_redirects=True, timeout=30) as tv:
                assert tv.get(local(board)).url.path == "/papan/lahat"
        logged = capsys.readouterr().out  # the request log never keeps a link's claim
        assert "klaim=***" in logged and kiosk.split("klaim=")[1] not in logged
    finally:
        db.dispose()
        monkeypatch.delenv("SATUPINTU_SECRET_KEY")
        get_settings.cache_clear()
    again = run_demo(tmp_path)  # a second `make demo` changes nothing and pairs nothing new
    assert "Data demo sudah ada" in again and "/pasang?klaim=" not in again
