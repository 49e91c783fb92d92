"""The cached action-response validator refuses exactly what Rasa's own check refuses."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import Action, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, LoopInterrupted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import speedups
from tests.conftest import ROOT

GOOD = {
    "events": [{"event": "slot", "name": "stage", "value": "clarify"}],
    "responses": [{"custom": {"a": 1}}],
}
BAD = [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": [42]}]


def test_same_verdicts_as_rasa():
    speedups.install()
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    action = RemoteAction("action_stage_clarify", None)
    assert action._validate_action_result(GOOD) is True
    for bad in BAD:
        with pytest.raises(jsonschema.ValidationError) as error:
            action._validate_action_result(bad)
        assert "Failed to validate Action server response" in error.value.message
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, RemoteAction.action_response_format_spec())


EVENT_NAMES = [
    option["properties"]["event"]["const"]
    for option in RemoteAction.action_response_format_spec()["properties"]["events"]["items"][
        "oneOf"
    ]
]


def _rasa_verdict(response) -> bool:
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


def _our_verdict(response) -> bool:
    try:
        speedups.check_action_response(response)
        return True
    except jsonschema.ValidationError:
        return False


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=3)
)
VALUES = st.one_of(ODD, st.lists(ODD, max_size=2), st.dictionaries(st.text(max_size=3), ODD))
INTENTS = st.fixed_dictionaries({}, optional={"name": VALUES, "confidence": VALUES})
ENTITIES = st.fixed_dictionaries(
    {}, optional={"entity": VALUES, "value": VALUES, "start": VALUES, "role": VALUES}
)
PARSE_DATA = st.one_of(
    VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            "text": VALUES,
            "intent": st.one_of(VALUES, INTENTS),
            "intent_ranking": st.one_of(VALUES, st.lists(st.one_of(ODD, INTENTS), max_size=2)),
            "entities": st.one_of(VALUES, st.lists(st.one_of(ODD, ENTITIES), max_size=2)),
            "response_selector": st.one_of(
                VALUES, st.just({"all_retrieval_intents": []}), st.just({"faq": {"response": 1}})
            ),
        },
    ),
)
EVENTS = st.fixed_dictionaries(
    # mostly a real event name and a valid envelope, so that what each event's own schema
    # says (a slot without its value, an entity without a name …) decides the verdict
    {"event": st.sampled_from(EVENT_NAMES + ["nope"])},
    optional={
        "timestamp": st.one_of(st.floats(allow_nan=False), st.none(), ODD),
        "metadata": st.one_of(st.none(), st.dictionaries(st.text(max_size=3), ODD), VALUES),
        "name": VALUES,
        "value": VALUES,
        "text": VALUES,
        "policy": VALUES,
        "confidence": VALUES,
        "hide_rule_turn": VALUES,
        "input_channel": VALUES,
        "entities": st.one_of(VALUES, st.lists(st.one_of(ODD, ENTITIES), max_size=2)),
        "parse_data": PARSE_DATA,
    },
)
RESPONSES = st.fixed_dictionaries(
    {},
    optional={
        "events": st.one_of(st.lists(EVENTS, max_size=3), VALUES, st.lists(ODD, max_size=1)),
        "responses": st.one_of(VALUES, st.lists(VALUES, max_size=2)),
    },
)


@settings(max_examples=200, deadline=None)
@given(response=RESPONSES)
def test_checking_each_event_against_its_own_schema_gives_rasas_verdict(response):
    assert _our_verdict(response) == _rasa_verdict(response)


def test_every_kind_of_event_rasa_writes_passes_and_a_broken_one_fails():
    from rasa.shared.core.events import (
        ActionExecuted as Action_,
    )
    from rasa.shared.core.events import (
        BotUttered,
        EntitiesAdded,
        FollowupAction,
        SessionStarted,
    )

    events = [
        UserUttered("你好", {"name": "greet", "confidence": 0.9}, [{"entity": "x", "value": 1}]),
        Action_("action_listen"),
        SlotSet("stage", "clarify"),
        EntitiesAdded([{"entity": "order_id", "value": "A1"}]),
        BotUttered("您好", {"custom": {"audience": "agent"}}),
        FollowupAction("action_listen"),
        SessionStarted(),
        LoopInterrupted(True),
    ]
    response = {"events": [e.as_dict() for e in events], "responses": [{"text": "好"}]}
    assert _rasa_verdict(response) and _our_verdict(response)
    broken = {"events": [{"event": "slot", "name": "stage"}]}  # a slot needs its value
    assert not _rasa_verdict(broken) and not _our_verdict(broken)


def test_event_classes_are_found_as_rasa_finds_them():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    speedups.install()
    assert Event.resolve_by_type is not speedups._rasa_resolve_by_type
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is speedups._rasa_resolve_by_type(cls.type_name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nope", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("nope")
    assert Event.from_parameters({"event": "slot", "name": "a", "value": 1}) == SlotSet("a", 1)


class _Recording(Action):
    """An action that remembers the tracker it was run on."""

    def __init__(self, name):
        self._name = name
        self.seen = None

    def name(self):
        return self._name

    async def run(self, output_channel, nlg, tracker, domain):
        self.seen = tracker
        return [SlotSet("stage", "clarify")]


@pytest.mark.parametrize(
    "name, events, copied",
    [
        ("action_assist_turn", [], False),  # read only: the tracker itself
        ("action_assist_turn", [LoopInterrupted(True)], True),  # events that may be dropped
        ("action_listen", [], False),  # Rasa's: reads nothing
        ("action_listen", [LoopInterrupted(True)], True),
        ("action_other", [], True),
    ],
)
async def test_the_turn_action_runs_on_the_tracker_itself_and_others_on_a_copy(
    name, events, copied
):
    speedups.install()
    domain = Domain.load(str(ROOT / "domain.yml"))
    processor = object.__new__(MessageProcessor)
    processor.domain = domain
    processor.action_endpoint = None
    tracker = DialogueStateTracker.from_events(
        "c", [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"})], domain.slots
    )
    action = _Recording(name)
    prediction = PolicyPrediction([1.0], "policy_0_RecentRulePolicy", events=events)
    await processor._run_action(action, tracker, CollectingOutputChannel(), None, prediction)
    assert (action.seen is not tracker) is copied
    assert "copy" not in vars(tracker)  # the tracker's own copy is back
    assert tracker.get_slot("stage") == "clarify"  # the action's events are applied
    assert tracker.latest_action_name == name


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
    speedups.install()
    rasas = speedups._rasa_applied_events
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
    speedups.install()
    tracker = DialogueStateTracker.from_events("c", [ActionExecuted("action_listen")])
    tracker.applied_events()
    tracker.events.pop()
    tracker.events.append(UserUttered("退款", {"name": "request_refund"}))
    assert [e.type_name for e in tracker.applied_events()] == ["user"]
