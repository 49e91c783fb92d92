"""Measured fixes to Rasa's hot path, installed by the assist channel in the Rasa server.

**The response check.** Rasa 3.6 checks every action server response with ``jsonschema.validate``, which checks
the schema itself first and builds a new validator on every call: with jsonschema 4.17
that was half of the Rasa server's time per customer turn (py-spy, bench/assist_latency.py).
:func:`install` replaces ``RemoteAction._validate_action_result`` by the same check with
validators built once. Each event of the response is checked against the one event
schema its ``event`` names, not tried against all 23 of Rasa's ``oneOf`` (every one of
them requires its own ``event`` constant, so at most that one can match: the verdict is
the same); trying them all was still a tenth of the Rasa server's time under 50 live
conversations (py-spy, bench/load.py). Invalid responses are refused with a
``ValidationError`` as before.

**The event classes.** Rasa finds the class of every event it reads (from the tracker
store, from each action response) with ``Event.resolve_by_type``, which walks every
subclass of ``Event`` on every call: 4 % of the Rasa server's time under load. The
classes are looked up in a table built once from the same walk, in the same order (the
first class with a name wins, as before); a name not in the table goes to Rasa's own
lookup, so an event class defined later is still found.

**The tracker sent to the action server.** Rasa 3.6's ``RemoteAction._action_call_format``
sends the whole tracker with every action call (``current_state(EventVerbosity.ALL)``:
every event of the session through ``as_dict()``, then JSON), and the action server parses
it all back: in a long conversation (1,800 events after 100 turns) that was a third of the
Rasa server's time per turn and grew with every turn (py-spy, bench/long_conversation.py).
``action_assist_turn`` reads of the events only the customer messages of its window
(:func:`bot.assist.grounding.message_window`); everything else it reads is the state
(``slots``, ``latest_message``). So for the actions in :data:`TRIMMED_ACTIONS` the request
carries, of the events, the customer messages of that window and every event after the
latest customer message, in order; the rest of ``current_state`` (slots, latest message,
active loop, latest action, paused, followup action) is Rasa's, computed as before. Other
custom actions (none today) still get the whole tracker.

**The copy made for each action.** ``MessageProcessor._run_action`` runs every action on
``tracker.copy()``, which replays every event of the session into a new tracker (a tenth
of the Rasa server's time per turn past turn 150), so that the policy's events can be
dropped if the action rejects them. For an action of :data:`UNCOPIED_ACTIONS` predicted
with no policy events there is nothing to drop, and the action only reads the tracker
(the turn action: ``_action_call_format``, the response templates; Rasa's
``action_listen`` reads nothing), so it runs on the tracker itself. Any other action, or
a prediction that carries events (Rasa's prediction of the turn action always carries
``DefinePrevUserUtteredFeaturization``), gets :func:`bot.store.plain.copy`: Rasa's
copy, made by copying the state rather than replaying the events, for a tracker whose
events allow it (plain ones: all of ours); any other tracker gets Rasa's own copy. The
copy was 6–8 % of the Rasa server's time past turn 80 (py-spy, 2026-11-28).

**The applied events.** ``DialogueStateTracker.applied_events`` is kept per tracker and
extended as events are appended (bot/store/applied.py, installed from here).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Dict, List

from bot.assist.grounding import message_window

if TYPE_CHECKING:  # pragma: no cover
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

# custom actions that read only the window's customer messages of the events
TRIMMED_ACTIONS = frozenset({"action_assist_turn"})
# actions run on the tracker itself rather than Rasa's copy: the turn action (it only reads
# the tracker) and Rasa's ActionListen (it reads nothing and returns no event)
UNCOPIED_ACTIONS = TRIMMED_ACTIONS | {"action_listen"}

_installed = False
_rasa_action_call_format = None
_rasa_run_action = None
_rasa_resolve_by_type = None


def _built(schema: Dict[str, Any]):  # noqa: ANN202
    from jsonschema.validators import validator_for

    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.lru_cache(maxsize=1)
def _validators():  # noqa: ANN202
    """The response without its events' ``oneOf``, and each event name's own schema."""
    from rasa.core.actions.action import RemoteAction

    response = RemoteAction.action_response_format_spec()
    event = response["properties"]["events"]["items"]
    envelope = {k: v for k, v in event.items() if k != "oneOf"}
    response = {
        **response,
        "properties": {
            **response["properties"],
            "events": {**response["properties"]["events"], "items": envelope},
        },
    }
    # the response's check covers each event's envelope (an object, a string ``event``,
    # timestamp and metadata); its own schema covers the rest
    by_name = {option["properties"]["event"]["const"]: _built(option) for option in event["oneOf"]}
    return _built(response), by_name


def check_action_response(result: Dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` where Rasa's response schema would."""
    from jsonschema import ValidationError

    response, by_name = _validators()
    response.validate(result)
    for event in result.get("events") or []:
        checker = by_name.get(event["event"])
        if checker is None:
            raise ValidationError(f"{event['event']!r} is not one of Rasa's event names")
        checker.validate(event)


def _validate_action_result(self, result: Dict[str, Any]) -> bool:  # noqa: ANN001
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        check_action_response(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def sent_events(events: "List[Event]") -> "List[Event]":
    """The events an action of :data:`TRIMMED_ACTIONS` is sent: the customer messages of
    the window, then every event after the latest customer message (in order)."""
    from rasa.shared.core.events import UserUttered

    # the same messages bot.assist.grounding.customer_messages reads: user events with text
    said = [i for i, e in enumerate(events) if isinstance(e, UserUttered) and e.text]
    if not said:
        return list(events)
    kept = [events[i] for i in message_window(said)]
    return kept + list(events[said[-1] + 1 :])


class _TrimmedTracker:
    """The tracker as ``_action_call_format`` reads it, with :func:`sent_events` for its
    events: ``current_state`` turns only those into dicts (everything else delegated)."""

    def __init__(self, tracker: "DialogueStateTracker") -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def current_state(self, event_verbosity: Any = None) -> Dict[str, Any]:
        from rasa.shared.core.trackers import EventVerbosity

        state = self._tracker.current_state(EventVerbosity.NONE)
        state["events"] = [e.as_dict() for e in sent_events(list(self._tracker.events))]
        return state


def _action_call_format(self, tracker: "DialogueStateTracker", domain: "Domain") -> Dict[str, Any]:  # noqa: ANN001
    if self.name() in TRIMMED_ACTIONS:
        tracker = _TrimmedTracker(tracker)  # type: ignore[assignment]
    return _rasa_action_call_format(self, tracker, domain)  # type: ignore[misc]


async def _run_action(self, action, tracker, output_channel, nlg, prediction):  # noqa: ANN001, ANN201
    from bot.store import plain

    if not prediction.events and action.name() in UNCOPIED_ACTIONS:
        duplicate = tracker  # the action reads it, never changes it
    else:
        duplicate = plain.copy(tracker)  # Rasa's copy, without the replay, where it can
    if duplicate is None:
        return await _rasa_run_action(self, action, tracker, output_channel, nlg, prediction)
    tracker.copy = lambda: duplicate  # this call only
    try:
        return await _rasa_run_action(self, action, tracker, output_channel, nlg, prediction)
    finally:
        del tracker.copy


@functools.lru_cache(maxsize=1)
def _event_classes() -> Dict[str, type]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[str, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    found = _event_classes().get(type_name)
    if found is not None:
        return found
    return _rasa_resolve_by_type(type_name, default)  # type: ignore[misc]


def install() -> None:
    """Idempotent: patch once per process."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event

    from bot.store import applied

    global _rasa_action_call_format, _rasa_run_action, _rasa_resolve_by_type
    RemoteAction._validate_action_result = _validate_action_result
    _rasa_action_call_format = RemoteAction._action_call_format
    RemoteAction._action_call_format = _action_call_format
    _rasa_run_action = MessageProcessor._run_action
    MessageProcessor._run_action = _run_action
    _rasa_resolve_by_type = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    applied.install()
    _installed = True
