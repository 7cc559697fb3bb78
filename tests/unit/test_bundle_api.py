"""The centre's bundle endpoint over real HTTP: a unit's key of the mall gets its event's rows;
a key limited to one agency, or without `unit:sync`, is refused."""

from __future__ import annotations

import json
from pathlib import Path

from satupintu.catalogue import service as catalogue
from satupintu.db import Database
from satupintu.migrate import upgrade
from satupintu.scope import SYSTEM
from satupintu.unit import service as unit
from tests.conftest import LiveServer, token_for
from tests.integration.test_key_api import issue_key


def test_a_units_key_pulls_its_event_and_the_van_applies_it(bare_server: LiveServer, tmp_path: Path) -> None:
    """The van calls the centre with its key and ends up with the event's six counters."""
    with bare_server.client() as c:
        manager = token_for(c, "pengelola")
        key = issue_key(c, manager, "Unit keliling Plaza Lematang", scopes=["unit:sync"], agency=None)
        r = c.get("/api/v1/sites/plaza-lematang/unit/bundle", headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        agency_key = issue_key(c, manager, "Unit keliling Dukcapil", scopes=["unit:sync"])
        refused = c.get("/api/v1/sites/plaza-lematang/unit/bundle", headers={"X-API-Key": agency_key})
        assert refused.status_code == 403 and "seluruh acara" in refused.json()["error"]["message"]
        reader = issue_key(c, manager, "Pembaca", scopes=["catalogue:read"], agency=None)
        missing = c.get("/api/v1/sites/plaza-lematang/unit/bundle", headers={"X-API-Key": reader})
        assert missing.status_code == 403 and missing.json()["error"]["code"] == "scope_missing"
        mall = c.get("/api/v1/sites/lahat/unit/bundle", headers={"X-API-Key": key})
        assert mall.status_code == 422 and mall.json()["error"]["field"] == "site"
    url = f"sqlite:///{tmp_path / 'van.db'}"
    upgrade(url)
    van = Database(url)
    try:
        done = unit.apply_bundle(van, SYSTEM, json.loads(r.text))
        assert done.written["counters"] == 6
        assert [x.number for x in catalogue.list_counters(van, "plaza-lematang")] == [1, 2, 3, 4, 5, 6]
    finally:
        van.dispose()
