"""bot/store/applied.py: the applied events kept per tracker are Rasa's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.store import applied


def _event(kind: str, name: str):
    from rasa.shared.core.events import (
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    return {
        "user": lambda: UserUttered("你好", {"name": "greet"}),
        "action": lambda: ActionExecuted(name),
        "loop": lambda: ActiveLoop(name),
        "loop_off": lambda: ActiveLoop(None),
        "slot": lambda: SlotSet("stage", name),
        "restart": Restarted,
        "session": SessionStarted,
        "action_reverted": ActionReverted,
        "user_reverted": UserUtteranceReverted,
    }[kind]()


EVENTS = st.tuples(
    st.sampled_from(
        ["user", "action", "action", "loop", "loop_off", "slot", "restart", "session"]
        + ["action_reverted", "user_reverted"]
    ),
    st.sampled_from(["action_listen", "form_a", "form_b", "action_assist_turn"]),
)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.tuples(st.lists(EVENTS, max_size=6), st.booleans()), max_size=12),
    maxlen=st.sampled_from([None, None, 8]),
)
def test_applied_events_are_rasas_after_every_append(steps, maxlen):
    """Events appended a few at a time (as Rasa and the tracker store do), asked for their
    applied events in between: always the list Rasa's own walk gives, a new one each time."""
    applied.install()
    rasas = applied.rasa_applied_events
    tracker = DialogueStateTracker("c", [], max_event_history=maxlen)
    for events, ask_twice in steps:
        for kind, name in events:
            tracker.events.append(_event(kind, name))
        first = tracker.applied_events()
        assert first == rasas(tracker) and all(a is b for a, b in zip(first, rasas(tracker)))
        if ask_twice:
            first.append("changed by a caller")
            assert tracker.applied_events() == rasas(tracker)


def test_applied_events_start_over_on_other_events():
    applied.install()
    tracker = DialogueStateTracker.from_events("c", [ActionExecuted("action_listen")])
    tracker.applied_events()
    tracker.events.pop()
    tracker.events.append(UserUttered("退款", {"name": "request_refund"}))
    assert [e.type_name for e in tracker.applied_events()] == ["user"]


def test_a_remembered_start_is_extended_as_events_are_appended():
    applied.install()
    tracker = DialogueStateTracker("c", [])
    tracker.events.extend(
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    )
    applied.remember(tracker, 2)
    assert tracker.applied_events() == [tracker.events[2]]
    tracker.events.append(UserUttered("退款", {"name": "request_refund"}))
    assert tracker.applied_events() == applied.rasa_applied_events(tracker)
    assert len(tracker.applied_events()) == 2


def test_installing_twice_keeps_rasas_walk():
    applied.install()
    applied.install()
    assert DialogueStateTracker.applied_events is applied.applied_events
    assert applied.rasa_applied_events is not applied.applied_events
    assert applied._rasa_applied_events is not applied.applied_events
