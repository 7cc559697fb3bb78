"""A real `satupintu serve --workers N` in its own process group, for load and crash tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import httpx

from tests.conftest import free_port


class ServerProcess:
    def __init__(self, database_url: str, workers: int = 2, secret: str = "test-secret-proc",
                 redis_url: str | None = None, log_level: str = "WARNING") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, SATUPINTU_DATABASE_URL=database_url, SATUPINTU_SECRET_KEY=secret,
                        SATUPINTU_LOG_LEVEL=log_level)
        if redis_url:
            self.env["SATUPINTU_REDIS_URL"] = redis_url
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        # Output goes to a file: an unread pipe fills up and blocks the server when it logs. The server
        # keeps its own handle on the file; ours is closed once it started.
        with tempfile.NamedTemporaryFile(prefix="satupintu-server-", suffix=".log", delete=False) as log:
            self.log_path = log.name
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "satupintu", "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.output()[-2000:])
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    time.sleep(0.3 * self.workers)  # let every worker finish booting
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, as in a power cut."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
