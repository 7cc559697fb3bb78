"""Schemathesis against our own OpenAPI document, on SQLite and PostgreSQL: generated requests
to every operation (a bounded number of examples each) answer no server error, and every
answer's status, content type and body are the ones the document states. An integrator who
trusts the document is never surprised. A second, smaller run does the same as a client system:
an API key (X-API-Key) holding every scope, limited to one agency, against every route the key
scope table opens to keys."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from satupintu.integration import keys
from tests.conftest import token_for
from tests.integration.test_key_api import issue_key

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Operations left out: two would end the run's own credentials part-way (sign out, a new
# password); the roster solver searches up to its time limit on every call, so five generated
# calls would take minutes (tests/staffing/ covers it against its documented answers).
LEFT_OUT = ("logout", "change_password", "generate")


def schemathesis(server, tmp_path, headers: dict[str, str], max_examples: int,  # type: ignore[no-untyped-def]
                 options: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "schemathesis.toml"
    header_lines = "\n".join(f'{name} = "{value}"' for name, value in headers.items())
    config.write_text(f'[headers]\n{header_lines}\n\n[parameters]\nsite = "lahat"\n')
    command = [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run",
               f"{server.url}/api/v1/openapi.json", "--max-examples", str(max_examples), "--seed", "20261202",
               "--phases", "examples,fuzzing", "--checks", CHECKS, "--workers", "1", "--request-timeout", "60",
               "--no-color", "--report-dir", str(tmp_path / "report"), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=tmp_path)


@pytest.mark.timeout(900)
def test_generated_requests_meet_the_documented_contract(server, tmp_path):
    with server.client() as c:
        headers = token_for(c, "pengelola")
    options = [arg for op in LEFT_OUT for arg in ("--exclude-operation-id", op)]
    run = schemathesis(server, tmp_path, headers, 5, options, 850)
    summary = run.stdout[run.stdout.find("=== SUMMARY") if "=== SUMMARY" in run.stdout else -4000:]
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-2000:]
    assert "Tested: " in summary  # the run reached every selected operation


@pytest.mark.timeout(400)
def test_generated_requests_with_an_api_key_meet_the_documented_contract(server, tmp_path):
    """Bounded: only the routes of the key scope table (about twenty), eight examples each."""
    with server.client() as c:
        key = issue_key(c, token_for(c, "pengelola"), "Schemathesis", scopes=list(keys.SCOPES),
                        rate_per_minute=keys.MAX_RATE_PER_MINUTE)
        spec = c.get("/api/v1/openapi.json").json()
    table = {(m.lower(), keys.API_PREFIX + p) for m, p in keys.ROUTE_SCOPES}
    ops = sorted(op["operationId"] for path, item in spec["paths"].items() for m, op in item.items()
                 if (m, path) in table)
    assert len(ops) == len(table)
    run = schemathesis(server, tmp_path, {"X-API-Key": key}, 8,
                       [arg for op in ops for arg in ("--include-operation-id", op)], 380)
    summary = run.stdout[run.stdout.find("=== SUMMARY") if "=== SUMMARY" in run.stdout else -4000:]
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-2000:]
    print(summary)
    assert f"Tested: {len(ops)}" in summary  # every route a key may call was reached
