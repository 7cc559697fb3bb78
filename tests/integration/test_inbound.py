"""An agency's own system moves applications through their workflow with its API key, over a real
HTTP server on SQLite and PostgreSQL: it opens an application with its own reference number, finds
it again by that number, pushes statuses with notes (the officer's page shows the note and the
system's name in the history, the citizen's tracking page shows the status without the internal
note), hears 409 illegal_transition for a move the workflow does not allow and 403 for another
agency's application, and every change is in the audit log under the client's name."""

from __future__ import annotations

import uuid

import pytest

from satupintu.applications import external_refs
from tests.conftest import LiveServer, token_for
from tests.integration.test_key_api import issue_key
from tests.test_pages import login

NIK = "1604011208850001"
WRITE = ["applications:read", "applications:write", "catalogue:read", "queue:read"]


@pytest.fixture(scope="module")
def siak(server: LiveServer) -> dict[str, str]:
    """The headers of SIAK Lahat, Dukcapil's own system (a key limited to DUKCAPIL)."""
    with server.client() as c:
        return {"X-API-Key": issue_key(c, token_for(c, "pengelola"), "SIAK Lahat", scopes=WRITE)}


def _open(c, headers, ref: str | None = None, service: str = "DKC-01"):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"service": service, "applicant_name": "Siti Aminah", "nik": NIK}
    if ref is not None:
        body["external_ref"] = ref
    return c.post("/api/v1/sites/lahat/applications", headers=headers, json=body)


def test_a_client_system_opens_and_moves_an_application_like_an_officer(server, siak):
    ref = f"SIAK/2026/{uuid.uuid4().hex[:8]}"
    with server.client() as c:
        opened = _open(c, siak, ref)
        assert opened.status_code == 201, opened.text
        app = opened.json()["application"]
        assert app["external_refs"] == [{"client": "SIAK Lahat", "external_ref": ref}]
        url = f"/api/v1/sites/lahat/applications/{app['id']}/actions"

        found = c.get("/api/v1/sites/lahat/applications", params={"external_ref": ref}, headers=siak)
        assert found.status_code == 200 and [a["id"] for a in found.json()] == [app["id"]]

        pushed = c.post(url, headers=siak, json={"status": "diverifikasi", "note": "Berkas cocok dengan SIAK."})
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["state"] == "diverifikasi"
        assert pushed.json()["history"][-1]["by"] == "SIAK Lahat"
        assert c.post(url, headers=siak, json={"action": "proses"}).json()["state"] == "diproses"

        # Straight to "picked up" from "in process": the workflow does not allow it.
        illegal = c.post(url, headers=siak, json={"status": "diambil"})
        assert illegal.status_code == 409
        assert illegal.json()["error"]["code"] == "illegal_transition" and illegal.json()["error"]["field"] == "status"
        illegal = c.post(url, headers=siak, json={"action": "serahkan"})
        assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "illegal_transition"
        unknown = c.post(url, headers=siak, json={"status": "hilang"})
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_state"
        both = c.post(url, headers=siak, json={"status": "selesai", "action": "selesaikan"})
        assert both.status_code == 422 and both.json()["error"]["field"] == "action"
        done = c.post(url, headers=siak, json={"status": "selesai", "note": "Dokumen tercetak."})
        assert done.status_code == 200 and done.json()["state"] == "selesai"

        # The citizen's tracking page: the status, not the internal notes nor who wrote them.
        number = opened.json()["tracking_number"]
        public = c.get(f"/api/v1/applications/track/{number}").json()
        assert public["state"] == "selesai" and public["external_refs"] is None
        assert all(step["note"] == "" and step["by"] is None for step in public["history"])
        page = c.get(f"/permohonan/{number}")
        assert "Selesai, siap diambil" in page.text and "Berkas cocok dengan SIAK" not in page.text

        # The officer's page: the note, the system's name and its reference number.
        login(c, "petugas.dukcapil")
        detail = c.get(f"/kelola/lahat/permohonan/{app['id']}")
        assert detail.status_code == 200
        assert "Berkas cocok dengan SIAK." in detail.text and "(SIAK Lahat)" in detail.text and ref in detail.text

        audit = c.get("/api/v1/sites/lahat/audit", headers=token_for(c, "pengelola")).json()
        attached = [e for e in audit if e["action"] == "application.external_ref" and e["after"]["external_ref"] == ref]
        assert [e["actor"] for e in attached] == ["SIAK Lahat"]
        calls = [e for e in audit if e["action"] == "api_key.call" and e["actor"] == "SIAK Lahat"]
        assert "/sites/{site}/applications/{application_id}/actions" in {e["after"]["path"] for e in calls}


def test_another_agencys_application_is_refused_and_staff_cannot_attach_a_reference(server, siak):
    with server.client() as c:
        officer = token_for(c, "petugas.dpmptsp")
        theirs = _open(c, officer, service="DPM-03")
        assert theirs.status_code == 201, theirs.text
        app_id = theirs.json()["application"]["id"]
        r = c.post(f"/api/v1/sites/lahat/applications/{app_id}/actions", headers=siak, json={"action": "verifikasi"})
        assert r.status_code == 403
        assert c.get(f"/api/v1/sites/lahat/applications/{app_id}", headers=siak).status_code == 403
        assert _open(c, siak, service="DPM-03").status_code == 403
        listed = c.get("/api/v1/sites/lahat/applications", headers=siak).json()
        assert app_id not in {a["id"] for a in listed}

        r = c.post(f"/api/v1/sites/lahat/applications/{app_id}/actions", headers=officer,
                   json={"action": "verifikasi", "external_ref": "X-1"})
        assert r.status_code == 422 and r.json()["error"]["details"][0]["code"] == "client_only"
        # ... and nothing was half-written: the step was not taken either.
        assert c.get(f"/api/v1/sites/lahat/applications/{app_id}", headers=officer).json()["state"] == "diterima"


def test_a_reference_number_is_unique_per_client_and_private_to_it(server, siak):
    ref = f"SIAK-{uuid.uuid4().hex[:6]}"
    with server.client() as c:
        first = _open(c, siak, ref)
        assert first.status_code == 201
        again = _open(c, siak, ref)
        assert again.status_code == 409 and again.json()["error"]["code"] == "external_ref_taken"
        assert again.json()["error"]["field"] == "external_ref"
        bad = _open(c, siak, "nomor dengan spasi")
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "external_ref"

        # Attached later, on an action; a second, different number for the same application is refused.
        second = _open(c, siak)
        url = f"/api/v1/sites/lahat/applications/{second.json()['application']['id']}/actions"
        r = c.post(url, headers=siak, json={"action": "verifikasi", "external_ref": ref + "-B"})
        assert r.json()["external_refs"] == [{"client": "SIAK Lahat", "external_ref": ref + "-B"}]
        r = c.post(url, headers=siak, json={"action": "proses", "external_ref": ref + "-C"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "external_ref_mismatch"

        # Another client system may use the same number for its own records, and sees only its own.
        other = {"X-API-Key": issue_key(c, token_for(c, "pengelola"), "Portal Perizinan Lahat", scopes=WRITE)}
        app_id = first.json()["application"]["id"]
        r = c.post(f"/api/v1/sites/lahat/applications/{app_id}/actions", headers=other,
                   json={"action": "verifikasi", "external_ref": ref})
        assert r.status_code == 200, r.text
        assert r.json()["external_refs"] == [{"client": "Portal Perizinan Lahat", "external_ref": ref}]
        mine = c.get("/api/v1/sites/lahat/applications", params={"external_ref": ref}, headers=siak).json()
        assert [a["id"] for a in mine] == [app_id]
        staff = c.get(f"/api/v1/sites/lahat/applications/{app_id}", headers=token_for(c, "petugas.dukcapil")).json()
        assert {r["client"] for r in staff["external_refs"]} == {"SIAK Lahat", "Portal Perizinan Lahat"}


def test_a_status_push_retried_with_the_same_idempotency_key_is_taken_once(server, siak):
    with server.client() as c:
        app_id = _open(c, siak).json()["application"]["id"]
        url = f"/api/v1/sites/lahat/applications/{app_id}/actions"
        headers = {**siak, "Idempotency-Key": str(uuid.uuid4())}
        first = c.post(url, headers=headers, json={"status": "diverifikasi", "note": "Dari SIAK"})
        retry = c.post(url, headers=headers, json={"status": "diverifikasi", "note": "Dari SIAK"})
        assert first.status_code == retry.status_code == 200 and first.json() == retry.json()
        now = c.get(f"/api/v1/sites/lahat/applications/{app_id}", headers=siak).json()
        assert [s["action"] for s in now["history"]] == ["terima", "verifikasi"]


def test_an_agency_key_reads_the_catalogue_workflow_and_queue(server, siak):
    with server.client() as c:
        assert c.get("/api/v1/sites/lahat/services", headers=siak).status_code == 200
        flow = c.get("/api/v1/sites/lahat/services/DKC-01/workflow", headers=siak)
        assert flow.status_code == 200 and "diverifikasi" in flow.json()["states"]
        assert c.get("/api/v1/sites/lahat/queue", headers=siak).status_code == 200
        assert c.get("/api/v1/sites/lahat/counter-states", headers=siak).status_code == 200


@pytest.mark.parametrize("text,ok", [("DKC/2026/000123", True), ("SIAK-1604-7781", True), (" A1 ", True),
                                     ("", False), ("-A", False), ("a b", False), ("A" * 65, False)])
def test_reference_numbers_are_case_numbers_as_agencies_write_them(text, ok):
    assert (external_refs.normal_ref(text) is not None) is ok


def test_concurrent_opens_with_one_reference_number_leave_exactly_one_application(server, siak):
    """Four calls at once with the same number (a client retrying without an Idempotency-Key): one
    application is opened, the others hear 409 external_ref_taken, none a server error."""
    from concurrent.futures import ThreadPoolExecutor

    ref = f"SIAK-RACE-{uuid.uuid4().hex[:6]}"

    def one(_: int) -> tuple[int, str]:
        with server.client() as c:
            r = _open(c, siak, ref)
            return r.status_code, r.json().get("error", {}).get("code", "")

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(one, range(4)))
    assert answers == [(201, ""), (409, "external_ref_taken"), (409, "external_ref_taken"), (409, "external_ref_taken")]
    with server.client() as c:
        assert len(c.get("/api/v1/sites/lahat/applications", params={"external_ref": ref}, headers=siak).json()) == 1
