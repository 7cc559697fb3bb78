"""TLS and HTTP/2 at the balancer: deploy/haproxy/haproxy.cfg as shipped, its optional TLS bind
switched on through its environment variables, in front of a real SatuPintu server.

A certificate authority and a server certificate for 127.0.0.1 are made here (the `cryptography`
package, a dependency of the app); httpx with h2 trusts only that authority. Through TLS a page
answers over HTTP/2; a board's event stream opened over HTTP/2 receives a ticket issued after it
opened while it is still open (HAProxy relays it, nothing holds it back); plain HTTP is sent to
HTTPS when SATUPINTU_HAPROXY_HTTPS_ONLY is set. Skipped without HAProxy, unless
SATUPINTU_TEST_REQUIRE_POSTGRES=1 (CI, where .ci/run installs it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import REQUIRE_PG, LiveServer, free_port, token_for

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
SHIPPED_CFG = Path(__file__).resolve().parents[1] / "deploy" / "haproxy" / "haproxy.cfg"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> tuple[Path, Path]:
    """(the authority's certificate, the server's PEM for HAProxy: certificate then key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("SatuPintu Test CA")).issuer_name(_name("SatuPintu Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path, pem_path = folder / "ca.pem", folder / "satupintu.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pem_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    pem_path.chmod(0o600)
    return ca_path, pem_path


class Balancer:
    """HAProxy from the shipped file, plain HTTP and TLS binds, one app host (the live server)."""

    def __init__(self, app_port: int, folder: Path, pem: Path) -> None:
        self.http_port, self.https_port = free_port(), free_port()
        self.env = dict(os.environ, SATUPINTU_HAPROXY_BIND=f"127.0.0.1:{self.http_port}",
                        SATUPINTU_HAPROXY_TLS_BIND=f"127.0.0.1:{self.https_port}",
                        SATUPINTU_HAPROXY_CERT=str(pem), SATUPINTU_HAPROXY_HTTPS_ONLY="1",
                        SATUPINTU_APP1=f"127.0.0.1:{app_port}",
                        # the shipped file names three hosts: nothing listens here, so these are down
                        SATUPINTU_APP2="127.0.0.1:9", SATUPINTU_APP3="127.0.0.1:9")
        self.log_path = folder / "haproxy.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Balancer:
        check = subprocess.run([HAPROXY, "-c", "-f", str(SHIPPED_CFG)], env=self.env, capture_output=True,
                               text=True, timeout=30)
        assert check.returncode == 0, check.stdout + check.stderr
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(SHIPPED_CFG)], env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:  # up, and the app host passed its health check
            assert self.proc.poll() is None, self.log()
            with contextlib.suppress(OSError, httpx.TransportError):
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                    pass
                if httpx.get(f"http://127.0.0.1:{self.http_port}/healthz", timeout=2).status_code in (200, 301):
                    r = httpx.get(f"https://127.0.0.1:{self.https_port}/healthz", timeout=2, verify=False)
                    if r.status_code == 200:
                        return self
            assert time.monotonic() < deadline, "HAProxy did not come up: " + self.log()
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def balanced(fresh_demo_db, tmp_path) -> Iterator[tuple[LiveServer, Balancer, ssl.SSLContext]]:
    if not os.access(HAPROXY, os.X_OK):
        if REQUIRE_PG:
            pytest.fail(f"HAProxy not installed ({HAPROXY})")
        pytest.skip(f"HAProxy not installed ({HAPROXY})")
    ca, pem = make_certificates(tmp_path)
    trust = ssl.create_default_context(cafile=str(ca))
    with LiveServer(fresh_demo_db) as live, Balancer(live.port, tmp_path, pem) as balancer:
        yield live, balancer, trust


def test_a_page_answers_over_http2_through_tls_and_plain_http_is_sent_to_https(balanced):
    live, balancer, trust = balanced
    with httpx.Client(base_url=f"https://127.0.0.1:{balancer.https_port}", http2=True, verify=trust,
                      timeout=30) as c:
        page = c.get("/mpp/lahat")  # the site's public page, in Indonesian
        assert page.status_code == 200 and page.http_version == "HTTP/2"
        assert page.headers["content-type"].startswith("text/html") and '<html lang="id"' in page.text
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert page.headers["x-served-by"] == "app1"
        api = c.get("/healthz")
        assert api.http_version == "HTTP/2" and api.json()["status"] == "ok"
    with httpx.Client(base_url=f"https://127.0.0.1:{balancer.https_port}", verify=trust, timeout=30) as old:
        assert old.get("/healthz").http_version == "HTTP/1.1"  # a client without h2 still gets HTTP/1.1
    plain = httpx.get(f"http://127.0.0.1:{balancer.http_port}/antrean?x=1", timeout=30)
    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://127.0.0.1:{balancer.http_port}/antrean?x=1"
    assert "strict-transport-security" not in plain.headers


def test_an_event_stream_over_http2_gets_a_ticket_issued_after_it_opened_while_it_is_still_open(balanced):
    """The board's stream through TLS and HTTP/2: its snapshot, then a ticket the kiosk issues
    afterwards arrives as its own event on the same open stream (nothing buffers it)."""
    live, balancer, trust = balanced
    snapshot, stop = threading.Event(), threading.Event()
    seen: list[dict] = []
    got_ticket = threading.Event()
    versions: list[str] = []
    errors: list[BaseException] = []

    def watch() -> None:
        try:
            with httpx.Client(base_url=f"https://127.0.0.1:{balancer.https_port}", http2=True, verify=trust,
                              timeout=30) as c, c.stream("GET", "/api/v1/sites/lahat/events") as r:
                versions.append(r.http_version)
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
                kind = ""
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                        if kind == "snapshot":
                            snapshot.set()
                    elif line.startswith("data: ") and kind == "ticket.issued":
                        seen.append(json.loads(line.removeprefix("data: ")))
                        got_ticket.set()
                    if stop.is_set() or got_ticket.is_set():
                        return  # the event came on a stream that is still open: closed here, by us
        except BaseException as exc:  # reported to the test's thread
            errors.append(exc)
            snapshot.set()
            got_ticket.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert snapshot.wait(30) and not errors, errors
        with live.client() as c:  # the kiosk, straight to the app host
            manager = token_for(c, "pengelola")
            kiosk = {"X-Device-Token": c.post("/api/v1/sites/lahat/devices", headers=manager,
                                              json={"kind": "kiosk", "name": "Kios"}).json()["token"]}
            issued = c.post("/api/v1/sites/lahat/tickets", headers=kiosk, json={"service": "DKC-01"})
            assert issued.status_code == 201
        assert got_ticket.wait(30), "the ticket never reached the open stream: " + balancer.log()[-2000:]
        watcher.join(30)
    finally:
        stop.set()
    assert not errors, errors
    assert versions == ["HTTP/2"]
    assert [e["number"] for e in seen] == [issued.json()["number"]]
