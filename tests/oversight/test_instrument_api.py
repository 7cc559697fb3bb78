"""Facilities, readiness, the readiness instrument and the national view over the real HTTP API,
on both databases: what each caller reads, the CSV beside the JSON, and every refusal (401
without credentials, 403 for another site's manager or a manager editing the instrument, 422
naming the field, 409 for an edit that started from an older version)."""

from __future__ import annotations

import copy
import csv
import io

import httpx
import pytest

from tests.conftest import LiveServer, token_for


@pytest.fixture(scope="module")
def auth(server: LiveServer) -> dict[str, dict[str, str]]:
    with server.client() as c:
        overseer = token_for(c, "overseer")
        assert c.post("/api/v1/sites", headers=overseer, json={
            "code": "oku", "name": "MPP Kabupaten Ogan Komering Ulu", "timezone": "Asia/Jakarta"}).status_code == 201
        assert c.post("/api/v1/users", headers=overseer, json={
            "username": "pengelola.oku", "full_name": "Pengelola OKU", "password": "sandi-oku-12345",
            "role": "site_manager", "site": "oku"}).status_code == 201
        return {"overseer": overseer, "manager": token_for(c, "pengelola"),
                "other manager": token_for(c, "pengelola.oku", "sandi-oku-12345")}


def _rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_manager_reads_the_facilities_checklist_as_json_and_csv(server, auth):
    """Lahat's manager sees all 18 facilities with the measure; the CSV has a line per facility;
    another site's manager is refused and an anonymous caller must sign in."""
    with server.client() as c:
        r = c.get("/api/v1/sites/lahat/facilities", headers=auth["manager"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["site"] == "lahat" and body["can_edit"] is True and len(body["lines"]) == 18
        assert body["measure"]["applicable"] + body["measure"]["not_applicable"] == 18
        lines = _rows(c.get("/api/v1/sites/lahat/facilities", params={"format": "csv"},
                            headers=auth["manager"]).content)
        assert lines[0][:2] == ["Kode", "Sarana"] and len(lines) == 19
        assert c.get("/api/v1/sites/lahat/facilities").status_code == 401
        other = c.get("/api/v1/sites/lahat/facilities", headers=auth["other manager"])
        assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
        bad = c.get("/api/v1/sites/lahat/facilities", params={"format": "pdf"}, headers=auth["manager"])
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "format"


def test_the_manager_reads_the_readiness_assessment_scored_with_the_current_instrument(server, auth):
    """Six aspects, an index on the 0-5 scale with its category, the gaps; the CSV lists every
    indicator; another site's manager is refused."""
    with server.client() as c:
        r = c.get("/api/v1/sites/lahat/readiness", headers=auth["manager"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["aspects"]) == 6 and 0 <= body["index"] <= 5 and body["category"]
        assert body["instrument_version"] >= 1
        indicators = sum(len(a["indicators"]) for a in body["aspects"])
        lines = _rows(c.get("/api/v1/sites/lahat/readiness", params={"format": "csv"},
                            headers=auth["manager"]).content)
        assert lines[0][0] == "Aspek" and len(lines) == indicators + 1
        assert c.get("/api/v1/sites/lahat/readiness", headers=auth["other manager"]).status_code == 403
        assert c.get("/api/v1/sites/lahat/readiness").status_code == 401


def test_the_overseer_saves_a_new_instrument_version_and_sites_are_assessed_with_it(server, auth):
    """The manager reads the instrument but may not save it; the overseer's bad edits are refused
    naming the field, a good one becomes the next version and Lahat's assessment uses it; an
    edit started from the old version is then refused with 409."""
    with server.client() as c:
        assert c.get("/api/v1/readiness/instrument").status_code == 401
        seen = c.get("/api/v1/readiness/instrument", headers=auth["manager"])
        assert seen.status_code == 200 and seen.json()["can_edit"] is False
        current = c.get("/api/v1/readiness/instrument", headers=auth["overseer"]).json()
        assert current["can_edit"] is True and len(current["aspects"]) == 6
        body = {"name": current["name"], "aspects": copy.deepcopy(current["aspects"]),
                "base_version": current["version"], "note": "Bobot 2024"}

        refused = c.put("/api/v1/readiness/instrument", headers=auth["manager"], json=body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert c.put("/api/v1/readiness/instrument", json=body).status_code == 401

        wrong_sum = copy.deepcopy(body)
        wrong_sum["aspects"][0]["weight"] = 31
        r = c.put("/api/v1/readiness/instrument", headers=auth["overseer"], json=wrong_sum)
        assert r.status_code == 422 and r.json()["error"]["field"] == "aspects"
        assert "101" in r.json()["error"]["details"][0]["message"]

        not_a_number = copy.deepcopy(body)
        not_a_number["aspects"][1]["indicators"][0]["weight"] = "tiga puluh"
        r = c.put("/api/v1/readiness/instrument", headers=auth["overseer"], json=not_a_number)
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "aspects[1].indicators[0].weight"

        unknown_measure = copy.deepcopy(body)
        unknown_measure["aspects"][0]["indicators"][0]["measure"] = "tidak_ada"
        r = c.put("/api/v1/readiness/instrument", headers=auth["overseer"], json=unknown_measure)
        assert r.status_code == 422 and r.json()["error"]["field"] == "aspects[0].indicators[0].measure"

        bad_base = {**body, "base_version": "satu"}
        r = c.put("/api/v1/readiness/instrument", headers=auth["overseer"], json=bad_base)
        assert r.status_code == 422 and r.json()["error"]["field"] == "base_version"

        after_refusals = c.get("/api/v1/readiness/instrument", headers=auth["overseer"]).json()
        assert after_refusals["version"] == current["version"]  # nothing was half-written

        good = copy.deepcopy(body)
        good["aspects"][0]["weight"], good["aspects"][5]["weight"] = 24, 13  # 2024's Kebijakan Pelayanan
        good["aspects"][5]["indicators"][0]["text"] = "Inovasi pelayanan diterapkan dan dilaporkan"
        r = c.put("/api/v1/readiness/instrument", headers=auth["overseer"], json=good)
        assert r.status_code == 200, r.text
        saved = r.json()
        assert saved["version"] == current["version"] + 1 and saved["note"] == "Bobot 2024"
        assert [h["version"] for h in saved["history"]][:2] == [saved["version"], current["version"]]

        assessed = c.get("/api/v1/sites/lahat/readiness", headers=auth["manager"]).json()
        assert assessed["instrument_version"] == saved["version"]
        assert assessed["aspects"][0]["weight"] == 24
        assert assessed["aspects"][5]["indicators"][0]["text"] == "Inovasi pelayanan diterapkan dan dilaporkan"

        stale = c.put("/api/v1/readiness/instrument", headers=auth["overseer"], json=good)
        assert stale.status_code == 409 and stale.json()["error"]["field"] == "base_version"


def test_the_overseer_reads_the_national_view_filtered_paged_and_as_csv(server, auth):
    """Every site side by side; the province filter keeps only its sites; `limit=1` pages with a
    Link header; the CSV has the page's columns; a manager is refused, a reversed period named."""
    with server.client() as c:
        r = c.get("/api/v1/national", headers=auth["overseer"])
        assert r.status_code == 200, r.text
        rows = r.json()
        assert int(r.headers["x-total-count"]) == len(rows) and "lahat" in [x["code"] for x in rows]
        lahat = next(x for x in rows if x["code"] == "lahat")
        assert lahat["visitors"] > 0 and lahat["province"]
        only = c.get("/api/v1/national", params={"province": lahat["province_code"]}, headers=auth["overseer"])
        assert {x["province_code"] for x in only.json()} == {lahat["province_code"]}
        regency = c.get("/api/v1/national", params={"regency": lahat["regency_code"]}, headers=auth["overseer"])
        assert {x["regency_code"] for x in regency.json()} == {lahat["regency_code"]}
        first = c.get("/api/v1/national", params={"limit": 1}, headers=auth["overseer"])
        assert len(first.json()) == 1
        if len(rows) > 1:
            url = first.headers["link"].split(";")[0].strip("<>")
            assert httpx.get(url, headers=auth["overseer"], timeout=30).json()[0]["code"] == rows[1]["code"]
        lines = _rows(c.get("/api/v1/national", params={"format": "csv"}, headers=auth["overseer"]).content)
        assert lines[0][:2] == ["Kode", "Nama"] and len(lines) == len(rows) + 1
        manager = c.get("/api/v1/national", headers=auth["manager"])
        assert manager.status_code == 403
        assert c.get("/api/v1/national").status_code == 401
        reversed_period = c.get("/api/v1/national", params={"start": "2026-11-20", "end": "2026-11-01"},
                                headers=auth["overseer"])
        assert reversed_period.status_code == 422 and reversed_period.json()["error"]["field"] == "end"
