"""Client systems and their keys through the service, on SQLite and PostgreSQL: who may
register and issue, what is stored (never the key), rotation with overlap, revocation, and the
caller a key stands for."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from satupintu.accounts import service as accounts
from satupintu.audit import AuditEntry
from satupintu.cache import cache_of
from satupintu.errors import Forbidden, Unauthenticated, ValidationFailed
from satupintu.integration import keys, service
from satupintu.integration.models import ApiKey
from satupintu.roles import Role
from satupintu.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD


def login(db, username="pengelola"):
    return accounts.authenticate(db, username, DEMO_PASSWORD)


def client_in(name: str, **kw: str) -> service.ClientIn:
    return service.ClientIn.model_validate({"name": name, "owner_agency": "Dinas Kominfo Kabupaten Lahat",
                                            "contact_name": "Rina Wulandari", "contact_email": "rina@lahatkab.go.id",
                                            **kw})


def register(db, actor=None, name=None):
    return service.register_client(db, actor or login(db), "lahat", client_in(name or f"Portal {uuid.uuid4().hex[:6]}"))


def key_in(**kw: object) -> service.KeyIn:
    return service.KeyIn.model_validate({"scopes": ["queue:read"], **kw})


def test_the_site_manager_registers_a_client_and_the_manager_sees_it_in_the_list(demo_db):
    c = register(demo_db, name="Portal Layanan Lahat")
    assert c.keys == []
    listed = service.list_clients(demo_db, login(demo_db), "lahat")
    assert "Portal Layanan Lahat" in [x.name for x in listed]
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "client.register",
                                                                         AuditEntry.entity_id == c.id)) == 1


def test_the_overseer_may_register_for_any_site_but_an_agency_admin_may_not(demo_db):
    assert register(demo_db, login(demo_db, "overseer")).name.startswith("Portal")
    with pytest.raises(Forbidden):
        register(demo_db, login(demo_db, "admin.dukcapil"))
    with pytest.raises(Forbidden):
        service.list_clients(demo_db, login(demo_db, "petugas.dukcapil"), "lahat")


def test_a_client_without_name_or_with_a_bad_email_is_refused_beside_each_field(demo_db):
    with pytest.raises(ValidationFailed) as exc:
        service.register_client(demo_db, login(demo_db), "lahat", client_in("", contact_email="bukan surel"))
    assert {d.field for d in exc.value.details} == {"name", "contact_email"}


def test_a_second_client_of_the_same_name_is_refused(demo_db):
    register(demo_db, name="SIAK Terpusat")
    with pytest.raises(ValidationFailed) as exc:
        register(demo_db, name="SIAK Terpusat")
    assert exc.value.details[0].field == "name" and exc.value.details[0].code == "duplicate"


def test_a_key_is_shown_once_and_only_its_keyed_hash_and_prefix_are_stored(demo_db):
    c = register(demo_db)
    issued = service.create_key(demo_db, login(demo_db), "lahat", c.id,
                                key_in(scopes=["stats:read", "queue:read"], agency="dukcapil", rate_per_minute=30))
    assert keys.parse_key(issued.key) == issued.key
    assert issued.info.prefix == issued.key[:16] and issued.info.status == "active"
    assert issued.info.scopes == ["queue:read", "stats:read"] and issued.info.agency == "DUKCAPIL"
    with demo_db.read() as s:
        row = s.get(ApiKey, issued.info.id)
        assert row is not None and issued.key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "api_key.create",
                                                  AuditEntry.entity_id == row.id))
        assert entry is not None and issued.key not in str(entry.after)
    again = service.get_client(demo_db, login(demo_db), "lahat", c.id)
    assert issued.key not in again.model_dump_json()


def test_the_caller_of_a_key_is_the_client_at_its_site_with_the_keys_scopes(demo_db):
    c = register(demo_db, name="Aplikasi Dukcapil Online")
    issued = service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in(scopes=["applications:write"],
                                                                                  agency="DUKCAPIL"))
    actor = service.actor_for_key(demo_db, issued.key)
    assert actor.label == "Aplikasi Dukcapil Online" and actor.user_id is None
    assert actor.site_id == login(demo_db).site_id and actor.role is Role.counter_officer
    assert actor.key is not None and actor.key.scopes == frozenset({"applications:write"})
    wide = service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in())
    assert service.actor_for_key(demo_db, wide.key).role is None


def test_unknown_malformed_and_expired_keys_are_refused(demo_db):
    with pytest.raises(Unauthenticated):
        service.actor_for_key(demo_db, keys.new_key())
    with pytest.raises(Unauthenticated):
        service.actor_for_key(demo_db, "sp_live_short")
    c = register(demo_db)
    issued = service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in(valid_days=1))
    with demo_db.write() as s:
        s.execute(update(ApiKey).where(ApiKey.id == issued.info.id).values(expires_at=utcnow() - timedelta(seconds=1)))
    cache_of(demo_db).clear()
    with pytest.raises(Unauthenticated):
        service.actor_for_key(demo_db, issued.key)
    assert service.get_client(demo_db, login(demo_db), "lahat", c.id).keys[0].status == "expired"


def test_scopes_and_agency_are_checked_and_nothing_is_written_when_refused(demo_db):
    c = register(demo_db)
    with pytest.raises(ValidationFailed) as exc:
        service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in(scopes=["admin:all"], agency="NOPE"))
    assert {d.field for d in exc.value.details} == {"scopes", "agency"}
    with pytest.raises(ValidationFailed):
        service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in(scopes=[]))
    assert service.get_client(demo_db, login(demo_db), "lahat", c.id).keys == []


def test_rotation_issues_a_new_key_and_the_old_one_works_until_the_overlap_ends(demo_db):
    c = register(demo_db)
    old = service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in(scopes=["stats:read"], rate_per_minute=9))
    new = service.rotate_key(demo_db, login(demo_db), "lahat", c.id, old.info.id, service.RotateIn(overlap_days=3))
    assert new.key != old.key and new.info.scopes == ["stats:read"] and new.info.rate_per_minute == 9
    assert service.actor_for_key(demo_db, new.key).key.scopes == frozenset({"stats:read"})  # type: ignore[union-attr]
    assert service.actor_for_key(demo_db, old.key) is not None  # still works in the overlap
    by_id = {k.id: k for k in service.get_client(demo_db, login(demo_db), "lahat", c.id).keys}
    assert by_id[old.info.id].status == "rotating"
    assert timedelta(days=2, hours=23) < by_id[old.info.id].usable_until - utcnow() <= timedelta(days=3)
    with pytest.raises(ValidationFailed):  # a replaced key is not rotated again
        service.rotate_key(demo_db, login(demo_db), "lahat", c.id, old.info.id, service.RotateIn(overlap_days=3))
    now_ended = service.rotate_key(demo_db, login(demo_db), "lahat", c.id, new.info.id,
                                   service.RotateIn(overlap_days=0))
    with pytest.raises(Unauthenticated):  # overlap 0: the replaced key stops at once
        service.actor_for_key(demo_db, new.key)
    assert service.actor_for_key(demo_db, now_ended.key) is not None


def test_revocation_refuses_the_key_at_once_in_this_process_and_is_audited(demo_db):
    c = register(demo_db)
    issued = service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in())
    assert service.actor_for_key(demo_db, issued.key) is not None  # now cached
    out = service.revoke_key(demo_db, login(demo_db), "lahat", c.id, issued.info.id)
    assert out.status == "revoked" and out.revoked_at is not None
    with pytest.raises(Unauthenticated):
        service.actor_for_key(demo_db, issued.key)
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "api_key.revoke", AuditEntry.entity_id == issued.info.id)) == 1


def test_last_use_is_written_once_a_minute_and_a_change_is_audited_under_the_clients_name(demo_db):
    c = register(demo_db, name="Kios Desa Digital")
    issued = service.create_key(demo_db, login(demo_db), "lahat", c.id, key_in(scopes=["tickets:write"]))
    actor = service.actor_for_key(demo_db, issued.key)
    service.record_use(demo_db, actor, "GET", "/api/v1/sites/{site}/queue")
    with demo_db.read() as s:
        first = s.get(ApiKey, issued.info.id).last_used_at  # type: ignore[union-attr]
    assert first is not None
    actor = service.actor_for_key(demo_db, issued.key)
    assert not service.needs_io(actor, "GET")  # used seconds ago: nothing to write for a read
    service.record_use(demo_db, actor, "POST", "/api/v1/sites/{site}/tickets")
    with demo_db.read() as s:
        assert s.get(ApiKey, issued.info.id).last_used_at == first  # type: ignore[union-attr]
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "api_key.call",
                                                  AuditEntry.entity_id == issued.info.id))
        assert entry is not None and entry.actor_label == "Kios Desa Digital"
        assert entry.after == {"client": "Kios Desa Digital", "key": issued.info.prefix, "method": "POST",
                               "path": "/api/v1/sites/{site}/tickets"}
