"""A conversation's tracker replayed once per server, then kept up to date and cloned.

Rasa builds a retrieved tracker by replaying every event of the session into a new one
(``replay_events``: Rasa's applied-events walk, then each event's ``apply_to``), and
the tracker store handed Rasa its own copies of the cached events: together a third of
the Rasa server's time per message past turn 80, growing with every turn (py-spy,
bench/long_conversation.py). Here the store replays a conversation once, with Rasa's
own ``replay_events``, into a tracker it keeps (:class:`Replayed`); events stored since
are applied to it one by one, as ``replay_events`` would apply them; and what Rasa gets
is a :meth:`~Replayed.clone` of it: a new tracker with the same events and state.

Only a *plain* tracker is kept (bot/store/plain.py: events of ``PLAIN`` types, and
session starts before its applied events). Applying plain events one by one is what a
replay does: Rasa's walk appends each of them to the applied events and
``replay_events`` applies them in order. Anything else (a restart, a session start after
the first replay, a revert, a form loop, an event Rasa cannot read, a bounded history)
makes :meth:`Replayed.of` and :meth:`Replayed.extend` refuse, and the store replays the
whole tracker as Rasa does (bot/store/tracker.py).

The clone shares the kept tracker's event objects except the customer messages
(``UserUttered``): they are the only events Rasa changes once they are in a tracker
(``DefinePrevUserUtteredFeaturization`` sets the latest one's featurization), so each
clone gets its own copies of them. Its slots, latest action and active loop are copies
too; ``latest_message`` is the clone's copy of that message. Its applied events are
remembered (bot/store/applied.py), so Rasa's first ``applied_events()`` on it does not
walk the conversation again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.store import applied
from bot.store.plain import PLAIN, PLAIN_OR_START, copy_state, twin


@dataclass
class Replayed:
    """``tracker``: events ``start`` … of a conversation's list, replayed; its applied
    events are ``tracker.events[applied_from:]``; ``said``: the positions of its
    customer messages."""

    tracker: DialogueStateTracker
    start: int
    applied_from: int
    said: List[int]

    @property
    def end(self) -> int:
        return self.start + len(self.tracker.events)

    @classmethod
    def of(
        cls, new_tracker: Callable[[], DialogueStateTracker], events: Sequence[Event], start: int
    ) -> Optional["Replayed"]:
        """Replay ``events`` (list items ``start`` on) with Rasa's ``replay_events``; None
        if they are not plain (see the module's docstring)."""
        if not PLAIN_OR_START.issuperset(map(type, events)):
            return None
        tracker = new_tracker()
        if tracker.events.maxlen is not None:
            return None
        tracker.events.extend(events)
        tracker.replay_events()
        found = _applied_from(tracker)
        if found is None:
            return None
        said = [i for i, e in enumerate(events) if type(e) is UserUttered]
        return cls(tracker, start, found, said)

    def extend(self, events: Sequence[Event]) -> bool:
        """Apply events appended to the list after :attr:`end`; False, with nothing
        applied, when one of them is not of a :data:`PLAIN` type."""
        if not PLAIN.issuperset(map(type, events)):
            return False
        tracker = self.tracker
        for event in events:
            if type(event) is UserUttered:
                self.said.append(len(tracker.events))
            tracker.events.append(event)
            event.apply_to(tracker)
        return True

    def clone(self, new_tracker: Callable[[], DialogueStateTracker]) -> DialogueStateTracker:
        """A new tracker (from ``new_tracker``, as Rasa's store makes one) holding the same
        events in the same state, with its own customer messages (see the docstring)."""
        kept = self.tracker
        clone = new_tracker()
        events = list(kept.events)
        twins: Dict[int, UserUttered] = {}
        for i in self.said:
            message = events[i]
            twins[id(message)] = events[i] = twin(message)
        clone.events.extend(events)
        copy_state(kept, clone)
        latest = kept.latest_message
        if latest is not None:  # its copy among the events, or of UserUttered.empty()
            clone.latest_message = twins[id(latest)] if id(latest) in twins else twin(latest)
        applied.remember(clone, self.applied_from)
        return clone


def _applied_from(tracker: DialogueStateTracker) -> Optional[int]:
    """Where the tracker's applied events begin if they are its events from there on;
    None otherwise."""
    events = list(tracker.events)
    walked = tracker.applied_events()  # kept from the replay's walk where installed
    start = len(events) - len(walked)
    if start < 0 or any(a is not b for a, b in zip(walked, events[start:])):
        return None
    return start
