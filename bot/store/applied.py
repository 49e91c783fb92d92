"""A tracker's applied events, kept on the tracker and extended as events are appended.

``DialogueStateTracker.applied_events`` walks every event of the conversation (restarts,
reverts, form loops) and Rasa calls it several times per message (the session checks,
the last user message, replaying a retrieved tracker): a sixth of the Rasa server's time
past turn 80, growing with every turn (py-spy, bench/long_conversation.py). Events are
only ever appended to a tracker, so :func:`applied_events` keeps the result on the
tracker with how many events it covers, and a later call walks only the events appended
since, with Rasa's own steps. It starts over with Rasa's walk when the events are not
the ones it covered (another deque, fewer events, a different event at the last position
it saw), when the deque has a ``maxlen`` (old events fall off its front), or when a new
event names a form loop not seen before (Rasa's walk treats earlier executions of a loop
action differently). Every call returns a new list, as Rasa's does.

:func:`install` puts it in place of Rasa's method (bot/channels/speedups.py calls it);
:func:`remember` tells a tracker what its applied events are when the caller knows it
without a walk (a tracker cloned from one already replayed: bot/store/replayed.py).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any, Callable, List, Optional

if TYPE_CHECKING:  # pragma: no cover
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

_MEMO = "_kefu_applied_events"  # the memo's attribute on a tracker
_rasa_applied_events: Optional[Callable[..., List["Event"]]] = None


@dataclasses.dataclass
class _Applied:
    """What ``applied_events`` last found for one tracker, and which events it covered."""

    events: Any  # the tracker's deque
    count: int
    last: Any  # the event at position count - 1 (None when count == 0)
    loop_names: frozenset
    applied: list


def rasa_applied_events(tracker: "DialogueStateTracker") -> List["Event"]:
    """Rasa's own walk, whether or not :func:`install` replaced it."""
    from rasa.shared.core.trackers import DialogueStateTracker

    walk = _rasa_applied_events or DialogueStateTracker.applied_events
    return walk(tracker)


def applied_events(self: "DialogueStateTracker") -> List["Event"]:
    """``DialogueStateTracker.applied_events``, walking only the events appended since
    the last call where it can."""
    from rasa.shared.core.events import ActiveLoop

    events = self.events
    memo = self.__dict__.get(_MEMO)
    if (
        memo is not None
        and events.maxlen is None
        and memo.events is events
        and len(events) >= memo.count
        and (events[memo.count - 1] is memo.last if memo.count else True)
    ):
        new = list(itertools.islice(events, memo.count, None))
        names = {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
        if names <= memo.loop_names:
            memo.applied = _extend(self, new, memo.loop_names, memo.applied)
            memo.count, memo.last = len(events), (new[-1] if new else memo.last)
            return list(memo.applied)
    applied = rasa_applied_events(self)
    loop_names = frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)
    self.__dict__[_MEMO] = _Applied(
        events, len(events), events[-1] if events else None, loop_names, list(applied)
    )
    return applied


def remember(tracker: "DialogueStateTracker", start: int) -> None:
    """Record that the tracker's applied events are its events from ``start`` on and that
    they name no form loop (the caller knows it: no walk is made to check)."""
    events = tracker.events
    tracker.__dict__[_MEMO] = _Applied(
        events,
        len(events),
        events[-1] if events else None,
        frozenset(),
        list(itertools.islice(events, start, None)),
    )


def _extend(tracker, events, loop_names, applied: list) -> list:  # noqa: ANN001
    """Rasa 3.6's ``DialogueStateTracker.applied_events`` loop, as written there, continued
    over ``events`` from ``applied``."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def install() -> None:
    """Put :func:`applied_events` in place of Rasa's method (once per process)."""
    global _rasa_applied_events
    from rasa.shared.core.trackers import DialogueStateTracker

    if _rasa_applied_events is None:
        _rasa_applied_events = DialogueStateTracker.applied_events
        DialogueStateTracker.applied_events = applied_events
