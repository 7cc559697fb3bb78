"""The pure webhook rules: signatures a Standard Webhooks receiver accepts, which target URLs
are refused and why, the retry schedule, when an endpoint is switched off, and that a payload
keeps only the listed fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from satupintu import signing
from satupintu.integration import webhooks

T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


@given(st.text(min_size=1, max_size=40).filter(lambda s: "." not in s and " " not in s), st.binary(max_size=500),
       st.integers(min_value=0, max_value=2**33))
def test_our_signature_is_the_one_the_standardwebhooks_library_computes(msg_id, body, ts):
    secret = webhooks.new_secret()
    theirs = Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, UTC), body.decode("latin-1"))
    assert signing.sign(msg_id, ts, body.decode("latin-1").encode(), secret) == theirs


def test_a_secret_is_whsec_and_32_random_bytes_and_only_its_prefix_is_shown_again():
    a, b = webhooks.new_secret(), webhooks.new_secret()
    assert a != b and a.startswith("whsec_") and len(signing.secret_key(a)) == 32
    assert webhooks.visible_prefix(a) == a[:12] + "…"


def test_only_https_or_loopback_http_when_allowed_is_accepted_and_each_refusal_says_why():
    ok = webhooks.url_problem
    assert ok("https://sistem.lahatkab.go.id/webhook", allow_http_loopback=False) is None
    assert ok("http://127.0.0.1:8080/hook", allow_http_loopback=True) is None
    assert ok("http://localhost/hook", allow_http_loopback=True) is None
    assert ok("http://127.0.0.1:8080/hook", allow_http_loopback=False) == "Alamat tujuan harus memakai https."
    assert ok("http://10.0.0.5/hook", allow_http_loopback=True) == "Alamat tujuan harus memakai https."
    assert ok("", allow_http_loopback=True) == "Alamat tujuan wajib diisi."
    assert "spasi" in (ok("https://a b/", allow_http_loopback=False) or "")
    assert "sandi" in (ok("https://u:p@contoh.go.id/", allow_http_loopback=False) or "")
    assert "URL lengkap" in (ok("contoh.go.id/hook", allow_http_loopback=False) or "")


@given(st.integers(min_value=1, max_value=200), st.text(max_size=10))
def test_retries_wait_longer_each_time_never_past_the_cap(failures, seed):
    policy = webhooks.RetryPolicy(base=30, cap=3600)
    d = webhooks.retry_delay(failures, policy, seed)
    assert 0.8 * min(3600, 30 * 2 ** min(failures - 1, 20)) <= d <= 3600
    if failures < 7:
        assert webhooks.retry_delay(failures + 1, policy, seed) > d


def test_a_delivery_gives_up_after_its_last_attempt():
    policy = webhooks.RetryPolicy(max_attempts=3)
    assert webhooks.next_attempt(2, T0, policy) is not None
    assert webhooks.next_attempt(3, T0, policy) is None


def test_an_endpoint_is_switched_off_after_n_failures_in_a_row_or_a_day_without_success():
    policy = webhooks.RetryPolicy(disable_after_failures=5, disable_after=timedelta(hours=24))
    assert not webhooks.should_disable(4, T0, T0 + timedelta(hours=23), policy)
    assert webhooks.should_disable(5, T0, T0, policy)
    assert webhooks.should_disable(1, T0, T0 + timedelta(hours=24), policy)
    assert not webhooks.should_disable(0, None, T0, policy)


@given(st.sampled_from(webhooks.EVENT_TYPES),
       st.dictionaries(st.sampled_from(["nik", "phone", "name", "reporter_name", "email", "ticket_id", "status",
                                        "site", "booking_id", "complaint_id", "body", "title"]), st.text()))
def test_a_payload_keeps_only_the_listed_fields_and_never_personal_ones(type_, data):
    p = webhooks.payload(type_, T0, data)
    assert p["version"] == 1 and p["type"] == type_ and p["timestamp"] == T0.isoformat()
    assert set(p["data"]) <= set(webhooks.FIELDS[type_])
    assert not set(p["data"]) & {"nik", "phone", "name", "reporter_name", "email", "body", "title"}


def test_every_type_needs_a_known_scope_and_lists_its_fields():
    from satupintu.integration import keys

    assert set(webhooks.TYPE_SCOPES) == set(webhooks.EVENT_TYPES) == set(webhooks.FIELDS) == set(webhooks.EVENT_LABELS)
    assert set(webhooks.TYPE_SCOPES.values()) <= set(keys.SCOPES)
    assert webhooks.types_without_scope(["ticket.called", "survey.submitted"], frozenset({"queue:read"})) == [
        "survey.submitted"]


AGENCY_A, AGENCY_B, MALL, EVENT = (uuid.UUID(int=n) for n in (1, 2, 3, 4))


def test_a_site_wide_key_hears_every_event_of_its_types_and_an_agency_key_only_its_agencys():
    site_wide = {None: frozenset({"queue:read"})}
    agency = {AGENCY_A: frozenset({"queue:read"})}
    assert webhooks.receives(site_wide, "ticket.issued", AGENCY_A)
    assert webhooks.receives(site_wide, "ticket.issued", None)
    assert webhooks.receives(agency, "ticket.issued", AGENCY_A)
    assert not webhooks.receives(agency, "ticket.issued", AGENCY_B)
    assert not webhooks.receives(agency, "ticket.issued", None)  # a whole-site event: no agency key hears it
    assert not webhooks.receives(agency, "complaint.received", AGENCY_A)  # its key lacks complaints:read
    assert not webhooks.receives({}, "ticket.issued", AGENCY_A)


@given(st.dictionaries(st.sampled_from([None, AGENCY_A, AGENCY_B]),
                       st.frozensets(st.sampled_from(sorted(set(webhooks.TYPE_SCOPES.values())))), max_size=3),
       st.sampled_from(webhooks.EVENT_TYPES), st.sampled_from([None, AGENCY_A, AGENCY_B]))
def test_what_a_client_hears_is_exactly_what_one_of_its_keys_could_read(grants, type_, agency):
    scope = webhooks.TYPE_SCOPES[type_]
    could_read = scope in grants.get(None, frozenset()) or (agency is not None
                                                            and scope in grants.get(agency, frozenset()))
    assert webhooks.receives(grants, type_, agency) == could_read
    if webhooks.receives(grants, type_, agency):
        assert scope in webhooks.all_scopes(grants)  # it could also have subscribed to the type


def test_a_malls_subscription_hears_its_mobile_events_and_not_the_other_way_round():
    assert webhooks.site_matches(MALL, MALL, None)
    assert webhooks.site_matches(MALL, EVENT, MALL)  # an event at the mall's mobile event
    assert not webhooks.site_matches(EVENT, MALL, None)  # the mall's own events stay the mall's
    assert not webhooks.site_matches(AGENCY_A, EVENT, MALL)
