"""The console's controls (policy.console_buttons) and history words (policy.EVENT_LABELS):
pure rules, checked directly and against the state machine."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from satupintu.queueing import policy
from satupintu.queueing.policy import Action, Status


@given(st.booleans(), st.none() | st.sampled_from(list(Status)))
def test_only_steps_the_state_machine_allows_are_enabled_and_one_is_prominent(counter_open, current):
    b = policy.console_buttons(counter_open, current)
    if not counter_open:
        assert (b.open, b.call, b.close, b.steps, b.primary) == (True, False, False, frozenset(), "open")
        return
    assert not b.open
    active = current in policy.ACTIVE_AT_COUNTER
    assert b.call == b.close == (not active)  # call or close only while no visitor is at the counter
    for step in b.steps:
        assert (current, step) in policy.TRANSITIONS
    if active:
        assert b.primary in {s.value for s in b.steps}
    else:
        assert b.steps == frozenset() and b.primary == "call"


def test_called_and_serving_offer_their_legal_moves():
    called = policy.console_buttons(True, Status.called)
    assert called.steps == {Action.start, Action.recall, Action.no_show, Action.hold} and called.primary == "start"
    serving = policy.console_buttons(True, Status.serving)
    assert serving.steps == {Action.finish, Action.hold, Action.refer} and serving.primary == "finish"


def test_every_event_the_queue_records_has_indonesian_words():
    kinds = {"issued", "called", "recalled", "serving", "finished", "no_show", "held", "referred", "requeued",
             "resumed", "closed", "voided"}
    assert kinds <= set(policy.EVENT_LABELS)
    assert policy.EVENT_LABELS["recalled"][0] == "dipanggil ulang"
    assert policy.EVENT_LABELS["no_show"][0] == "tidak hadir"
    assert all("_" not in words[0] for words in policy.EVENT_LABELS.values())
