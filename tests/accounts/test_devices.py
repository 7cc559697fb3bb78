"""Pairing a kiosk or board by its short code, on SQLite and PostgreSQL: what the manager and
the waiting device see, and that a refused confirmation writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from satupintu.accounts import pairing, service
from satupintu.accounts.models import DevicePairing, DeviceToken
from satupintu.audit import AuditEntry
from satupintu.catalogue import service as catalogue
from satupintu.catalogue.schemas import SiteIn
from satupintu.errors import Forbidden, ValidationFailed
from satupintu.queueing import service as queueing
from satupintu.roles import DeviceKind, Role
from satupintu.scope import SYSTEM
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD


def manager(db, username="pengelola"):
    return service.authenticate(db, username, DEMO_PASSWORD)


def counts(db) -> tuple[int, int, int]:
    """(devices, audit entries, confirmed pairings)."""
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(DeviceToken)),
                s.scalar(select(func.count()).select_from(AuditEntry)),
                s.scalar(select(func.count()).select_from(DevicePairing).where(DevicePairing.device_id.is_not(None))))


def pair_in(code: str, **kw: object) -> service.PairingIn:
    return service.PairingIn.model_validate({"code": code, "name": "Kios lobi", "kind": "kiosk", "site": "lahat", **kw})


def field_codes(exc: ValidationFailed) -> dict[str, str]:
    return {d.field: d.code for d in exc.details}


def test_a_right_code_creates_one_device_and_the_waiting_device_gets_its_token_exactly_once(fresh_demo_db):
    db = fresh_demo_db
    state, claim = service.open_pairing(db, None)
    assert state.state == "waiting" and claim and state.code and len(state.code) == pairing.CODE_LENGTH
    assert service.pairing_status(db, claim).state == "waiting"
    before = counts(db)
    # The manager types the code as a person would: lower case, with the dash and a space.
    typed = pairing.display(state.code).lower().replace("-", " - ")
    out = service.confirm_pairing(db, manager(db), "lahat", pair_in(typed))
    assert (out.kind, out.name, out.site) == (DeviceKind.kiosk, "Kios lobi", "lahat")
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 1)
    first = service.pairing_status(db, claim)
    assert first.state == "paired" and first.token and (first.kind, first.site) == (DeviceKind.kiosk, "lahat")
    device = service.device_from_token(db, first.token)
    assert (device.id, device.kind, device.site_code) == (out.id, DeviceKind.kiosk, "lahat")
    again = service.pairing_status(db, claim)
    assert again.state == "delivered" and again.token is None
    # Reloading /pasang afterwards gives a fresh code; the token is never handed out again.
    reopened, new_claim = service.open_pairing(db, claim)
    assert reopened.state == "waiting" and reopened.token is None and new_claim and new_claim != claim
    with db.read() as s:
        row = s.scalar(select(DevicePairing).where(DevicePairing.device_id == out.id))
        assert row is not None and row.token_sealed is None and row.delivered_at is not None
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "device.pair"))
        assert entry is not None and entry.after and entry.after["token_hash"] == "***"


def test_a_wrong_code_is_refused_beside_the_code_field_and_nothing_is_written(fresh_demo_db):
    db = fresh_demo_db
    service.open_pairing(db, None)
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        service.confirm_pairing(db, manager(db), "lahat", pair_in("KKKK-KKKK"))
    assert field_codes(err.value) == {"code": "wrong_code"}
    with pytest.raises(ValidationFailed) as err:  # a letter no code has (O), and a missing name
        service.confirm_pairing(db, manager(db), "lahat", pair_in("K7MX-4RHO", name=" "))
    assert field_codes(err.value) == {"code": "wrong_code", "name": "required"}
    assert counts(db) == before


def test_an_expired_code_is_refused_and_the_device_is_told_to_reload(fresh_demo_db):
    db = fresh_demo_db
    state, claim = service.open_pairing(db, None)
    assert claim and state.code
    with db.write() as s:
        s.execute(update(DevicePairing).values(created_at=utcnow() - timedelta(minutes=pairing.PAIRING_MINUTES + 1)))
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code))
    assert field_codes(err.value) == {"code": "expired_code"}
    assert counts(db) == before
    assert service.pairing_status(db, claim).state == "expired"
    fresh, new_claim = service.open_pairing(db, claim)  # the reload: a new code
    assert fresh.state == "waiting" and new_claim and fresh.code != state.code


def test_a_code_confirmed_twice_makes_one_device_only(fresh_demo_db):
    db = fresh_demo_db
    state, _claim = service.open_pairing(db, None)
    assert state.code
    service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code))
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code, name="Kios kedua"))
    assert field_codes(err.value) == {"code": "used_code"}
    assert counts(db) == before


def test_another_sites_manager_is_refused_and_nothing_is_written(fresh_demo_db):
    db = fresh_demo_db
    catalogue.create_site(db, SYSTEM, SiteIn(code="muara", name="MPP Muara Enim", opening_hours={}))
    service.create_user(db, SYSTEM, service.UserIn(username="pengelola.muara", full_name="Pengelola Muara",
                                                   password=DEMO_PASSWORD, role=Role.site_manager, site="muara"))
    other = manager(db, "pengelola.muara")
    state, claim = service.open_pairing(db, None)
    assert state.code and claim
    before = counts(db)
    with pytest.raises(Forbidden):  # Lahat's devices page is not theirs
        service.confirm_pairing(db, other, "lahat", pair_in(state.code))
    with pytest.raises(ValidationFailed) as err:  # from their own page, a device for Lahat
        service.confirm_pairing(db, other, "muara", pair_in(state.code))
    assert field_codes(err.value) == {"site": "invalid"}
    with pytest.raises(Forbidden):
        service.devices_page(db, other, "lahat")
    assert counts(db) == before
    assert service.pairing_status(db, claim).state == "waiting"  # the device still waits


def test_a_board_for_some_agencies_at_the_mobile_event_shows_only_those(fresh_demo_db):
    db = fresh_demo_db
    state, claim = service.open_pairing(db, None)
    assert state.code and claim
    with pytest.raises(ValidationFailed) as err:
        service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code, kind="board", agencies=["NOPE"]))
    assert field_codes(err.value) == {"agencies": "invalid"}
    out = service.confirm_pairing(db, manager(db), "lahat", pair_in(
        state.code, kind="board", name="Papan Dukcapil", site="plaza-lematang", agencies=["dukcapil"],
        floor="Lantai 1"))
    assert (out.site, out.agencies, out.floor) == ("plaza-lematang", ["DUKCAPIL"], "Lantai 1")
    token = service.pairing_status(db, claim).token
    assert token
    device = service.device_from_token(db, token)
    assert (device.kind, device.site_code, device.agencies) == (DeviceKind.board, "plaza-lematang", ("DUKCAPIL",))
    listed = service.devices_page(db, manager(db), "lahat").devices
    assert [(d.name, d.site) for d in listed] == [("Papan Dukcapil", "plaza-lematang")]
    whole, part = queueing.board_state(db, "lahat"), queueing.board_state(db, "lahat", ["DUKCAPIL"])
    assert part.counters and len(part.counters) < len(whole.counters)
    assert len({c.agency for c in part.counters}) == 1  # Dukcapil's counters only


def test_rename_and_revoke_are_audited_and_only_for_the_sites_manager(fresh_demo_db):
    db = fresh_demo_db
    state, claim = service.open_pairing(db, None)
    assert state.code and claim
    out = service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code))
    token = service.pairing_status(db, claim).token
    assert token
    with pytest.raises(ValidationFailed) as err:
        service.rename_device(db, manager(db), out.id, "  ")
    assert field_codes(err.value) == {"name": "required"}
    officer = service.authenticate(db, "petugas.dukcapil", DEMO_PASSWORD)
    with pytest.raises(Forbidden):
        service.rename_device(db, officer, out.id, "Diubah petugas")
    renamed = service.rename_device(db, manager(db), out.id, "Kios pintu utara")
    assert renamed.name == "Kios pintu utara"
    assert service.device_from_token(db, token).name == "Kios pintu utara"
    service.revoke_device(db, manager(db), out.id)
    listed = {d.id: d for d in service.devices_page(db, manager(db), "lahat").devices}
    assert listed[out.id].revoked_at is not None
    with db.read() as s:
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == out.id)))
    assert actions == {"device.pair", "device.rename", "device.revoke"}


def test_over_http_the_device_gets_its_cookie_once_and_five_wrong_codes_pause_the_manager(fresh_server):
    from tests.conftest import token_for

    with fresh_server.client() as device, fresh_server.client() as laptop:
        page = device.get("/pasang")
        assert page.status_code == 200 and "satupintu_pairing" in page.headers["set-cookie"]
        assert "httponly" in page.headers["set-cookie"].lower()
        code = re.search(r'id="code"[^>]*>([A-Z0-9-]+)<', page.text).group(1)  # type: ignore[union-attr]
        assert device.get("/pasang/status").json()["state"] == "waiting"
        manager_auth = token_for(laptop, "pengelola")
        body = {"code": "KKKK-KKKK", "name": "Kios lobi", "kind": "kiosk", "site": "lahat"}
        for _ in range(pairing.MAX_WRONG_ATTEMPTS):
            wrong = laptop.post("/api/v1/sites/lahat/devices/pair", headers=manager_auth, json=body)
            assert wrong.status_code == 422
            assert wrong.json()["error"]["details"][0]["field"] == "code"
        paused = laptop.post("/api/v1/sites/lahat/devices/pair", headers=manager_auth, json={**body, "code": code})
        assert paused.status_code == 429 and "Retry-After" in paused.headers  # the right code waits too
        overseer = token_for(laptop, "overseer")
        made = laptop.post("/api/v1/sites/lahat/devices/pair", headers=overseer, json={**body, "code": code})
        assert made.status_code == 201 and made.json()["name"] == "Kios lobi"
        assert "token" not in made.json()  # the manager never sees it
        first = device.get("/pasang/status")
        assert first.json() == {"state": "paired", "next": "/kios/lahat"}
        token = device.cookies.get("satupintu_device")
        assert token and token not in first.text
        second = device.get("/pasang/status")  # the claim cookie went with the token: nothing more to hand over
        assert second.json()["state"] == "unknown" and "satupintu_device=" not in second.headers.get("set-cookie", "")
        assert device.get("/kios/lahat").status_code == 200
        listed = laptop.get("/api/v1/sites/lahat/devices", headers=overseer).json()
        assert [d["name"] for d in listed] == ["Kios lobi"] and listed[0]["last_seen_at"]
        renamed = laptop.put(f"/api/v1/devices/{listed[0]['id']}/name", headers=overseer, json={"name": ""})
        assert renamed.status_code == 422 and renamed.json()["error"]["details"][0]["field"] == "name"


def test_a_token_nobody_collected_is_forgotten_once_the_claim_has_run_out(fresh_demo_db):
    db = fresh_demo_db
    state, claim = service.open_pairing(db, None)
    assert state.code and claim
    out = service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code))
    with db.write() as s:  # the device was switched off before its next poll
        s.execute(update(DevicePairing).values(expires_at=utcnow() - service.CLAIM_GRACE - timedelta(seconds=1)))
    service.open_pairing(db, None)  # the next device to open /pasang tidies up
    with db.read() as s:
        assert s.scalar(select(DevicePairing.token_sealed).where(DevicePairing.device_id == out.id)) is None
    assert service.pairing_status(db, claim).token is None
    assert [d.name for d in service.devices_page(db, manager(db), "lahat").devices] == ["Kios lobi"]  # to revoke


def test_polls_racing_each_other_hand_the_token_over_once(fresh_demo_db):
    from concurrent.futures import ThreadPoolExecutor

    db = fresh_demo_db
    state, claim = service.open_pairing(db, None)
    assert state.code and claim
    service.confirm_pairing(db, manager(db), "lahat", pair_in(state.code))
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: service.pairing_status(db, claim), range(6)))
    assert sorted(a.state for a in answers) == ["delivered"] * 5 + ["paired"]
    assert sum(1 for a in answers if a.token) == 1
