"""Trackers for tests that compare ours with Rasa's: events of every kind, the project's
slots, and a comparison of everything a tracker holds."""

from __future__ import annotations

import datetime

from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AgentUttered,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    FollowupAction,
    LoopInterrupted,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.store import applied
from bot.store.plain import STATE, twin
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
# what a tracker holds besides its state (bot/store/plain.py): made by the constructor
MADE = {"_max_event_history", "events", "sender_id", "slots", "sender_source"}
MADE |= {"is_rule_tracker", "model_id", "assistant_id", "_kefu_applied_events"}


def new_tracker() -> DialogueStateTracker:
    return DialogueStateTracker("c", DOMAIN.slots)


def message(n: int) -> UserUttered:
    intent = {"name": ["complaint_defect", "greet"][n % 2], "confidence": 0.9}
    return UserUttered(f"第 {n} 句", intent, [], parse_data={"intent": intent, "entities": []})


PLAIN_EVENTS = {
    "user": lambda n: message(n),
    "text": lambda n: DefinePrevUserUtteredFeaturization(n % 2 == 0),
    "listen": lambda n: ActionExecuted("action_listen"),
    "turn": lambda n: ActionExecuted("action_assist_turn", policy="p", confidence=1.0),
    "slot": lambda n: SlotSet(["stage", "problem", "escalated", "nope"][n % 4], f"v{n}"),
    "bot": lambda n: BotUttered(f"回覆 {n}", {"custom": {"n": n}}),
    "followup": lambda n: FollowupAction("action_assist_turn"),
    "pause": lambda n: ConversationPaused(),
    "resume": lambda n: ConversationResumed(),
    "agent": lambda n: AgentUttered(f"專員 {n}"),
    "interrupted": lambda n: LoopInterrupted(True),
    "rejected": lambda n: ActionExecutionRejected("action_assist_turn"),
    "reminder": lambda n: ReminderScheduled("EXTERNAL_x", datetime.datetime(2030, 1, 1)),
}
OTHER_EVENTS = {
    "session": lambda n: SessionStarted(),
    "restart": lambda n: Restarted(),
    "action_reverted": lambda n: ActionReverted(),
    "user_reverted": lambda n: UserUtteranceReverted(),
    "loop": lambda n: ActiveLoop("some_form"),
    "reset": lambda n: AllSlotsReset(),
    "entities": lambda n: EntitiesAdded([{"entity": "order_id", "value": f"K{n}"}]),
}
KINDS = st.sampled_from(sorted(PLAIN_EVENTS) + ["user", "user", "text", "slot", "listen"])
ANY_KINDS = st.one_of(KINDS, KINDS, KINDS, st.sampled_from(sorted(OTHER_EVENTS)))
# most appends plain, some not
CHUNKS = st.one_of(*[st.lists(KINDS, max_size=8)] * 3, st.lists(ANY_KINDS, max_size=8))
START = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def make(kind: str, n: int):
    return {**PLAIN_EVENTS, **OTHER_EVENTS}[kind](n)


def rasas_replay(events) -> DialogueStateTracker:
    """Rasa's retrieve: a new tracker, copies of the events, replay_events."""
    tracker = new_tracker()
    tracker.events.extend(twin(e) for e in events)
    tracker.replay_events()
    return tracker


def _position(tracker: DialogueStateTracker, event) -> int:
    return next((i for i, e in enumerate(tracker.events) if e is event), -1)


def assert_same(ours: DialogueStateTracker, rasas: DialogueStateTracker) -> None:
    """The same events and state, the latest message and applied events at the same
    positions, and no attribute that is not known."""
    assert ours.current_state(EventVerbosity.ALL) == rasas.current_state(EventVerbosity.ALL)
    assert list(ours.events) == list(rasas.events)
    assert [type(e) for e in ours.events] == [type(e) for e in rasas.events]
    for attribute in STATE - {"slots"}:
        assert getattr(ours, attribute) == getattr(rasas, attribute), attribute
    slots = {n: (s.value, s.has_been_set) for n, s in ours.slots.items()}
    assert slots == {n: (s.value, s.has_been_set) for n, s in rasas.slots.items()}
    for a, b in zip(ours.events, rasas.events):
        if isinstance(a, UserUttered):
            assert a.use_text_for_featurization == b.use_text_for_featurization
    # the latest message is the event at the same position (or no event at all)
    assert _position(ours, ours.latest_message) == _position(rasas, rasas.latest_message)
    assert [_position(ours, e) for e in ours.applied_events()] == [
        _position(rasas, e) for e in applied.rasa_applied_events(rasas)
    ]
    assert set(vars(ours)) <= MADE | STATE and set(vars(rasas)) <= MADE | STATE
