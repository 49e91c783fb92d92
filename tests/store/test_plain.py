"""bot/store/plain.py: a plain tracker's copy is Rasa's copy, made without a replay."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUtteranceReverted
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.store import applied, plain
from tests.helpers.trackers import (
    CHUNKS,
    DOMAIN,
    KINDS,
    START,
    assert_same,
    make,
    message,
    new_tracker,
)


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(CHUNKS, max_size=6),
    retrieved=st.booleans(),
    logged=st.lists(KINDS, max_size=3),
    changes=st.lists(KINDS, max_size=4),
)
def test_a_plain_trackers_copy_is_rasas(chunks, retrieved, logged, changes):
    """A tracker as a store hands it out (replayed) or as Rasa logs events (``update``),
    then more events logged; our copy against Rasa's, and changing our copy leaves the
    tracker as it was."""
    applied.install()
    events = [*START, *(make(kind, n) for n, kind in enumerate(sum(chunks, [])))]
    tracker = new_tracker()
    if retrieved:
        tracker.events.extend(events)
        tracker.replay_events()
    else:
        for event in events:
            tracker.update(event)
    for n, kind in enumerate(logged):
        tracker.update(make(kind, 50 + n))
    ours = plain.copy(tracker)
    types = {type(e) for e in tracker.events}
    assert (ours is None) == (not types <= plain.PLAIN | {type(START[1])})
    if ours is None:
        return
    assert_same(ours, tracker.copy())
    before = tracker.current_state(EventVerbosity.ALL)
    for n, kind in enumerate(changes):
        ours.update(make(kind, 100 + n))
    ours.slots["stage"].value = "changed"
    assert tracker.current_state(EventVerbosity.ALL) == before
    assert_same(plain.copy(tracker), tracker.copy())


def test_not_plain():
    tracker = DialogueStateTracker.from_events("c", [*START, message(1)], DOMAIN.slots)
    assert plain.is_plain(tracker)
    tracker.update(UserUtteranceReverted())
    assert not plain.is_plain(tracker) and plain.copy(tracker) is None
    bounded = DialogueStateTracker("c", DOMAIN.slots, max_event_history=10)
    bounded.update(ActionExecuted("action_listen"))
    assert not plain.is_plain(bounded)


def test_the_copy_has_its_own_state_and_shares_the_events():
    tracker = DialogueStateTracker.from_events(
        "c", [*START, message(1), SlotSet("stage", "a")], DOMAIN.slots
    )
    duplicate = plain.copy(tracker)
    assert list(duplicate.events) == list(tracker.events)
    assert all(a is b for a, b in zip(duplicate.events, tracker.events))  # as Rasa's copy
    assert duplicate.latest_message is tracker.latest_message is tracker.events[3]
    duplicate.update(SlotSet("stage", "b"))
    assert tracker.get_slot("stage") == "a" and len(tracker.events) == 5
