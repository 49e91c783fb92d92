"""The stage table (bot/assist/stages.py) against the rules and every story's turns.

Rasa no longer chooses the stage (one action per turn), so `rasa test core` cannot catch a
wrong stage: these tests do. Every rule of data/rules/stages.yml, expanded to the states
it matches, must name the stage :func:`next_stage` chooses; the rules together must cover
every state exactly once; and every customer turn of the training and test stories must
set the stage :func:`next_stage` chooses after the stage before it.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

from bot.assist.stages import AFTER, INTENTS, next_stage
from tests.conftest import ROOT

RULES = ROOT / "data/rules/stages.yml"
STORY_FILES = sorted((ROOT / "data/stories").glob("*.yml")) + [ROOT / "tests/test_stories.yml"]
TURN_ACTION = "action_assist_turn"


def _domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def _stages() -> List[str]:
    return list(_domain()["slots"]["stage"]["values"])


def _slots(steps: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {name: value for step in steps for name, value in step.items()}


def _rule_states(rule: Dict[str, Any]) -> Iterator[Tuple[Tuple[str, str, bool, bool], str]]:
    """(intent, previous stage, escalating, has_order) for every state ``rule`` matches,
    with the stage it names."""
    condition = _slots([s for c in rule.get("condition", []) for s in c["slot_was_set"]])
    user, action, outcome = rule["steps"]
    assert action == {"action": TURN_ACTION}, rule["rule"]
    intents = [step["intent"] for step in user["or"]] if "or" in user else [user["intent"]]
    slots = _slots(outcome["slot_was_set"])
    previous = [condition["stage"]] if "stage" in condition else _stages()
    escalating = [slots["escalating"]]  # every rule says whether the message escalates
    has_order = [slots["has_order"]] if "has_order" in slots else [False, True]
    for state in itertools.product(intents, previous, escalating, has_order):
        yield state, slots["stage"]


def _rules() -> List[Dict[str, Any]]:
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: rule["rule"])
def test_every_rule_names_the_stage_the_table_chooses(rule):
    for (intent, previous, escalating, has_order), stage in _rule_states(rule):
        chosen = next_stage(intent, escalating=escalating, has_order=has_order, previous=previous)
        assert chosen == stage, (intent, previous, escalating, has_order)


def test_the_rules_cover_every_state_once():
    """As in Rasa before the single action: no state left to a learnt policy, no two
    rules for one state."""
    matched: Dict[Tuple[str, str, bool, bool], List[str]] = {}
    for rule in _rules():
        for state, _ in _rule_states(rule):
            matched.setdefault(state, []).append(rule["rule"])
    every = set(itertools.product(_domain()["intents"], _stages(), [False, True], [False, True]))
    assert set(matched) == every
    assert {state: names for state, names in matched.items() if len(names) > 1} == {}


def test_the_table_knows_every_intent_and_stage_of_the_domain():
    assert INTENTS == set(_domain()["intents"])
    assert set(AFTER) == set(_stages())


def _turns(path: Path) -> Iterator[Tuple[str, int, str, Dict[str, Any]]]:
    """(story, turn number, intent, the slots its turn action sets) for each turn."""
    for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
        steps = story["steps"]
        turn = 0
        for user, action, outcome in zip(steps[::3], steps[1::3], steps[2::3]):
            turn += 1
            assert "intent" in user and action == {"action": TURN_ACTION}, (story["story"], turn)
            yield story["story"], turn, user["intent"], _slots(outcome["slot_was_set"])
        assert len(steps) == 3 * turn, story["story"]


@pytest.mark.parametrize("path", STORY_FILES, ids=lambda path: path.name)
def test_every_story_turn_sets_the_stage_the_table_chooses(path):
    previous: Dict[str, str] = {}
    for story, turn, intent, slots in _turns(path):
        before = previous.get(story, "start")
        chosen = next_stage(
            intent,
            escalating=slots["escalating"],
            has_order=slots["has_order"],
            previous=before,
        )
        assert chosen == slots["stage"], (story, turn, intent, before)
        previous[story] = slots["stage"]


@pytest.mark.parametrize(
    ("intent", "escalating", "has_order", "previous", "stage"),
    [
        ("complaint_defect", False, False, None, "clarify"),  # the order first
        ("complaint_defect", False, True, None, "assess"),  # a first message, order known
        ("inform_impact", False, True, "assess", "acknowledge"),
        ("complaint_defect", False, True, "acknowledge", "propose"),
        ("complaint_defect", False, True, "close", "acknowledge"),  # a new problem
        ("request_refund", False, False, "propose", "clarify"),
        ("request_refund", False, True, "clarify", "propose"),
        ("ask_status", False, True, "agree", "follow_up"),
        ("reject_offer", False, False, "propose", "propose"),
        ("thank", True, True, "agree", "refer"),  # escalation comes first
        ("some_new_intent", False, True, "assess", "clarify"),  # unknown: find out
    ],
)
def test_examples_from_the_table_in_docs_dialogue(intent, escalating, has_order, previous, stage):
    assert (
        next_stage(intent, escalating=escalating, has_order=has_order, previous=previous) == stage
    )
