"""The integration guide /api/v1/panduan: Indonesian by default, English on request, linked from the
API documentation and the integration page; and its examples work as printed. The curl and Python
code blocks are taken from the served page and run, unchanged, against a real server on SQLite and
PostgreSQL (catalogue read, status push with Idempotency-Key, retried), and the webhook receiver
examples verify a Standard Webhooks delivery signed with the `standardwebhooks` package."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from tests.conftest import LiveServer, token_for
from tests.integration.test_key_api import issue_key
from tests.test_pages import login

GUIDE = "/api/v1/panduan"
BLOCK = re.compile(r'<code class="language-(\w+)" data-example="([\w-]+)">(.*?)</code>', re.DOTALL)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def examples(page: str) -> dict[str, str]:
    return {name: html.unescape(code) for _, name, code in BLOCK.findall(page)}


@pytest.fixture(scope="module")
def guide_examples(server: LiveServer) -> dict[str, str]:
    """The examples as the served page shows them."""
    with server.client() as c:
        page = c.get(GUIDE).text
    found = examples(page)
    assert set(found) == {"catalogue-curl", "catalogue-python", "status-curl", "status-python", "webhook-python",
                          "webhook-shell", "subscribe-curl", "subscriptions-python"}
    return found


def run(language: str, code: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = ["bash", "-e", "-c", code] if language == "bash" else [sys.executable, "-c", code]
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, cwd=cwd)


def test_the_guide_is_indonesian_with_english_on_request_and_linked_from_the_docs(server: LiveServer):
    with server.client() as c:
        page = c.get(GUIDE)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<html lang="id">' in page.text and "<h1>Panduan integrasi API</h1>" in page.text
        assert "<code>applications:write</code>" in page.text and "/api/v1/sites/{site}/applications" in page.text
        english = c.get(GUIDE + "?lang=en")
        assert '<html lang="en">' in english.text and "<h1>API integration guide</h1>" in english.text
        assert examples(english.text) == examples(page.text)  # the code is the same in both languages
        assert "(/api/v1/panduan)" in c.get("/api/v1/openapi.json").json()["info"]["description"]
        login(c, "pengelola")
        assert f'href="{GUIDE}"' in c.get("/kelola/lahat/integrasi").text


def test_the_catalogue_examples_print_the_services(server: LiveServer, guide_examples):
    with server.client() as c:
        key = issue_key(c, token_for(c, "pengelola"), "Panduan katalog", scopes=["catalogue:read"])
    env = {"SATUPINTU_URL": server.url, "SATUPINTU_SITE": "lahat", "SATUPINTU_KEY": key}
    curl = run("bash", guide_examples["catalogue-curl"], env)
    assert curl.returncode == 0, curl.stderr
    assert '"code":"DKC-01"' in curl.stdout.replace(" ", "")
    python = run("python", guide_examples["catalogue-python"], env)
    assert python.returncode == 0, python.stderr
    assert any(line.startswith("DKC-01 DUKCAPIL ") for line in python.stdout.splitlines())


def test_the_status_examples_move_the_application_once_even_when_retried(server: LiveServer, guide_examples):
    with server.client() as c:
        key = issue_key(c, token_for(c, "pengelola"), "Panduan SIAK",
                        scopes=["applications:read", "applications:write"])
        opened = c.post("/api/v1/sites/lahat/applications", headers={"X-API-Key": key},
                        json={"service": "DKC-01", "applicant_name": "Siti Aminah", "nik": "1604011208850001"})
        assert opened.status_code == 201, opened.text
        app_id = opened.json()["application"]["id"]
        env = {"SATUPINTU_URL": server.url, "SATUPINTU_SITE": "lahat", "SATUPINTU_KEY": key, "APPLICATION_ID": app_id}
        first = run("bash", guide_examples["status-curl"], env)
        assert first.returncode == 0, first.stdout + first.stderr
        retry = run("bash", guide_examples["status-curl"], env)  # the answer was "lost": sent again
        assert retry.returncode == 0 and retry.stdout == first.stdout
        python = run("python", guide_examples["status-python"], env)
        assert python.returncode == 0, python.stderr
        assert python.stdout.strip() == f"{opened.json()['tracking_number']} -> diproses"
        again = run("python", guide_examples["status-python"], env)  # same key: same answer, no new step
        assert again.stdout == python.stdout
        now = c.get(f"/api/v1/sites/lahat/applications/{app_id}", headers={"X-API-Key": key}).json()
        assert [(s["action"], s["by"]) for s in now["history"]] == [
            ("terima", "Panduan SIAK"), ("verifikasi", "Panduan SIAK"), ("proses", "Panduan SIAK")]
        assert now["history"][1]["note"] == "Berkas sesuai data SIAK."
        assert now["external_refs"] == [{"client": "Panduan SIAK", "external_ref": "SIAK-2026-000123"}]


def test_the_subscription_examples_subscribe_the_system_and_list_its_own_subscriptions(
        server: LiveServer, guide_examples):
    """The curl example subscribes the calling system (the secret in its answer); the Python
    example lists that subscription, and no other system's, with its URL and event types."""
    with server.client() as c:
        manager = token_for(c, "pengelola")
        key = issue_key(c, manager, "Panduan langganan", scopes=["webhooks:manage", "applications:read"])
        other = issue_key(c, manager, "Panduan sistem lain", scopes=["webhooks:manage", "applications:read"])
        r = c.post("/api/v1/sites/lahat/webhooks", headers={"X-API-Key": other},
                   json={"url": "https://lain.lahatkab.go.id/hook", "event_types": ["application.status_changed"]})
        assert r.status_code == 201, r.text
    env = {"SATUPINTU_URL": server.url, "SATUPINTU_SITE": "lahat", "SATUPINTU_KEY": key}
    curl = run("bash", guide_examples["subscribe-curl"], env)
    assert curl.returncode == 0, curl.stdout + curl.stderr
    assert '"secret":"whsec_' in curl.stdout.replace(" ", "")
    python = run("python", guide_examples["subscriptions-python"], env)
    assert python.returncode == 0, python.stderr
    lines = python.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        " https://siak.lahatkab.go.id/satupintu/webhook application.status_changed")


def _signed(body: str) -> dict[str, str]:
    msg_id, now = "msg_2Tq8dVbXl3w", datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(SECRET).sign(msg_id, now, body), "content-type": "application/json"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_python_receiver_accepts_a_signed_delivery_and_refuses_a_tampered_one(guide_examples, tmp_path):
    (tmp_path / "receiver.py").write_text(guide_examples["webhook-python"])
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "receiver:app", "--port", str(port)], cwd=tmp_path,
                            env={**os.environ, "SATUPINTU_WEBHOOK_SECRET": SECRET},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/satupintu/webhook"
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        body = '{"type":"application.status_changed","data":{"tracking_number":"PRM-7K3Q-9XWD"}}'
        headers = _signed(body)
        ok = httpx.post(url, content=body, headers=headers, timeout=10)
        assert ok.status_code == 200 and ok.json() == {"ok": True}
        tampered = httpx.post(url, content=body.replace("9XWD", "9XWE"), headers=headers, timeout=10)
        assert tampered.status_code == 400
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "msg_2Tq8dVbXl3w" in output  # processed once, printed with its id


def test_the_openssl_check_says_valid_for_a_signed_body_and_invalid_for_a_changed_one(guide_examples, tmp_path):
    body = '{"type":"application.status_changed","data":{"state":"selesai"}}'
    headers = _signed(body)
    env = {"SATUPINTU_WEBHOOK_SECRET": SECRET, "WEBHOOK_ID": headers["webhook-id"],
           "WEBHOOK_TIMESTAMP": headers["webhook-timestamp"], "WEBHOOK_SIGNATURE": headers["webhook-signature"]}
    (tmp_path / "body.json").write_text(body)
    valid = run("bash", guide_examples["webhook-shell"], env, tmp_path)
    assert valid.returncode == 0 and valid.stdout.strip() == "valid", valid.stderr
    (tmp_path / "body.json").write_text(body.replace("selesai", "ditolak"))
    invalid = run("bash", guide_examples["webhook-shell"], env, tmp_path)
    assert invalid.returncode == 1 and invalid.stdout.strip() == "INVALID"
