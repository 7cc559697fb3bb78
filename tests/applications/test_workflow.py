"""Application workflows: what an officer or applicant sees when acting on a permohonan."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satupintu.applications.workflow import (
    APPLICANT,
    DEFAULT_WORKFLOW,
    DEFAULT_WORKFLOW_DEFINITION,
    STATE_LABELS,
    Action,
    State,
    _labels,
    allowed_actions,
    apply,
    clock_paused_in,
    is_finished,
    parse_workflow,
    reachable,
)
from satupintu.errors import DomainError, Errors, ValidationFailed
from satupintu.roles import Role

W = DEFAULT_WORKFLOW
OFFICER = Role.counter_officer


def names(actions):
    return [a.name for a in actions]


def test_an_officer_takes_an_application_from_received_to_picked_up():
    state = W.initial_state
    assert state == "diterima"
    for action, expected in (("verifikasi", "diverifikasi"), ("proses", "diproses"),
                             ("selesaikan", "selesai"), ("serahkan", "diambil")):
        state = apply(W, state, action, OFFICER)
        assert state == expected
    assert is_finished(W, "selesai") and is_finished(W, "diambil")
    assert allowed_actions(W, "diambil", OFFICER) == []


def test_correction_round_trip_pauses_the_clock_and_returns_to_where_it_was():
    state = apply(W, "diproses", "minta_perbaikan", OFFICER, note="Fotokopi KTP buram")
    assert state == "perlu_perbaikan" and clock_paused_in(W, state)
    assert names(allowed_actions(W, state, APPLICANT)) == ["kirim_perbaikan"]
    assert apply(W, state, "kirim_perbaikan", APPLICANT, origin="diproses") == "diproses"
    # Without knowing where it came from, the resubmission goes to verification.
    assert apply(W, state, "kirim_perbaikan", APPLICANT) == "diverifikasi"
    assert not clock_paused_in(W, "diproses")


def test_asking_for_a_correction_needs_a_note():
    with pytest.raises(DomainError) as caught:
        apply(W, "diverifikasi", "minta_perbaikan", OFFICER, note="  ")
    assert caught.value.field == "note" and "Minta perbaikan" in caught.value.message


def test_rejecting_needs_a_reason_and_then_nothing_more_can_happen():
    with pytest.raises(DomainError) as caught:
        apply(W, "diproses", "tolak", OFFICER)
    assert caught.value.code == "note_required" and caught.value.field == "note"
    assert "Tolak" in caught.value.message
    state = apply(W, "diproses", "tolak", OFFICER, note="Bukan kewenangan instansi ini")
    assert state == "ditolak" and allowed_actions(W, state, Role.agency_admin) == []


def test_an_illegal_step_names_the_state_and_the_action():
    with pytest.raises(DomainError) as caught:
        apply(W, "diterima", "serahkan", OFFICER)
    err = caught.value
    assert err.code == "illegal_transition" and err.field == "action"
    assert "Serahkan ke pemohon" in err.message and "Diterima" in err.message


def test_a_site_manager_may_not_process_an_application():
    with pytest.raises(DomainError) as caught:
        apply(W, "diterima", "verifikasi", Role.site_manager)
    assert caught.value.status == 403 and caught.value.code == "role_not_allowed"
    assert allowed_actions(W, "diterima", Role.site_manager) == []
    assert allowed_actions(W, "diterima", APPLICANT) == []


def test_an_applicant_may_not_verify_their_own_documents():
    with pytest.raises(DomainError):
        apply(W, "diterima", "verifikasi", APPLICANT)


def test_unknown_state_and_action_are_refused():
    with pytest.raises(DomainError) as caught:
        apply(W, "hilang", "verifikasi", OFFICER)
    assert caught.value.field == "state"
    with pytest.raises(DomainError) as caught:
        apply(W, "diterima", "terbang", OFFICER)
    assert caught.value.field == "action"


def test_a_resubmission_cannot_jump_to_a_state_it_never_came_from():
    with pytest.raises(DomainError) as caught:
        apply(W, "perlu_perbaikan", "kirim_perbaikan", APPLICANT, origin="selesai")
    assert caught.value.field == "origin"


def test_labels_are_in_indonesian_with_english_alongside():
    assert W.states["perlu_perbaikan"].label() == "Perlu perbaikan"
    assert W.states["perlu_perbaikan"].label("en") == "Needs correction"
    assert STATE_LABELS["ditolak"] == {"id": "Ditolak", "en": "Rejected"}


def test_a_definition_survives_a_round_trip_through_json_data():
    assert parse_workflow(W.to_dict()) == W


def fields_of(definition):
    with pytest.raises(ValidationFailed) as caught:
        parse_workflow(definition)
    return {d.field: d.message for d in caught.value.details}


def broken():
    return copy.deepcopy(DEFAULT_WORKFLOW_DEFINITION)


def test_an_action_to_an_unknown_state_is_named():
    d = broken()
    d["actions"]["proses"]["to"] = "dikerjakan"
    fields = fields_of(d)
    assert "dikerjakan" in fields["workflow.actions.proses.to"]


def test_an_action_from_an_unknown_state_is_named():
    d = broken()
    d["actions"]["proses"]["from"] = ["diverifikasi", "antre"]
    assert "antre" in fields_of(d)["workflow.actions.proses.from"]


def test_a_workflow_without_an_initial_state_is_refused():
    d = broken()
    d["states"]["diterima"]["initial"] = False
    assert "status awal" in fields_of(d)["workflow.states"]


def test_an_unreachable_state_is_named():
    d = broken()
    d["states"]["arsip"] = {"label": "Arsip", "terminal": True}
    assert "tidak dapat dicapai" in fields_of(d)["workflow.states.arsip"]


def test_a_dead_end_state_must_be_marked_terminal():
    d = broken()
    del d["actions"]["serahkan"]
    assert "bukan status akhir" in fields_of(d)["workflow.states.selesai"]


def test_an_action_out_of_a_terminal_state_is_refused():
    d = broken()
    d["actions"]["buka_lagi"] = {"from": ["ditolak"], "to": "diterima", "roles": ["agency_admin"]}
    assert "status akhir" in fields_of(d)["workflow.actions.buka_lagi.from"]


def test_an_unknown_role_is_named():
    d = broken()
    d["actions"]["proses"]["roles"] = ["counter_officer", "lurah"]
    assert "lurah" in fields_of(d)["workflow.actions.proses.roles"]


def test_a_non_object_definition_is_refused():
    assert "workflow" in fields_of(["diterima"])


@given(st.lists(st.tuples(st.integers(0, 100), st.sampled_from([OFFICER, Role.agency_admin, APPLICANT])),
                max_size=40))
def test_random_steps_never_reach_an_undefined_state_and_terminal_states_offer_nothing(steps):
    state, history = W.initial_state, []
    for pick, role in steps:
        options = allowed_actions(W, state, role)
        if W.states[state].terminal:
            assert all(not allowed_actions(W, state, r) for r in (*Role, APPLICANT))
        if not options:
            continue
        action = options[pick % len(options)]
        origin = history[-1] if history else None
        new_state = apply(W, state, action.name, role, note="catatan", origin=origin)
        assert new_state in W.states
        history.append(state)
        state = new_state


def test_every_state_of_the_default_workflow_is_reachable_from_where_applications_start():
    assert reachable(W.states, W.actions) == set(W.states)


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=15), st.sets(st.integers(0, 5), max_size=3))
def test_the_reachable_states_hold_every_start_and_every_step_out_of_them(edges, starts):
    states = {f"s{i}": State(f"s{i}", f"S{i}", f"S{i}", initial=i in starts) for i in range(6)}
    actions = {f"a{n}": Action(f"a{n}", "A", "A", (f"s{a}",), f"s{b}", frozenset({APPLICANT}))
               for n, (a, b) in enumerate(edges)}
    seen = reachable(states, actions)
    assert {f"s{i}" for i in starts} <= seen
    assert all(a.to_state in seen for a in actions.values() if a.from_states[0] in seen)
    # Nothing is reached that no path leads to: each reached state but a start is some step's target.
    assert all(s in {f"s{i}" for i in starts} or any(a.to_state == s and a.from_states[0] in seen
                                                     for a in actions.values()) for s in seen)


@pytest.mark.parametrize(("label", "expected", "error"), [
    (None, ("Minta perbaikan", "Minta perbaikan"), False),
    ("Tolak", ("Tolak", "Tolak"), False),
    ({"id": " Tolak ", "en": " Reject "}, ("Tolak", "Reject"), False),
    ({"id": "Tolak", "en": "  "}, ("Tolak", "Tolak"), False),
    ({"id": "Tolak"}, ("Tolak", "Tolak"), False),
    ({"en": "Reject"}, ("minta_perbaikan", "minta_perbaikan"), True),
    ({"id": "  "}, ("minta_perbaikan", "minta_perbaikan"), True),
    (7, ("minta_perbaikan", "minta_perbaikan"), True),
])
def test_a_label_is_indonesian_with_english_falling_back_to_it(label, expected, error):
    errors = Errors()
    assert _labels(label, "minta_perbaikan", "workflow.actions.minta_perbaikan.label", errors) == expected
    assert [e.field for e in errors.items] == (["workflow.actions.minta_perbaikan.label"] if error else [])


def test_errors_come_in_definition_order_sections_then_states_then_actions_then_the_graph():
    d = broken()
    d["extra"] = 1
    d["states"]["diterima"]["terminal"] = "ya"
    d["actions"]["proses"]["to"] = "dikerjakan"
    d["actions"]["proses"]["pauses_clock"] = 1
    with pytest.raises(ValidationFailed) as caught:
        parse_workflow(d)
    assert [(e.field, e.code) for e in caught.value.details] == [
        ("workflow.extra", "invalid"),
        ("workflow.states.diterima.terminal", "invalid"),
        ("workflow.actions.proses.to", "unknown_state"),
        ("workflow.actions.proses.pauses_clock", "invalid"),
        ("workflow.states.diproses", "unreachable"),
        ("workflow.states.selesai", "unreachable"),
        ("workflow.states.diambil", "unreachable"),
    ]
