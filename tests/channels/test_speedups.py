"""The cached action-response validator refuses exactly what Rasa's own check refuses."""

from __future__ import annotations

import jsonschema
import pytest
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
