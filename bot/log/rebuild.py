"""Rebuild the outcome aggregates from the stream (once, for events logged before them).

    python -m bot.log.rebuild            # when they are not live yet (resumes where it stopped)
    python -m bot.log.rebuild --force    # drop them and fold the whole stream again

Reads ``REDIS_URL`` (as the servers do). The Rasa server runs the same rebuild in the
background when it finds the aggregates missing (:func:`bot.log.outcomes.replay_forever`).

The stream is folded in order, a chunk at a time, by a Lua script that applies the chunk's
events and moves the cursor (the last entry folded) only if the cursor is where this
reader found it: an interrupted rebuild resumes from the cursor, two rebuilds never fold
an entry twice. Events appended meanwhile stay in the stream (the log does not aggregate
them while ``state`` is not ``live``) and are folded in their turn. When the cursor is the
stream's last entry, the same script sets ``state`` to ``live``: from then on the log's
append updates the aggregates.

    state: (none) ──► clearing ──► rebuilding ──(caught up)──► live
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import uuid
from dataclasses import dataclass
from typing import Callable, List, Optional

from bot.log import aggregates
from bot.log.entries import parse
from bot.store import keys

logger = logging.getLogger(__name__)

STREAM = keys.OUTCOMES
LOCK = f"{keys.PREFIX}:agg:rebuild-lock"
LOCK_MS = 30_000
CHUNK = 500

# KEYS: meta, stream. ARGV: prefix, expected cursor, new cursor, then per event: entry, facts
_FOLD = aggregates.LUA + (
    """
if redis.call('HGET', KEYS[1], 'state') ~= 'rebuilding' then return -1 end
if redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[2] then return -1 end
local width = 1 + __FACTS__  -- the entry, then its facts
local folded = 0
for at = 4, #ARGV, width do
  aggregate(ARGV[1], ARGV[at], {unpack(ARGV, at + 1, at + width - 1)})
  folded = folded + 1
end
redis.call('HSET', KEYS[1], 'cursor', ARGV[3])
return folded
""".replace("__FACTS__", str(aggregates.FACTS))
)

# KEYS: meta, stream. ARGV: expected cursor. Live when the cursor is the last entry.
_FINISH = """
if redis.call('HGET', KEYS[1], 'state') ~= 'rebuilding' then return 0 end
local cursor = redis.call('HGET', KEYS[1], 'cursor')
if cursor ~= ARGV[1] then return 0 end
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #last > 0 and last[1][1] ~= cursor then return 0 end
redis.call('HSET', KEYS[1], 'state', 'live')
redis.call('HDEL', KEYS[1], 'cursor')
return 1
"""

# KEYS: meta. Starts a rebuild unless one is under way or the aggregates are live.
_BEGIN = """
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'live' or state == 'rebuilding' then return state end
redis.call('HSET', KEYS[1], 'state', 'clearing')
return 'clearing'
"""


class RebuildBusy(RuntimeError):
    """Another process is rebuilding (holds the lock, or changed the state meanwhile)."""


@dataclass
class Report:
    """What a rebuild did."""

    folded: int = 0
    unreadable: int = 0
    already_live: bool = False


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _clear(redis, token: str) -> None:  # noqa: ANN001
    """Delete every aggregate key but the meta and the lock."""
    batch: List[bytes] = []
    async for name in redis.scan_iter(match=aggregates.PATTERN, count=1000):
        if _text(name) not in (aggregates.META, LOCK):
            batch.append(name)
        if len(batch) >= 1000:
            await redis.delete(*batch)
            await _hold(redis, token)
            batch = []
    if batch:
        await redis.delete(*batch)


async def _hold(redis, token: str) -> None:  # noqa: ANN001
    """Take the lock, or keep it for another LOCK_MS; RebuildBusy if another has it."""
    if await redis.set(LOCK, token, nx=True, px=LOCK_MS):
        return
    holder = await redis.get(LOCK)
    if holder is None or _text(holder) != token:
        raise RebuildBusy("another process is rebuilding the outcome aggregates")
    await redis.pexpire(LOCK, LOCK_MS)


async def _still_rebuilding(redis) -> None:  # noqa: ANN001
    state = _text(await redis.hget(aggregates.META, "state") or b"")
    if state != "rebuilding":
        raise RebuildBusy(f"the outcome aggregates went {state or 'missing'} during the rebuild")


async def rebuild(
    redis,  # noqa: ANN001
    *,
    force: bool = False,
    chunk: int = CHUNK,
    progress: Optional[Callable[[Report], None]] = None,
) -> Report:
    """Fold the stream into the aggregates until they are live (see the module doc)."""
    token = uuid.uuid4().hex
    report = Report()
    await _hold(redis, token)
    try:
        if force:
            await redis.hset(aggregates.META, "state", "clearing")
        state = _text(await redis.eval(_BEGIN, 1, aggregates.META))
        if state == "live":
            report.already_live = True
            return report
        if state == "clearing":  # no aggregates yet, or left half-cleared: start over
            await _clear(redis, token)
            await redis.hset(aggregates.META, mapping={"state": "rebuilding", "cursor": "0-0"})
        fold = redis.register_script(_FOLD)
        finish = redis.register_script(_FINISH)
        while True:
            await _hold(redis, token)
            cursor = _text(await redis.hget(aggregates.META, "cursor") or b"0-0")
            entries = await redis.xrange(STREAM, min=f"({cursor}", max="+", count=chunk)
            if not entries:
                if await finish(keys=[aggregates.META, STREAM], args=[cursor]):
                    return report
                await _still_rebuilding(redis)
                continue
            events, problems = parse(entries)
            args: List[str] = [keys.PREFIX, cursor, _text(entries[-1][0])]
            for event in events:
                args += [event["entry"], *aggregates.facts(event)]
            if await fold(keys=[aggregates.META, STREAM], args=args) < 0:
                await _still_rebuilding(redis)  # the cursor moved under us: read it again
                continue
            report.folded += len(events)
            report.unreadable += len(problems)
            if progress:
                progress(report)
    finally:
        if _text(await redis.get(LOCK) or b"") == token:
            await redis.delete(LOCK)


async def _main(argv: List[str]) -> int:
    import redis.asyncio

    parser = argparse.ArgumentParser(prog="python -m bot.log.rebuild", description=__doc__)
    parser.add_argument("--force", action="store_true", help="drop the aggregates first")
    options = parser.parse_args(argv)
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.asyncio.Redis.from_url(url)
    step = [0]

    def progress(report: Report) -> None:
        if report.folded // 100_000 > step[0]:
            step[0] = report.folded // 100_000
            print(f"  {report.folded:,} events folded", flush=True)

    try:
        report = await rebuild(client, force=options.force, progress=progress)
    except RebuildBusy as error:
        print(f"{error}; try again when it has finished", file=sys.stderr)
        return 1
    finally:
        await client.close()
    if report.already_live:
        print("the outcome aggregates are live; nothing to do (--force rebuilds them)")
    else:
        print(f"rebuilt: {report.folded:,} events folded, {report.unreadable} unreadable skipped")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(asyncio.run(_main(sys.argv[1:])))
