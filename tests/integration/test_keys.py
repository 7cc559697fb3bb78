"""Pure rules of API keys: their form, the visible prefix, the keyed hash, the scope table,
expiry and the rotation overlap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from satupintu.integration import keys

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


def test_a_new_key_has_the_live_prefix_and_parses_back_to_itself():
    key = keys.new_key()
    assert key.startswith("sp_live_") and len(key) == len("sp_live_") + 32
    assert keys.parse_key(f"  {key} ") == key
    assert keys.visible_prefix(key) == key[:16]


def test_new_keys_differ():
    assert len({keys.new_key() for _ in range(200)}) == 200


@given(st.text(max_size=60))
def test_text_that_is_not_a_key_never_parses(text):
    if not (text.strip().startswith("sp_live_") and len(text.strip()) == 40):
        assert keys.parse_key(text) is None


def test_the_hash_depends_on_the_secret_and_never_contains_the_key():
    key = keys.new_key()
    a, b = keys.key_hash(key, "secret-a"), keys.key_hash(key, "secret-b")
    assert a != b and len(a) == 64 and key not in a
    assert keys.key_hash(key, "secret-a") == a


def test_every_mapped_route_needs_a_known_scope_and_every_scope_opens_a_route():
    assert set(keys.ROUTE_SCOPES.values()) == set(keys.SCOPES)
    assert set(keys.SCOPE_LABELS) == set(keys.SCOPES)


@given(st.sets(st.sampled_from(keys.SCOPES)), st.sampled_from(sorted(keys.ROUTE_SCOPES)))
def test_a_key_may_call_a_mapped_route_exactly_when_it_holds_its_scope(scopes, route):
    method, path = route
    refusal = keys.scope_refusal(frozenset(scopes), method, path)
    assert (refusal is None) == (keys.ROUTE_SCOPES[route] in scopes)
    if refusal:
        assert keys.ROUTE_SCOPES[route] in refusal


def test_a_route_missing_from_the_table_is_refused_whatever_the_scopes():
    everything = frozenset(keys.SCOPES)
    assert keys.scope_refusal(everything, "POST", "/api/v1/sites/{site}/counters/{number}/call-next")
    assert keys.scope_refusal(everything, "GET", "/api/v1/sites/{site}/queue") is None
    assert keys.scope_refusal(everything, "GET", "/sites/{site}/queue") is None
    assert keys.scope_refusal(everything, "DELETE", "/api/v1/sites/{site}/services") is not None
    assert keys.scope_refusal(everything, "HEAD", "/api/v1/sites/{site}/queue") is None


def test_normal_scopes_keep_the_fixed_order_once_each():
    assert keys.normal_scopes(["stats:read", "queue:read", "stats:read"]) == ["queue:read", "stats:read"]
    assert keys.unknown_scopes(["queue:read", "admin"]) == ["admin"]


def test_a_key_works_until_it_expires_or_is_revoked():
    t = keys.KeyTimes(expires_at=NOW + timedelta(days=1))
    assert keys.status(t, NOW) == "active" and keys.is_usable(t, NOW)
    assert keys.status(t, NOW + timedelta(days=1)) == "expired" and not keys.is_usable(t, NOW + timedelta(days=1))
    revoked = keys.KeyTimes(expires_at=NOW + timedelta(days=1), revoked_at=NOW)
    assert keys.status(revoked, NOW) == "revoked" and not keys.is_usable(revoked, NOW)


@given(moments, st.integers(min_value=0, max_value=keys.MAX_OVERLAP_DAYS), st.integers(min_value=1, max_value=900))
def test_a_rotated_key_keeps_working_through_the_overlap_and_never_past_its_own_expiry(now, overlap, days_left):
    old = keys.KeyTimes(expires_at=now + timedelta(days=days_left))
    end = keys.overlap_end(now, overlap, old)
    rotated = keys.KeyTimes(expires_at=old.expires_at, overlap_ends_at=end)
    assert end <= old.expires_at
    assert end == min(old.expires_at, now + timedelta(days=overlap))
    if end > now:
        assert keys.is_usable(rotated, now) and keys.status(rotated, now) == "rotating"
    assert not keys.is_usable(rotated, end)
    assert keys.status(rotated, end) == "expired"


def test_last_use_is_written_at_most_once_a_minute():
    assert keys.last_used_due(None, NOW)
    assert not keys.last_used_due(NOW - timedelta(seconds=59), NOW)
    assert keys.last_used_due(NOW - timedelta(seconds=60), NOW)
