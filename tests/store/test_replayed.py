"""bot/store/replayed.py: a tracker kept replayed and cloned is the tracker Rasa's replay
of the same events gives, after every append, whatever Rasa does to the clones."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.store import applied
from bot.store.plain import PLAIN, twin
from bot.store.replayed import Replayed
from tests.helpers.trackers import (
    CHUNKS,
    DOMAIN,
    KINDS,
    START,
    assert_same,
    make,
    message,
    new_tracker,
    rasas_replay,
)


@settings(max_examples=250, deadline=None)
@given(
    chunks=st.lists(CHUNKS, min_size=3, max_size=8),
    changes=st.lists(st.lists(KINDS, max_size=3), min_size=8, max_size=8),
)
def test_a_clone_is_rasas_replay_after_every_append(chunks, changes):
    """Events stored a few at a time; after each, the store's way (the kept tracker
    extended, else replayed anew) against Rasa's replay of all of them; each clone is
    then changed as Rasa changes a retrieved tracker, which the next clone must not see."""
    applied.install()
    stored, kept, n = list(START), None, 0
    pristine = [twin(e) for e in stored]  # Rasa's side: copies made before any change
    for number, (chunk, change) in enumerate(zip(chunks, changes)):
        new = [make(kind, n + i) for i, kind in enumerate(chunk)]
        n += len(new)
        stored += new
        pristine += [twin(e) for e in new]
        if number == 0:  # a first replay may start a session anywhere, not an append
            kept = Replayed.of(new_tracker, stored, 0)
            plain = all(type(e) in PLAIN | {SessionStarted} for e in stored)
        else:
            plain = plain and all(type(e) in PLAIN for e in new)
            if kept is not None and not kept.extend(new):
                kept = None  # as the store: replayed anew from now on
        assert (kept is None) == (not plain)  # refused for events that are not plain only
        if kept is None:
            continue
        clone = kept.clone(new_tracker)
        assert_same(clone, rasas_replay(pristine))
        event(f"clones compared after append {min(number, 3)}")
        for i, kind in enumerate(change):
            clone.update(make(kind, 1000 + i))
        clone.latest_message.use_text_for_featurization = "changed"
        clone.slots["stage"].value = "changed"


def test_a_plain_conversation_is_kept_and_others_are_not():
    turn = [message(1), DefinePrevUserUtteredFeaturization(False)]
    turn += [ActionExecuted("action_assist_turn"), SlotSet("stage", "clarify")]
    turn += [ActionExecuted("action_listen"), BotUttered("好的")]
    assert Replayed.of(new_tracker, START + turn, 7) is not None
    assert Replayed.of(new_tracker, START + turn + [Restarted()], 7) is None
    assert Replayed.of(new_tracker, START + turn + [UserUtteranceReverted()], 7) is None
    assert Replayed.of(new_tracker, START + [ActiveLoop("f")] + turn, 7) is None
    assert (
        Replayed.of(new_tracker, START + [None] + turn, 7) is None
    )  # an event Rasa could not read
    bounded = lambda: DialogueStateTracker("c", DOMAIN.slots, max_event_history=5)  # noqa: E731
    assert Replayed.of(bounded, START + turn, 7) is None
    kept = Replayed.of(new_tracker, START + turn, 7)
    assert kept.end == 7 + 9
    assert not kept.extend([SessionStarted()]) and kept.end == 16  # nothing applied
    assert kept.extend(turn[:2]) and kept.end == 18


def test_a_clone_has_its_own_messages_and_state_and_shares_the_rest():
    turn = [message(1), DefinePrevUserUtteredFeaturization(True), SlotSet("stage", "a")]
    kept = Replayed.of(new_tracker, START + turn, 0)
    one, two = kept.clone(new_tracker), kept.clone(new_tracker)
    assert one.latest_message is one.events[3] and one.events[3] is not two.events[3]
    assert one.latest_message.use_text_for_featurization is True
    one.update(DefinePrevUserUtteredFeaturization(False))
    one.update(SlotSet("stage", "b"))
    assert one.latest_message.use_text_for_featurization is False
    assert two.latest_message.use_text_for_featurization is True
    assert kept.clone(new_tracker).get_slot("stage") == "a" and two.get_slot("stage") == "a"
    assert one.events[5] is two.events[5]  # the slot event: shared


def test_a_clone_needs_no_walk_for_its_applied_events(monkeypatch):
    applied.install()
    kept = Replayed.of(new_tracker, START + [message(1), ActionExecuted("action_listen")], 0)
    walks = []
    monkeypatch.setattr(applied, "rasa_applied_events", lambda t: walks.append(t) or [])
    clone = kept.clone(new_tracker)
    found = clone.applied_events()
    assert [e.type_name for e in found] == ["action", "user", "action"]
    assert walks == []
