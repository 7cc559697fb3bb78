"""Pushing a status instead of naming an action (an agency's system mirroring its own case): the
one action from the current status to the target is taken; a move the workflow has no action for
is 409 illegal_transition, an unknown status is named, and whenever a status push succeeds it
lands exactly where taking that action would."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.applications.workflow import DEFAULT_WORKFLOW as W
from satupintu.applications.workflow import OFFICER, action_towards, apply, parse_workflow
from satupintu.errors import DomainError


def test_each_default_step_is_found_from_its_target_status():
    assert action_towards(W, "diterima", "diverifikasi", OFFICER) == "verifikasi"
    assert action_towards(W, "diverifikasi", "diproses", OFFICER) == "proses"
    assert action_towards(W, "diproses", "perlu_perbaikan", OFFICER) == "minta_perbaikan"
    assert action_towards(W, "perlu_perbaikan", "ditolak", OFFICER) == "tolak"


def test_a_jump_the_workflow_has_no_action_for_is_a_409_naming_both_statuses():
    with pytest.raises(DomainError) as caught:
        action_towards(W, "diterima", "diambil", OFFICER)
    err = caught.value
    assert (err.status, err.code, err.field) == (409, "illegal_transition", "status")
    assert "Diterima" in err.message and "Sudah diambil" in err.message


def test_an_unknown_status_is_named():
    with pytest.raises(DomainError) as caught:
        action_towards(W, "diterima", "terbang", OFFICER)
    assert caught.value.code == "unknown_state" and caught.value.field == "status" and "terbang" in caught.value.message


def test_two_actions_to_one_status_ask_for_the_action():
    flow = parse_workflow({
        "states": {"a": {"initial": True}, "b": {"terminal": True}},
        "actions": {"setuju": {"from": ["a"], "to": "b", "roles": [OFFICER]},
                    "setuju_cepat": {"from": ["a"], "to": "b", "roles": [OFFICER]}}})
    with pytest.raises(DomainError) as caught:
        action_towards(flow, "a", "b", OFFICER)
    assert caught.value.status == 409 and caught.value.code == "ambiguous_status"
    assert "setuju, setuju_cepat" in caught.value.message


@given(st.sampled_from(list(W.states)), st.sampled_from(list(W.states)),
       st.sampled_from([OFFICER, "agency_admin", "site_manager", "applicant", None]))
def test_a_status_push_lands_where_its_action_would_or_is_refused(state, target, role):
    if W.states[state].terminal:
        return
    try:
        action = action_towards(W, state, target, role)
    except DomainError as err:
        assert err.code in ("illegal_transition", "ambiguous_status")
        return
    try:
        after = apply(W, state, action, role, note="catatan", origin=None)
    except DomainError as err:  # found, but this role may not take it
        assert err.status == 403
        return
    assert after == target
