"""The centre's rules for rows a unit sends up (pure): a ticket's status only moves forwards
along the queue's state machine, and a record with history the unit never made is the centre's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from satupintu.queueing.policy import FINAL, TRANSITIONS, Action, Status
from satupintu.unit import rules

STATUSES = st.sampled_from(list(Status))


@given(STATUSES, st.lists(st.sampled_from(list(Action)), max_size=12))
def test_any_path_of_legal_steps_is_accepted(start: Status, actions: list[Action]) -> None:
    """Whatever the unit did to a ticket by legal steps from the centre's status is applied."""
    here = start
    for action in actions:
        here = TRANSITIONS.get((here, action), here)
    assert rules.ticket_status_may_move(start, here)


@given(st.sampled_from(sorted(FINAL, key=lambda s: s.value)), STATUSES)
def test_a_finished_ticket_never_moves(final: Status, incoming: Status) -> None:
    assert rules.ticket_status_may_move(final, incoming) is (incoming is final)


@given(STATUSES, STATUSES)
def test_a_move_is_accepted_exactly_when_a_legal_path_leads_there(centre: Status, incoming: Status) -> None:
    """The rule agrees with a search of the state machine, step by step."""
    frontier, seen = [centre], {centre}
    while frontier:
        here = frontier.pop()
        for (start, _), end in TRANSITIONS.items():
            if start is here and end not in seen:
                seen.add(end)
                frontier.append(end)
    assert rules.ticket_status_may_move(centre, incoming) is (incoming in seen)


def test_backwards_examples() -> None:
    assert not rules.ticket_status_may_move(Status.done, Status.waiting)
    assert not rules.ticket_status_may_move(Status.closed, Status.called)
    assert not rules.ticket_status_may_move(Status.referred, Status.serving)
    assert rules.ticket_status_may_move(Status.serving, Status.called)  # held, back in the queue, called again
    assert rules.ticket_status_may_move(Status.waiting, Status.done)


@given(st.sets(st.uuids().map(str)), st.sets(st.uuids().map(str)))
def test_a_record_is_handed_over_when_the_centre_has_history_of_its_own(centre: set[str], unit: set[str]) -> None:
    assert rules.handed_over(centre, unit) is bool(centre - unit)
    assert not rules.handed_over(unit, unit | centre)
