"""Rasa's RulePolicy, predicting from the last turns of the conversation, not all of them.

Rasa 3.6's ``RulePolicy`` featurizes the state of every earlier turn of the session on
each prediction (``tracker.past_states``: a copy of the tracker replayed event by event
and a state built after each action) and then compares the rules with the last few: a
prediction costs more the longer the conversation (a quarter of the Rasa server's time
per turn past turn 100, issue 14, docs/dialogue.md). A rule is compared with at most as
many of the latest states as it has (``RulePolicy._is_rule_applicable``: further back
it holds anyway), so :class:`RecentRulePolicy` builds only the last ``K`` states, ``K``
the length of the longest rule the policy learned (data/rules), from a tracker cut where
those states begin: the slots as they were at the cut (with whether they were set), the
customer's message then latest, and the events from the cut on. Everything else
(the active loop, default actions, the text-or-intent choice) reads the whole tracker
as before, and a tracker that is short, or whose tail holds an event the cut does not
restore (a slot or conversation reset, a form's loop events), or a loop at all, is read
whole, as is one where going back from the cut meets an event that undoes others: the
prediction is always RulePolicy's (tests/dialogue/test_rule_policy.py checks every turn
of every story and a 150-turn conversation against it).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

# a tail with one of these is read whole: the cut restores slots and the latest message only
_NOT_RESTORED = (
    AllSlotsReset,
    Restarted,
    SessionStarted,
    ActiveLoop,
    LoopInterrupted,
    ActionExecutionRejected,
)
_UNDO = (ActionReverted, UserUtteranceReverted)


@functools.lru_cache(maxsize=1)
def _loop_types() -> FrozenSet[type]:
    return frozenset({ActiveLoop, *all_subclasses(ActiveLoop)})


def longest_rule(lookup: Dict[str, Any]) -> int:
    """The number of states of the longest rule (and loop unhappy-path rule) learned."""
    keys = [*lookup.get(RULES, {}), *lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
    return max((len(RulePolicy._rule_key_to_state(key)) for key in keys), default=0)


def _before(
    events: Sequence[Event], cut: int, names: Set[str]
) -> Optional[Tuple[Dict[str, Any], Optional[UserUttered]]]:
    """The values slots ``names`` were last set to before ``events[cut]`` (a slot not set
    since the last reset is left out) and the customer message latest there, found going
    back from the cut; None if an event undoing others comes first (read whole)."""
    values: Dict[str, Any] = {}
    latest: Optional[UserUttered] = None
    wanted = set(names)
    for index in range(cut - 1, -1, -1):
        event = events[index]
        if isinstance(event, _UNDO):
            return None
        if isinstance(event, (Restarted, SessionStarted)):
            break  # the tracker is reset there: no slot set, no message
        if isinstance(event, AllSlotsReset):
            wanted.clear()  # the slots are reset there, the latest message is not
        elif isinstance(event, SlotSet) and event.key in wanted:
            values[event.key] = event.value
            wanted.discard(event.key)
        elif latest is None and isinstance(event, UserUttered):
            latest = event
        if latest is not None and not wanted:
            break
    return values, latest


def cut_tracker(tracker: DialogueStateTracker, states: int) -> Optional[DialogueStateTracker]:
    """A tracker whose last ``states`` states (``past_states``) are ``tracker``'s, holding
    only the events from where they begin; None when ``tracker`` must be read whole.

    Found going back from the latest event, so it costs the recent turns, not the whole
    session: the events that ``applied_events()`` would drop (reverted ones, those before
    a restart) are never reached unless an undoing event is, and then the tracker is read
    whole; so is any tracker with a loop (a loop's execution undoes its earlier ones)."""
    if states < 1 or tracker.active_loop:
        return None
    events = list(tracker.events)
    if not _loop_types().isdisjoint(map(type, events)):  # isinstance(e, ActiveLoop), in C
        return None
    # past_states: the state before each action, then the current one; the cut tracker's
    # first state (before its first action) has no previous action, so it is dropped
    seen, cut = 0, -1
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, _NOT_RESTORED + _UNDO):
            return None
        if isinstance(event, ActionExecuted):
            seen += 1
            if seen == states:
                cut = index
                break
    if cut < 0:
        return None
    tail = events[cut:]
    in_tail = {e.key for e in tail if isinstance(e, SlotSet)}
    found = _before(events, cut, in_tail)
    if found is None:
        return None
    values, latest = found
    restored: List[Event] = []
    for name, slot in tracker.slots.items():
        if name in in_tail:
            if name in values:
                restored.append(SlotSet(name, values[name]))
        elif slot.has_been_set:
            restored.append(SlotSet(name, slot.value))
    if latest is not None:
        restored.append(latest)
    cut_off = tracker.init_copy()
    for event in [*restored, *tail]:
        cut_off.update(event)
    return cut_off


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RecentRulePolicy(RulePolicy):
    """RulePolicy whose rules are matched against states built from the recent turns."""

    # the states matched: the longest rule's, once trained or loaded (0: all of them, as
    # while training, when RulePolicy predicts on the rule trackers to check them)
    recent_states: int = 0

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        self.recent_states = 0
        resource = super().train(training_trackers, domain, **kwargs)
        self.recent_states = longest_rule(self.lookup)
        return resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RecentRulePolicy:
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        policy.recent_states = longest_rule(policy.lookup)
        return policy

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[State]:
        cut = cut_tracker(tracker, self.recent_states) if self.recent_states else None
        states = super()._prediction_states(
            cut or tracker, domain, use_text_for_last_user_input, rule_only_data
        )
        return states[-self.recent_states :] if cut is not None else states
