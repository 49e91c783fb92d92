"""The cached action-response validator refuses exactly what Rasa's own check refuses."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.channels import speedups

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
