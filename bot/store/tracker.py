"""A Redis tracker store whose save costs the new events, not the whole conversation.

Rasa 3.6's ``RedisTrackerStore`` keeps a conversation as one JSON string: every save
reads it back, compares every stored event with every event of the tracker
(``_merge_trackers``, through ``as_dict()``) and writes it all again, so a turn costs
more the longer the conversation (6 s a turn past 100 turns, issue 14). Here each
conversation's events are a Redis list appended atomically (bot/store/event_log.py):

* ``save`` pushes only the events the tracker gained since it was read (it remembers how
  many it was read with), in one Lua call that skips any already stored: a retried save,
  or two servers saving the same events, store them once, in order.
* ``retrieve`` (the last session, as Rasa's) and ``retrieve_full_tracker`` (every session)
  read the list back in order; a server keeps the events it deserialised and asks Redis
  only for the newer ones (bot/store/event_cache.py).
* :meth:`~AppendOnlyRedisTrackerStore.append_after_last` adds events after the stored
  last one without building a tracker (an agent's reply: bot/channels/pipeline.py): a
  tracker replays every event of the session, which was a quarter of the Rasa server's
  time under 50 live conversations.
* A tracker stored by Rasa's own store (one string under ``kefu:tracker:<id>``) is read
  on first touch, rewritten as a list and its old key deleted.
* ``record_exp`` (endpoints.yml) or ``KEFU_TRACKER_TTL`` (seconds): a conversation's
  tracker expires that long after its last save; unset or 0 keeps it.

The client gives up on a silent Redis within seconds (``socket_timeout``, a connect
timeout), so the channels' handling of a Redis that is away takes over
(bot/channels/degraded.py). Registered in endpoints.yml. Rasa's ``TrackerStore``
interface is kept: ``rasa shell``, ``rasa export``, the HTTP tracker API and several
servers on one Redis work as with Rasa's store.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import tracker_ttl
from bot.store.event_cache import Entry, EventCache
from bot.store.event_log import LEGACY, Appended, EventLog, Legacy, Read, Stale
from bot.store.plain import twin
from bot.store.redis_client import CONNECT_TIMEOUT, SOCKET_TIMEOUT, sync_client
from bot.store.replayed import Replayed

logger = logging.getLogger(__name__)

CACHE_EVENTS = 200_000  # deserialised events kept per server (about 1,300 long conversations)
_MARK = "_kefu_event_log"  # attribute on the trackers this store hands out
_ATTEMPTS = 3


class TrackerConflict(RuntimeError):
    """A tracker could not be saved: its conversation's list kept changing under it."""


@dataclass(frozen=True)
class _Mark:
    """Where a tracker handed out by this store stands in its list: ``tracker.events[k]``
    is item ``start + k`` for ``k < stored``, of list ``epoch``."""

    epoch: str
    start: int
    stored: int
    first: Optional[Event]


def _item(event: Event) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False)


def _same(event: Event) -> str:
    """What two events are compared by (as Rasa's own merge: their ``as_dict()``)."""
    return json.dumps(event.as_dict(), ensure_ascii=False, sort_keys=True)


def _is_session_start(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME


def _event(item: bytes) -> Optional[Event]:
    """One stored event; None (kept in place, skipped in trackers) if Rasa cannot read it."""
    try:
        return Event.from_parameters(json.loads(item))
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("a stored tracker event cannot be read, skipped: %s", error)
        return None


class AppendOnlyRedisTrackerStore(TrackerStore, SerializedTrackerAsText):
    """Rasa's tracker store interface over one append-only Redis list per conversation."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = "localhost",
        port: int = 6379,
        db: int = 0,
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        record_exp: Optional[Any] = None,
        key_prefix: Optional[str] = None,
        use_ssl: Any = False,
        ssl_keyfile: Optional[str] = None,
        ssl_certfile: Optional[str] = None,
        ssl_ca_certs: Optional[str] = None,
        socket_timeout: float = SOCKET_TIMEOUT,
        cache_events: int = CACHE_EVENTS,
        **kwargs: Any,
    ) -> None:
        self.red = sync_client(
            host,
            port=port,
            db=db,
            username=username,
            password=password,
            use_ssl=use_ssl,
            ssl_keyfile=ssl_keyfile,
            ssl_certfile=ssl_certfile,
            ssl_ca_certs=ssl_ca_certs,
            socket_timeout=socket_timeout,
            connect_timeout=CONNECT_TIMEOUT,
        )
        if record_exp in (None, ""):
            self.record_exp = tracker_ttl(os.environ)
        else:
            self.record_exp = tracker_ttl({"KEFU_TRACKER_TTL": str(record_exp)})
        self.log = EventLog(self.red, key_prefix)
        self.cache = EventCache(int(cache_events))
        super().__init__(domain, event_broker, **kwargs)

    # --- reading ---------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The tracker of the conversation's last session (what Rasa's own store returns)."""
        return self._tracker(sender_id, whole=False)

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The tracker with the events of every session."""
        return self._tracker(sender_id, whole=True)

    async def exists(self, conversation_id: str) -> bool:
        return self.log.exists(conversation_id)

    async def keys(self) -> Iterable[str]:
        """Every conversation id (in the new layout or still in Rasa's)."""
        return list(self.log.sender_ids())

    def delete(self, sender_id: str) -> None:
        """Forget a conversation's tracker (retention jobs; not part of Rasa's interface)."""
        self.log.delete(sender_id)
        self.cache.drop(sender_id)

    def append_after_last(
        self, sender_id: str, make_events: Callable[[float], List[Event]], now: float
    ) -> bool:
        """Store the events ``make_events(at)`` makes, ``at`` just after the conversation's
        last stored event (and not before ``now``), as ``save`` would after a retrieve.

        False, with nothing stored, when the conversation has no events yet, when an
        event broker is to be told (it is told from a tracker, by ``save``) or when the
        list changed meanwhile: the caller then goes through a tracker. Call it under the
        conversation's lock, as any save.
        """
        if self.event_broker is not None:
            return False
        found = self._entry(sender_id, whole=False)
        if found is None:
            return False
        entry, read = found
        last = next((e.timestamp for e in reversed(entry.events) if e is not None), 0.0)
        events = make_events(max(now, last + 0.001))
        result = self._append(sender_id, events, read.length, read.epoch)
        if not isinstance(result, Appended):
            return False
        if entry.end == read.length:
            self.cache.extend(sender_id, list(events))
        return True

    def _tracker(self, sender_id: str, whole: bool) -> Optional[DialogueStateTracker]:
        found = self._entry(sender_id, whole)
        if found is None:
            return None
        entry, read = found
        first = 0 if whole else read.session
        stored = entry.events[first - entry.base :]
        kept = self._replayed(sender_id, entry, first, stored)
        if kept is not None:
            tracker = kept.clone(lambda: self.init_tracker(sender_id))
            setattr(tracker, _MARK, _Mark(read.epoch, first, len(tracker.events), _first(tracker)))
            return tracker
        events = [twin(e) for e in stored if e is not None]  # the tracker may change them
        tracker = self.init_tracker(sender_id)
        tracker.events.extend(events)  # as Rasa's recreate_from_dialogue
        tracker.replay_events()
        if len(events) == len(stored):  # else positions are off: saved by comparison
            dropped = len(events) - len(tracker.events)  # max_event_history
            setattr(
                tracker,
                _MARK,
                _Mark(read.epoch, first + dropped, len(tracker.events), _first(tracker)),
            )
        return tracker

    def _replayed(
        self, sender_id: str, entry: Entry, first: int, stored: List[Optional[Event]]
    ) -> Optional[Replayed]:
        """The entry's tracker replayed from list item ``first``, brought up to date;
        None when it is not plain (bot/store/replayed.py), from now on, or when the
        entry is not kept (then a replay is all it would be used for)."""
        if not self.cache.holds(sender_id, entry):
            return None
        if first not in entry.replayed:
            for older in [k for k in entry.replayed if k not in (0, first)]:
                del entry.replayed[older]  # an earlier session's: not read again
            kept = Replayed.of(lambda: self.init_tracker(sender_id), stored, first)
        else:
            kept = entry.replayed[first]
            if kept is not None and not kept.extend(stored[kept.end - first :]):
                kept = None
        entry.replayed[first] = kept
        return kept

    def _entry(self, sender_id: str, whole: bool) -> Optional[tuple[Entry, Read]]:
        """The deserialised events from where ``whole`` needs them, the cache brought up to date."""
        for _ in range(_ATTEMPTS):
            entry = self.cache.get(sender_id)
            known: Dict[str, Any] = (
                {"epoch": entry.epoch, "start": entry.base, "length": entry.end} if entry else {}
            )
            read = self.log.read(sender_id, whole=whole, **known)
            if isinstance(read, Legacy):
                self._migrate(sender_id)
                continue
            if read is None:
                self.cache.drop(sender_id)
                return None
            fresh = [_event(item) for item in read.items]
            if entry is not None and entry.epoch == read.epoch and read.start == entry.end:
                self.cache.extend(sender_id, fresh)
            else:
                entry = Entry(read.epoch, read.start, fresh)
                self.cache.put(sender_id, entry)
            return entry, read
        raise TrackerConflict(f"the tracker of {sender_id} could not be migrated")

    def _migrate(self, sender_id: str) -> None:
        """Rasa's one-string tracker → the list layout (once, whoever gets there first)."""
        legacy = self.log.read_legacy(sender_id)
        if legacy is None:
            return
        events = list(Dialogue.from_parameters(json.loads(legacy)).events)
        session = max((i for i, e in enumerate(events) if _is_session_start(e)), default=0)
        if self.log.migrate(sender_id, legacy, [_item(e) for e in events], session):
            logger.info("tracker %s rewritten as a list (%d events)", sender_id, len(events))

    # --- saving ----------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events ``tracker`` gained since this store handed it out."""
        await self.stream_events(tracker)
        events = list(tracker.events)
        mark: Optional[_Mark] = getattr(tracker, _MARK, None)
        if mark is not None and len(events) >= mark.stored and mark.first is _first(tracker):
            new = events[mark.stored :]
            if not new:
                return
            result = self._append(tracker.sender_id, new, mark.start + mark.stored, mark.epoch)
            if isinstance(result, Appended):
                setattr(tracker, _MARK, _Mark(result.epoch, mark.start, len(events), mark.first))
                return
        # a tracker this store did not hand out (a new one, a copy, Rasa's "replace
        # events"), or its list changed under it: compare with what is stored
        self._save_by_comparison(tracker, events)

    def _append(
        self, sender_id: str, events: Sequence[Event], position: int, epoch: str
    ) -> Union[Appended, Legacy, Stale]:
        return self.log.append(
            sender_id,
            [_item(e) for e in events],
            position=position,
            epoch=epoch,
            session_starts=[i for i, e in enumerate(events) if _is_session_start(e)],
            ttl=self.record_exp or 0,
        )

    def _save_by_comparison(self, tracker: DialogueStateTracker, events: List[Event]) -> None:
        """Append the events not already stored, compared by ``as_dict()`` as Rasa's
        ``_merge_trackers`` does (but through a set: once, not for every pair)."""
        sender_id = tracker.sender_id
        if not events:
            return
        for _ in range(_ATTEMPTS):
            found = self._entry(sender_id, whole=True)
            if found is None:
                epoch, length, stored = "", 0, {}
            else:
                entry, read = found
                epoch, length = read.epoch, read.length
                stored = {}
                for index, event in enumerate(entry.events, entry.base):
                    if event is not None:
                        stored.setdefault(_same(event), index)
            new = [e for e in events if _same(e) not in stored]
            if not new:
                result: Union[Appended, Legacy, Stale] = Appended(epoch, length, 0)
            else:
                result = self._append(sender_id, new, length, epoch)
            if isinstance(result, Appended):
                anchor = stored.get(_same(events[0]), length)
                setattr(tracker, _MARK, _Mark(result.epoch, anchor, len(events), events[0]))
                return
            if result is LEGACY:
                self._migrate(sender_id)
        raise TrackerConflict(f"the tracker of {sender_id} kept changing while being saved")


def _first(tracker: DialogueStateTracker) -> Optional[Event]:
    return tracker.events[0] if tracker.events else None
