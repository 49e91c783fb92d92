"""RecentRulePolicy predicts exactly what RulePolicy predicts, from the recent states only."""

from __future__ import annotations

import random

import pytest
from rasa.core.training import load_data
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    LegacyForm,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assist.stages import next_stage
from bot.dialogue.rule_policy import RecentRulePolicy, cut_tracker, longest_rule
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def policy(domain, tmp_path_factory):
    """The policy trained as `rasa train` trains it: on data/rules and data/stories."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("rule-policy"))
    context = ExecutionContext(GraphSchema({}), "test")
    trained = RecentRulePolicy.create(
        RecentRulePolicy.get_default_config(), storage, Resource("policy"), context
    )
    trackers = [
        *load_data(str(ROOT / "data/rules"), domain, augmentation_factor=0),
        *load_data(str(ROOT / "data/stories"), domain, augmentation_factor=0),
    ]
    trained.train(trackers, domain)
    return trained


def _prediction(policy, tracker, domain, recent):
    """The prediction's every field, the policy matching ``recent`` states (0: all)."""
    keep = policy.recent_states
    policy.recent_states = recent
    try:
        p = policy.predict_action_probabilities(tracker, domain)
    finally:
        policy.recent_states = keep
    return (
        p.probabilities,
        [e.as_dict() for e in p.events],
        p.is_end_to_end_prediction,
        p.is_no_user_prediction,
        p.hide_rule_turn,
        p.max_confidence_index,
    )


def _compare(policy, events, domain):
    """At every point where Rasa predicts (before each action after the first): the same
    prediction from the cut and from the whole tracker. How many points were cut."""
    cut = 0
    for end, event in enumerate(events):
        if not isinstance(event, ActionExecuted) or end == 0:
            continue
        tracker = DialogueStateTracker.from_events("s", events[:end], domain.slots)
        recent = policy.recent_states
        cut += cut_tracker(tracker, recent) is not None
        assert _prediction(policy, tracker, domain, recent) == _prediction(
            policy, tracker, domain, 0
        ), f"differs before event {end} ({event.action_name})"
    return cut


def test_the_recent_states_are_those_of_the_longest_rule(policy):
    assert policy.recent_states == longest_rule(policy.lookup) >= 2


@pytest.mark.parametrize("path", ["data/stories", "tests/test_stories.yml"])
def test_every_turn_of_every_story_is_predicted_the_same(policy, domain, path):
    stories = load_data(str(ROOT / path), domain, augmentation_factor=0)
    assert stories
    cut = sum(_compare(policy, list(story.events), domain) for story in stories)
    assert cut > 0  # the stories are long enough to be cut somewhere


def _long_conversation(turns, seed=3):
    """``turns`` customer messages as the Rasa server records them: the session start,
    then each message, the turn action with the slots it sets, and the listen."""
    rng = random.Random(seed)
    intents = [i for i in Domain.load(str(ROOT / "domain.yml")).intents if i != "restart"]
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    stage, has_order = None, False
    for n in range(turns):
        intent = rng.choice(intents)
        text = f"第 {n} 則訊息"
        events.append(UserUttered(text, {"name": intent, "confidence": 0.9}))
        if n == 3:  # the order number, from the message's entity
            events.append(SlotSet("order_id", "KF20261102001"))
            has_order = True
        escalating = rng.random() < 0.1
        stage = next_stage(intent, escalating=escalating, has_order=has_order, previous=stage)
        events += [
            ActionExecuted("action_assist_turn"),
            BotUttered(data={"custom": {"audience": "agent"}}),
            SlotSet("complaint_type", "complaint_defect"),
            SlotSet("sentiment_history", [round(-rng.random(), 2)]),
            SlotSet("escalated", escalating or n % 40 > 30),
            SlotSet("escalating", escalating),
            SlotSet("has_order", has_order),
            SlotSet("stage", stage),
            SlotSet("suggested", [f"s{n}"]),
            ActionExecuted("action_listen"),
        ]
    return events


def test_a_150_turn_conversation_is_predicted_the_same_at_every_turn(policy, domain):
    events = _long_conversation(150)
    assert _compare(policy, events, domain) >= 290  # all but the first turns were cut
    # and what it predicts after each message is the turn action, after it the listen
    tracker = DialogueStateTracker.from_events("s", events[:-12], domain.slots)
    probabilities = policy.predict_action_probabilities(tracker, domain).probabilities
    assert domain.action_names_or_texts[probabilities.index(max(probabilities))] in (
        "action_assist_turn",
        "action_listen",
    )


def test_a_tail_with_a_reset_is_read_whole(domain):
    events = _long_conversation(5)
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)
    assert cut_tracker(tracker, 4) is not None
    assert cut_tracker(tracker, 100) is None  # shorter than the states asked for
    restarted = DialogueStateTracker.from_events(
        "s", [*events, SessionStarted(), ActionExecuted("action_listen")], domain.slots
    )
    assert cut_tracker(restarted, 4) is None


@pytest.mark.parametrize("loop", [ActiveLoop("a_form"), ActiveLoop(None), LegacyForm(None)])
def test_a_tracker_with_a_loop_anywhere_is_read_whole(domain, loop):
    events = _long_conversation(8)
    tracker = DialogueStateTracker.from_events("s", [events[0], loop, *events[1:]], domain.slots)
    assert cut_tracker(tracker, 4) is None


def test_the_cut_tracker_has_the_slots_and_message_of_the_whole(domain):
    events = _long_conversation(30)
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)
    cut = cut_tracker(tracker, 4)
    assert len(cut.events) < len(tracker.events) / 10
    assert cut.current_slot_values() == tracker.current_slot_values()
    assert cut.latest_message.text == tracker.latest_message.text
    assert cut.past_states(domain)[-4:] == tracker.past_states(domain)[-4:]


@pytest.mark.parametrize(
    "inserted",
    [
        [AllSlotsReset()],  # the slots set again after it are read, the message is kept
        [AllSlotsReset(), ActionExecuted("action_listen")],
        [UserUttered("等一下", {"name": "greet"}), UserUtteranceReverted()],  # undone
        [SessionStarted(), ActionExecuted("action_listen")],
    ],
)
@pytest.mark.parametrize("at", [8, 20, 31, 40])
def test_resets_and_undone_messages_before_the_cut(policy, domain, inserted, at):
    events = _long_conversation(6)
    events = [*events[:at], *inserted, *events[at:]]
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)
    recent = policy.recent_states
    cut = cut_tracker(tracker, recent)
    if cut is not None:
        assert cut.past_states(domain)[-recent:] == tracker.past_states(domain)[-recent:]
    assert _compare(policy, events, domain) >= 0
