"""The tracker events a Rasa server already read, deserialised, per conversation.

Turning stored JSON back into Rasa ``Event`` objects is most of what reading a long
tracker costs (about 45 µs an event: 55 ms for the 1,200 events of 150 turns), so each
server keeps the events it read and asks Redis only for what came after them
(bot/store/event_log.py: a list only grows while its ``epoch`` stays the same, so what
was read stays true). Least recently used conversations are dropped first once the
cache holds more than ``max_events`` events; ``max_events=0`` keeps nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional

from rasa.shared.core.events import Event

if TYPE_CHECKING:  # pragma: no cover
    from bot.store.replayed import Replayed


@dataclass
class Entry:
    """Events ``base`` … ``base + len(events) - 1`` of list ``epoch``, and the trackers
    replayed from them by the list item they start at (None: not plain, replayed anew
    each time; bot/store/replayed.py)."""

    epoch: str
    base: int
    events: List[Event] = field(default_factory=list)
    replayed: Dict[int, Optional["Replayed"]] = field(default_factory=dict)

    @property
    def end(self) -> int:
        return self.base + len(self.events)


class EventCache:
    def __init__(self, max_events: int) -> None:
        self.max_events = max(0, int(max_events))
        self._entries: "OrderedDict[str, Entry]" = OrderedDict()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def get(self, sender_id: str) -> Optional[Entry]:
        entry = self._entries.get(sender_id)
        if entry is not None:
            self._entries.move_to_end(sender_id)
        return entry

    def holds(self, sender_id: str, entry: Entry) -> bool:
        """Whether ``entry`` is the one kept for the conversation (not one too big to keep)."""
        return self._entries.get(sender_id) is entry

    def put(self, sender_id: str, entry: Entry) -> None:
        self.drop(sender_id)
        if len(entry.events) > self.max_events:
            return
        self._entries[sender_id] = entry
        self._size += len(entry.events)
        self._shrink()

    def extend(self, sender_id: str, events: List[Event]) -> None:
        entry = self._entries.get(sender_id)
        if entry is None:
            return
        entry.events.extend(events)
        self._size += len(events)
        self._shrink()

    def drop(self, sender_id: str) -> None:
        entry = self._entries.pop(sender_id, None)
        if entry is not None:
            self._size -= len(entry.events)

    def _shrink(self) -> None:
        while self._size > self.max_events and self._entries:
            _, entry = self._entries.popitem(last=False)
            self._size -= len(entry.events)
