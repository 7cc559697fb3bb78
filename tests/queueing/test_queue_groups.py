"""The pure rules of the queue settings page: which services share a numbering (a queue group),
when a group mixes agencies, and which fields of a setting are refused."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.errors import ValidationFailed
from satupintu.queueing.configure import GroupMember, check_queue_settings, queue_groups

members = st.lists(st.tuples(st.sampled_from(["A", "B", "C", "AB"]),
                             st.builds(GroupMember, service_code=st.from_regex(r"[A-Z]{3}-[0-9]{2}", fullmatch=True),
                                       service_name=st.just("Layanan"),
                                       agency_code=st.sampled_from(["DUKCAPIL", "DPMPTSP", "BPJS"]))),
                   max_size=30)


@given(members)
def test_each_service_is_in_the_group_of_its_letter_once_and_mixed_agencies_are_flagged(rows):
    """The manager reads one row per letter; every service is in its letter's row exactly
    once; the warning appears exactly when two agencies share the letter."""
    groups = queue_groups(rows)
    assert [g.prefix for g in groups] == sorted({p for p, _ in rows})
    for group in groups:
        expected = [m for p, m in rows if p == group.prefix]
        assert sorted(group.members, key=lambda m: m.service_code) == group.members
        assert sorted(group.members, key=repr) == sorted(expected, key=repr)
        assert group.shared_across_agencies == (len({m.agency_code for m in expected}) > 1)


def test_a_dukcapil_letter_given_to_a_dpmptsp_service_makes_one_mixed_group():
    """Letter A for KTP and for a business permit: one numbering, two agencies, flagged."""
    [a] = queue_groups([("A", GroupMember("DKC-01", "KTP-el", "DUKCAPIL")),
                        ("A", GroupMember("DPM-01", "NIB", "DPMPTSP"))])
    assert [m.service_code for m in a.members] == ["DKC-01", "DPM-01"]
    assert a.agencies == ["DPMPTSP", "DUKCAPIL"] and a.shared_across_agencies


def test_every_refused_setting_is_named_at_once():
    """A lower-case letter, a 1-minute slot, a negative seat count, grace of 3 hours, a daily
    quota of a million and 14:00:30: six fields, six messages, in one refusal."""
    with pytest.raises(ValidationFailed) as refused:
        check_queue_settings("a", 1, -1, 180, 1_000_000, time(14, 0, 30))
    assert [d.field for d in refused.value.details] == [
        "prefix", "slot_minutes", "slot_quota", "booking_grace_minutes", "daily_quota", "last_issue_time"]
    assert all("antrian" not in d.message for d in refused.value.details)  # KBBI: antrean
    check_queue_settings("AB", 30, 4, 15, 0, time(14, 0))  # Dukcapil's 14:00, no quota: accepted
