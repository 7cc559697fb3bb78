"""The front door, over real HTTP: the body limit whatever the framing, security headers on every
page, Secure cookies over HTTPS (behind a proxy too), and an access log that never writes a full
NIK or phone number but carries the request id the response echoes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from satupintu.web.frontdoor import MAX_BODY
from tests.conftest import free_port, token_for
from tests.procserver import ServerProcess

NIK = "3201234567890001"
PHONE = "081234567890"
APPLICANT_NIK = "1604011208850001"  # a NIK that passes its checks (born 12-08-1985)


class Upload:
    """A body sent in chunks with no Content-Length (chunked transfer), counting what went out."""

    def __init__(self, head: bytes, filler: bytes, total: int, tail: bytes) -> None:
        self.head, self.filler, self.total, self.tail = head, filler, total, tail
        self.sent = 0
        self.finished = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield self.head
        chunk = self.filler * (65536 // len(self.filler))
        while self.sent < self.total:
            self.sent += len(chunk)
            yield chunk
        yield self.tail
        self.finished = True


def _post_chunked(live, path: str, upload: Upload, headers: dict[str, str]) -> httpx.Response:  # type: ignore[no-untyped-def]
    with live.client() as c:
        return c.post(path, content=upload, headers=headers)


def test_a_chunked_json_body_past_the_limit_is_refused_413_before_it_is_all_read(server):
    """The public complaint form takes no login: a 64 MB chunked body was read whole into memory.
    Now the citizen (or the attacker) hears 413 in the project's shape once 12 MB have arrived."""
    upload = Upload(b'{"title": "', b"x", 64 * 1024 * 1024, b'"}')
    r = _post_chunked(server, "/api/v1/sites/lahat/complaints", upload, {"content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["error"] == {"code": "too_large", "message": "Data yang dikirim terlalu besar (maksimal 12 MB).",
                                 "field": "body"}
    assert not upload.finished and upload.sent < 64 * 1024 * 1024  # the server stopped reading
    with server.client() as c:  # and it still serves everyone else
        assert c.get("/healthz").status_code == 200


def test_a_chunked_multipart_upload_past_the_limit_is_refused_413(server):
    """A staff import (multipart, chunked) is held to the same limit as everything else."""
    with server.client() as c:
        auth = token_for(c, "pengelola")
    boundary = "satupintu-batas"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"k.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    upload = Upload(head, b"a,b,c\n", 40 * 1024 * 1024, f"\r\n--{boundary}--\r\n".encode())
    r = _post_chunked(server, "/api/v1/sites/lahat/catalogue/import", upload,
                      {**auth, "content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "too_large"
    assert not upload.finished


def test_a_body_just_under_the_limit_still_reaches_the_route(server):
    upload = Upload(b'{"title": "', b"x", MAX_BODY - 2 * 65536, b'"}')
    r = _post_chunked(server, "/api/v1/sites/lahat/complaints", upload, {"content-type": "application/json"})
    assert r.status_code == 422  # the route read it all and judged the fields
    assert upload.finished


def test_a_declared_length_past_the_limit_is_refused_at_once(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(f"POST /api/v1/sites/lahat/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {MAX_BODY + 1}\r\n\r\n{{".encode())
        answer = b""
        while chunk := sock.recv(65536):  # the server answers and closes without waiting for the body
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and b"connection: close" in head.lower()
    assert json.loads(body)["error"]["code"] == "too_large"


def test_pages_forbid_framing_and_inline_script_and_only_the_kiosk_may_use_the_camera(server):
    """Staff consoles could be framed by another site (clickjacking); now no page can be."""
    with server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk_token = c.post("/api/v1/sites/lahat/devices", headers=manager,
                             json={"kind": "kiosk", "name": "Kios CSP"}).json()["token"]
        for path in ("/mpp/lahat", "/masuk", "/api/v1/sites", "/tidak-ada"):
            r = c.get(path)
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, path
            assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
            assert r.headers["x-frame-options"] == "DENY"
            assert "camera=()" in r.headers["permissions-policy"]
            assert r.headers["x-content-type-options"] == "nosniff"
        kiosk = c.get(f"/kios/lahat?token={kiosk_token}")
        assert kiosk.status_code == 200
        assert "camera=(self)" in kiosk.headers["permissions-policy"]
        docs = c.get("/api/v1/docs")  # Swagger UI comes from its CDN with an inline start-up script
        assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def _set_cookies(r: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in r.headers.get_list("set-cookie")}


def test_cookies_are_secure_when_the_request_came_over_https_through_the_proxy(server):
    """Behind the TLS proxy (X-Forwarded-Proto from a trusted address) the session, language and
    kiosk cookies are Secure without any setting; over plain HTTP they are not."""
    with server.client() as c:
        manager = token_for(c, "pengelola")
        kiosk_token = c.post("/api/v1/sites/lahat/devices", headers=manager,
                             json={"kind": "kiosk", "name": "Kios HTTPS"}).json()["token"]
    https = {"x-forwarded-proto": "https"}
    with server.client() as c:
        cookies = _set_cookies(c.get("/masuk?lang=en", headers=https))
        assert "secure" in cookies["satupintu_session"].lower() and "Secure" in cookies["lang"]
        device = _set_cookies(c.get(f"/kios/lahat?token={kiosk_token}", headers=https))["satupintu_device"]
        assert "secure" in device.lower()
    with server.client() as c:
        cookies = _set_cookies(c.get("/masuk?lang=en"))
        assert "secure" not in cookies["satupintu_session"].lower() and "Secure" not in cookies["lang"]


def test_the_access_log_masks_niks_and_phone_numbers_and_carries_the_request_id(fresh_demo_db):
    """`satupintu serve` wrote uvicorn's access log: full URLs, NIKs and phone numbers with them.
    Now each request is one masked line with the id that the response echoes."""
    with ServerProcess(fresh_demo_db.url, workers=1, log_level="INFO") as proc:
        with httpx.Client(base_url=proc.url, timeout=30) as c:
            mine = c.get(f"/api/v1/bookings/{NIK}", params={"hp": PHONE, "hp2": "0812-3456-7890"},
                         headers={"X-Request-ID": "uji-permintaan-42"})
            made = c.get(f"/mpp/lahat/pesan?nik={NIK}")
            unsafe = c.get("/healthz", headers={"X-Request-ID": NIK})  # an id that is itself a NIK: replaced
        log = proc.output()
    assert mine.status_code == 404 and mine.headers["x-request-id"] == "uji-permintaan-42"
    made_id = made.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_id)
    assert unsafe.headers["x-request-id"] != NIK
    assert NIK not in log and PHONE not in log and "0812-3456-7890" not in log
    assert "3201********0001" in log and "0812****7890" in log
    lines = [line for line in log.splitlines() if '"http.request"' in line]
    assert any('"uji-permintaan-42"' in line and '"status": 404' in line for line in lines)
    assert any(made_id in line for line in lines)


def test_every_log_line_a_request_causes_is_json_with_its_request_id_even_from_a_service_in_a_thread(
        fresh_demo_db):
    """Two officers open a permohonan each, one with its own X-Request-ID and one without: the
    service's `application.opened` line (written in a request thread, far from the front door)
    and the access line of each carry that request's id and no other, as one JSON object each."""
    with ServerProcess(fresh_demo_db.url, workers=1, log_level="INFO") as proc:
        with httpx.Client(base_url=proc.url, timeout=30) as c:
            officer = token_for(c, "petugas.dpmptsp")
            body = {"service": "DPM-03", "applicant_name": "Siti Aminah", "nik": APPLICANT_NIK}
            given = c.post("/api/v1/sites/lahat/applications", json=body,
                           headers={**officer, "X-Request-ID": "uji-permohonan-7"})
            made = c.post("/api/v1/sites/lahat/applications", json=body, headers=officer)
        # The access line is written once the answer has gone out: wait for both (at most 10 s).
        wanted = [given.headers.get("x-request-id", ""), made.headers.get("x-request-id", "")]
        deadline = time.monotonic() + 10
        log = proc.output()
        while time.monotonic() < deadline and not all(
                any(f'"{i}"' in line and '"http.request"' in line for line in log.splitlines()) for i in wanted):
            time.sleep(0.1)
            log = proc.output()
    assert given.status_code == made.status_code == 201, (given.text, made.text)
    ids = [given.headers["x-request-id"], made.headers["x-request-id"]]
    assert ids[0] == "uji-permohonan-7" and re.fullmatch(r"[0-9a-f]{32}", ids[1])
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    for request_id in ids:
        mine = [r for r in records if r.get("request_id") == request_id]
        assert [r["event"] for r in mine if r["event"] != "http.request"] == ["application.opened"], mine
        access = [r for r in mine if r["event"] == "http.request"]
        assert len(access) == 1 and access[0]["status"] == 201 and access[0]["method"] == "POST"
    opened = [r for r in records if r["event"] == "application.opened"]
    assert sorted(r["request_id"] for r in opened) == sorted(ids)  # none without an id, none with another's
    assert APPLICANT_NIK not in log


CRASHING_SERVE = """
import sys
import satupintu.app
from satupintu import cli

made = satupintu.app.create_app


def create_app(*args, **kwargs):
    app = made(*args, **kwargs)

    @app.get("/uji/rusak")
    def broken() -> None:
        raise RuntimeError("gagal memproses NIK " + sys.argv[2])

    return app


satupintu.app.create_app = create_app
cli._serve("127.0.0.1", int(sys.argv[1]), workers=1)
"""


def test_an_unhandled_error_is_logged_as_json_with_its_request_id_and_a_masked_traceback(fresh_demo_db, tmp_path):
    """`satupintu serve`'s own path (cli._serve), with one route that raises: the error's line
    carries the request id the 500 echoes and its traceback without the NIK in the message, and
    every line the server wrote, uvicorn's included, is one JSON object."""
    script = tmp_path / "serve_crashing.py"
    script.write_text(CRASHING_SERVE)
    port = free_port()
    env = dict(os.environ, SATUPINTU_DATABASE_URL=fresh_demo_db.url, SATUPINTU_SECRET_KEY="test-secret-log",
               SATUPINTU_LOG_LEVEL="INFO")
    with open(tmp_path / "server.log", "wb") as out:
        proc = subprocess.Popen([sys.executable, str(script), str(port), NIK], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        crashed = httpx.get(url + "/uji/rusak", headers={"X-Request-ID": "uji-galat-9"}, timeout=30)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    log = (tmp_path / "server.log").read_text()
    assert crashed.status_code == 500 and crashed.headers["x-request-id"] == "uji-galat-9"
    lines = [line for line in log.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line: one JSON object
    errors = [r for r in records if r["event"] == "http.error"]
    assert len(errors) == 1 and errors[0]["request_id"] == "uji-galat-9" and errors[0]["level"] == "error"
    assert "RuntimeError: gagal memproses NIK 3201********0001" in errors[0]["exception"]
    assert any(r.get("logger", "").startswith("uvicorn") for r in records)  # the server's own lines too
    assert NIK not in log


@pytest.mark.parametrize("path", ["/api/v1/tidak-ada", "/tidak-ada"])
def test_an_unknown_address_answers_404_in_the_projects_shape(server, path):
    with server.client() as c:
        r = c.get(path)
    assert r.status_code == 404
    if path.startswith("/api/"):
        assert r.json()["error"]["code"] == "not_found"
    else:
        assert "Alamat tidak ditemukan." in r.text
