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
from rasa.shared.core.events import (
    ActionExecuted,
    LoopInterrupted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
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
    "name, events, reverted, seen",
    [
        ("action_assist_turn", [], False, "itself"),  # read only
        ("action_assist_turn", [LoopInterrupted(True)], False, "ours"),  # may be dropped
        ("action_listen", [], False, "itself"),  # Rasa's: reads nothing
        ("action_listen", [LoopInterrupted(True)], False, "ours"),
        ("action_other", [], False, "ours"),
        ("action_other", [], True, "rasas"),  # not a plain tracker: Rasa's replay
        ("action_assist_turn", [LoopInterrupted(True)], True, "rasas"),
    ],
)
async def test_each_action_runs_on_the_tracker_itself_or_a_copy(
    name, events, reverted, seen, monkeypatch
):
    speedups.install()
    domain = Domain.load(str(ROOT / "domain.yml"))
    processor = object.__new__(MessageProcessor)
    processor.domain = domain
    processor.action_endpoint = None
    tracker = DialogueStateTracker.from_events(
        "c", [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"})], domain.slots
    )
    if reverted:
        tracker.update(UserUtteranceReverted())
    replays = []
    travel = DialogueStateTracker.travel_back_in_time
    monkeypatch.setattr(
        DialogueStateTracker,
        "travel_back_in_time",
        lambda t, at: replays.append(t) or travel(t, at),
    )
    action = _Recording(name)
    prediction = PolicyPrediction([1.0], "policy_0_RecentRulePolicy", events=events)
    await processor._run_action(action, tracker, CollectingOutputChannel(), None, prediction)
    found = "itself" if action.seen is tracker else "rasas" if replays else "ours"
    assert found == seen
    assert "copy" not in vars(tracker)  # the tracker's own copy is back
    assert tracker.get_slot("stage") == "clarify"  # the action's events are applied
    assert tracker.latest_action_name == name
    if events:  # the policy's events reached the action's tracker, then this one's
        assert action.seen.events[-1] == events[0]
