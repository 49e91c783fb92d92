"""Plain trackers: copied with their state rather than by replaying their events.

Rasa makes a tracker's copy (``DialogueStateTracker.copy``, for every action it runs)
and rebuilds a retrieved one (``replay_events``) by applying its events one by one to a
new tracker: a cost that grows with every turn of the conversation (py-spy,
bench/long_conversation.py). For a *plain* tracker the result is known without doing it:
its state is already what applying its events gives, because

* its events are of :data:`PLAIN` types only, besides session starts: Rasa's
  applied-events walk appends each of them (no restart, revert or form loop), and their
  ``apply_to`` only sets the tracker's state (slots, latest message, action and bot
  utterance, follow-up action, pause); a session start resets all of that;
* a tracker's state changes through events only (Rasa's processor and our channels set
  none of it directly; the state attributes are listed in :data:`STATE`, and
  tests/store/test_plain.py fails if Rasa's tracker gains another one).

:func:`copy` is Rasa's ``copy()`` for such a tracker: the same events (shared, as Rasa's
copy shares them) and a copy of the state. Exact types are compared, not subclasses.
"""

from __future__ import annotations

import copy as _copy
from typing import Optional

from rasa.shared.core import events as rasa_events
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

# events that Rasa's applied-events walk only appends (with no form loop in the tracker)
# and whose apply_to only sets the tracker's state
PLAIN = frozenset(
    {
        rasa_events.ActionExecuted,
        rasa_events.ActionExecutionRejected,
        rasa_events.AgentUttered,
        rasa_events.BotUttered,
        rasa_events.ConversationPaused,
        rasa_events.ConversationResumed,
        rasa_events.DefinePrevUserUtteredFeaturization,
        rasa_events.FollowupAction,
        rasa_events.LoopInterrupted,
        rasa_events.ReminderCancelled,
        rasa_events.ReminderScheduled,
        rasa_events.SlotSet,
        rasa_events.UserUttered,
    }
)
# a session start resets the state: what comes before it does not count
PLAIN_OR_START = PLAIN | {rasa_events.SessionStarted}
# the tracker's state: what DialogueStateTracker._reset sets and the events' apply_to change
STATE = frozenset(
    {
        "slots",
        "_paused",
        "followup_action",
        "latest_action",
        "latest_message",
        "latest_bot_utterance",
        "active_loop",
    }
)


def is_plain(tracker: DialogueStateTracker) -> bool:
    """Whether the tracker's events are all plain or session starts (and unbounded)."""
    events = tracker.events
    return events.maxlen is None and PLAIN_OR_START.issuperset(map(type, events))


def copy_state(source: DialogueStateTracker, target: DialogueStateTracker) -> None:
    """Give ``target`` a copy of ``source``'s state: its own slots, latest action and
    active loop; the same latest message and bot utterance objects."""
    target.slots = {name: _copy.copy(slot) for name, slot in source.slots.items()}
    target._paused = source._paused
    target.followup_action = source.followup_action
    target.latest_action = _copy.copy(source.latest_action)
    target.latest_message = source.latest_message
    target.latest_bot_utterance = source.latest_bot_utterance
    target.active_loop = _copy.copy(source.active_loop)


def copy(tracker: DialogueStateTracker) -> Optional[DialogueStateTracker]:
    """What ``tracker.copy()`` gives, without replaying the events; None if the tracker is
    not plain (then only Rasa's replay knows)."""
    if not is_plain(tracker):
        return None
    duplicate = tracker.init_copy()
    duplicate.events.extend(tracker.events)
    copy_state(tracker, duplicate)
    return duplicate


def twin(event: Event) -> Event:
    """A shallow copy of an event (what ``copy.copy`` does, five times faster)."""
    made = object.__new__(type(event))
    made.__dict__.update(event.__dict__)
    return made
