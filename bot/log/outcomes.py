"""The outcome log: what happened to every suggestion and option, and how conversations ended.

Events go to the Redis stream ``kefu:outcomes`` (field ``event``: the JSON of one event,
schema in :mod:`bot.log.schema`, docs/outcome-log.md). Free text is masked
(:mod:`bot.log.pii`) before it is stored anywhere. Every event gets its id when it is made
and is written by a Lua script that adds it to the stream only if that id was never
added, so a retry never doubles an event; the same script updates the KPI counters and
the review index (:mod:`bot.log.aggregates`), so they count each event exactly once.

When Redis cannot be reached, events go to the disk spool instead
(:mod:`bot.store.spool`: one file per process, JSON lines, fsynced), and later events
follow them there, so the order holds. The spool is replayed — oldest file first, line
by line — at the next write that finds Redis again, and by :meth:`OutcomeLog.replay`
(called at start-up and every few seconds). A replay cut short repeats events already
added; their ids make that a no-op. A line that cannot be read is quarantined.

    RedisError / OSError while writing ──► spool/outcomes-<pid>.jsonl ──► replay ──► stream
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from redis.exceptions import RedisError

from bot.log import aggregates, schema
from bot.log.entries import Problem, parse
from bot.log.pii import mask
from bot.log.rebuild import RebuildBusy, rebuild
from bot.store import keys
from bot.store.spool import Spool

logger = logging.getLogger(__name__)

STREAM = keys.OUTCOMES
SEEN_TTL = 8 * 24 * 3600  # a spooled event replayed within a week is still recognised
MAX_EVENTS = 5_000_000

# KEYS: the day's seen-hash, the stream, the conversation's event index, the aggregates' meta
# ARGV: event id, event json, event time (s), seen ttl, max stream length, key prefix,
#       then the event's aggregate facts (bot.log.aggregates.facts)
_APPEND_ONCE = (
    aggregates.LUA
    + """
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known then return {0, known} end
local fresh = redis.call('EXISTS', KEYS[2]) == 0
local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'event', ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], entry)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], entry)
local state = redis.call('HGET', KEYS[4], 'state')
if not state and fresh then  -- a new log: aggregated from its first event
  state = 'live'
  redis.call('HSET', KEYS[4], 'state', state)
end
if state == 'live' then  -- otherwise the rebuild folds this event in, in stream order
  aggregate(ARGV[6], entry, {unpack(ARGV, 7)})
end
return {1, entry}
"""
)


def stable_id(*parts: str) -> str:
    """The id of an event that can happen only once (a grant, a close): a retry of the
    request that caused it then never logs it twice."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "kefu:" + ":".join(parts)).hex


def seen_key(ts: float) -> str:
    return f"{keys.PREFIX}:log:seen:{time.strftime('%Y-%m-%d', time.gmtime(ts))}"


def conversation_index(cid: str) -> str:
    return f"{keys.PREFIX}:log:conv:{cid}"


def make_event(event: Mapping[str, Any], now: Optional[float] = None) -> Dict[str, Any]:
    """The stored form: envelope added, free text masked, checked against the schema."""
    record = {"v": schema.VERSION, "id": uuid.uuid4().hex, "ts": round(now or time.time(), 3)}
    record.update(event)  # an event may bring its own (stable) id
    record.setdefault("agent", None)
    for name in schema.FREE_TEXT:
        if isinstance(record.get(name), str):
            record[name] = mask(record[name])
    schema.check(record)  # a programming error if it fails: raise, do not store
    return record


class OutcomeLog:
    """Append and read outcome events (``redis.asyncio`` client)."""

    def __init__(self, redis, spool_dir: Path) -> None:  # noqa: ANN001
        self._redis = redis
        self._script = redis.register_script(_APPEND_ONCE)
        self.spool_dir = spool_dir
        # a repeated event is a no-op (its id): the marks need no fsync per event
        self._disk = Spool(spool_dir, "outcomes", check=schema.check, sync_marks=False)
        self._lock = asyncio.Lock()
        self._spooled: Optional[bool] = None  # unknown until the disk is first looked at

    async def append(self, event: Mapping[str, Any]) -> Dict[str, Any]:
        """Store one event (or spool it); returns the stored record."""
        return (await self.append_many([event]))[0]

    async def append_many(self, events: List[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        """Store events in this order, in one round trip (or spool them all)."""
        records = [make_event(event) for event in events]
        async with self._lock:
            if self._spooled is None:
                self._spooled = self.pending()  # a spool left by an earlier run
            if self._spooled and not (await self._replay_locked())[1]:
                self._write_spool(records)
                return records
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for record in records:
                        await self._add(record, client=pipe)
                    await pipe.execute()
            except (RedisError, OSError) as error:
                logger.warning("outcome log: Redis unavailable (%s); spooling to disk", error)
                self._write_spool(records)  # a retry of any that did reach Redis is a no-op
        return records

    async def _add(self, record: Mapping[str, Any], client: Any = None) -> bool:
        """True if added now, False if this id was already in the stream."""
        result = await self._script(
            keys=[
                seen_key(record["ts"]),
                STREAM,
                conversation_index(record["conversation_id"]),
                aggregates.META,
            ],
            args=[
                record["id"],
                json.dumps(record, ensure_ascii=False),
                record["ts"],
                SEEN_TTL,
                MAX_EVENTS,
                keys.PREFIX,
                *aggregates.facts(record),
            ],
            client=client,
        )
        return client is not None or bool(result[0])

    # ---- the spool (bot/store/spool.py) ----

    def pending(self) -> bool:
        """Whether any spool file (this process's or a dead one's) holds events."""
        return self._disk.pending()

    def _write_spool(self, records: List[Mapping[str, Any]]) -> None:
        self._disk.append(records)
        self._spooled = True

    async def replay(self) -> int:
        """Move spooled events into the stream, in order; returns how many were added."""
        async with self._lock:
            return (await self._replay_locked())[0]

    async def _replay_locked(self) -> Tuple[int, bool]:
        """(events added, whether the spool is now empty)."""
        added = 0

        async def take(record: Dict[str, Any]) -> None:
            nonlocal added
            if await self._add(record):  # False: it reached Redis before (a retry)
                added += 1

        try:
            replayed = await self._disk.replay(take)
        except (RedisError, OSError) as error:
            logger.info("outcome log: replay waits for Redis (%s)", error)
            return added, False
        if added:
            logger.warning("outcome log: replayed %d spooled events", added)
        self._spooled = replayed.busy  # another process is replaying: not empty yet
        return added, not replayed.busy

    async def rebuild_aggregates(self) -> None:
        """Fold the events logged before the aggregates existed into them, unless they
        are live or another process is at it (:mod:`bot.log.rebuild`)."""
        if await self._redis.hget(aggregates.META, "state") in (b"live", "live"):
            return
        try:
            report = await rebuild(self._redis)
        except RebuildBusy:
            return
        if not report.already_live:
            logger.warning("outcome log: aggregates rebuilt from %d events", report.folded)

    # ---- reading ----

    async def read(
        self, since: Optional[float] = None, until: Optional[float] = None
    ) -> Tuple[List[Dict[str, Any]], List[Problem]]:
        """Every readable event with ``since <= ts < until``, in stream order."""
        start = "-" if since is None else str(int(max(since - 24 * 3600, 0) * 1000))
        entries = await self._redis.xrange(STREAM, min=start, max="+")
        events, problems = parse(entries)
        selected = [
            e
            for e in events
            if (since is None or e["ts"] >= since) and (until is None or e["ts"] < until)
        ]
        return selected, problems

    async def conversation(self, cid: str) -> Tuple[List[Dict[str, Any]], List[Problem]]:
        """One conversation's events, oldest first."""
        ids = await self._redis.zrange(conversation_index(cid), 0, -1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for entry in ids:
                pipe.xrange(STREAM, min=entry, max=entry)
            found = await pipe.execute()
        return parse([item for entries in found for item in entries])


async def replay_forever(get_log: Callable[[], "OutcomeLog"], interval: float = 5.0) -> None:
    """Replay the spool whenever it holds events and Redis is back, and rebuild the
    aggregates when they are missing (a server task)."""
    while True:
        await asyncio.sleep(interval)
        log = get_log()
        if log.pending():
            try:
                await log.replay()
            except Exception:  # noqa: BLE001 — a background task must not die
                logger.exception("outcome log: replay failed; trying again later")
        try:
            await log.rebuild_aggregates()
        except (RedisError, OSError) as error:
            logger.info("outcome log: aggregates rebuild waits for Redis (%s)", error)
        except Exception:  # noqa: BLE001 — a background task must not die
            logger.exception("outcome log: aggregates rebuild failed; trying again later")
