"""The review list and the KPIs from the aggregates (:mod:`bot.log.aggregates`).

Reads what the period's days hold, never the stream: for the KPIs, each day's counts and
each conversation's part for the day (one Lua call: a JSON array per day); for a filtered
review list, only the conversations the review index names for every filter (the union
over the days of each filter's sets, intersected in Redis), then their parts. The parts
merge into the summaries the full scan makes (:mod:`bot.log.parts`); the filters are then
checked on those summaries, so the index only has to name a superset.

Every read returns ``None`` while the aggregates are not ``live`` (being rebuilt): the
caller then reads the stream as before.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.log import aggregates
from bot.log.kpis import ConversationSummary, Tally, select
from bot.log.parts import Parts, agent_tally, everyone_tally, gc_paused, group, summaries
from bot.store import keys


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _ask_live(pipe) -> None:  # noqa: ANN001
    pipe.hget(aggregates.META, "state")
    pipe.exists(keys.OUTCOMES)


def _is_live(answers: Sequence[Any]) -> bool:
    """Live, or nothing logged yet (the first event makes them live)."""
    state, stream = answers[0], answers[1]
    return _text(state or b"") == "live" or (state is None and not stream)


class OutcomeViews:
    """Review lists and KPI tallies read from the aggregates (``redis.asyncio`` client)."""

    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis
        self._days = redis.register_script(aggregates.DAYS_LUA)
        self._conversation_parts = redis.register_script(aggregates.CONVERSATION_PARTS_LUA)

    async def live(self) -> bool:
        async with self._redis.pipeline(transaction=False) as pipe:
            _ask_live(pipe)
            return _is_live(await pipe.execute())

    async def tally(self, days: Sequence[str], agent: Optional[str] = None) -> Optional[Tally]:
        """What :func:`bot.log.kpis.tally` counts over the period's events (only
        ``agent``'s conversations when given); ``None`` while not live."""
        if agent is not None:
            cids = await self._candidates(days, {"agent": agent})
            if cids is None:
                return None
            parts = await self._parts_of(cids, days)
            with gc_paused():
                return agent_tally(days, parts, agent)
        async with self._redis.pipeline(transaction=False) as pipe:
            _ask_live(pipe)
            await self._days(args=[keys.PREFIX, 1, *days], client=pipe)
            answers = await pipe.execute()
        if not _is_live(answers):
            return None
        with gc_paused():
            return everyone_tally(days, answers[-1])

    async def summaries(
        self,
        days: Sequence[str],
        *,
        agent: Optional[str] = None,
        complaint_type: Optional[str] = None,
        sentiment: Optional[str] = None,
        outcome: Optional[str] = None,
    ) -> Optional[List[ConversationSummary]]:
        """The review list: summaries over the period matching every filter given,
        newest first (as :func:`bot.log.kpis.select`); ``None`` while not live."""
        filters = {
            "agent": agent,
            "complaint_type": complaint_type,
            "sentiment": sentiment,
            "outcome": outcome,
        }
        given = {name: value for name, value in filters.items() if value}
        if not given:
            parts = await self._period_parts(days)
        else:
            cids = await self._candidates(days, given)
            parts = None if cids is None else await self._parts_of(cids, days)
        if parts is None:
            return None
        with gc_paused():
            return select(summaries(parts), **filters)

    async def qa_parts(self, days: Sequence[str]) -> Optional[Dict[str, Dict[str, Any]]]:
        """The QA scorecards in short of the conversations closed on each day (day →
        conversation id → part, :func:`bot.log.qa.coaching`); ``None`` while not live."""
        async with self._redis.pipeline(transaction=False) as pipe:
            _ask_live(pipe)
            for day in days:
                pipe.hgetall(aggregates.qa_key(day))
            answers = await pipe.execute()
        if not _is_live(answers):
            return None
        return {
            day: {_text(cid): json.loads(part) for cid, part in found.items()}
            for day, found in zip(days, answers[2:])
        }

    # ---- reading ----

    async def _period_parts(self, days: Sequence[str]) -> Optional[Parts]:
        async with self._redis.pipeline(transaction=False) as pipe:
            _ask_live(pipe)
            await self._days(args=[keys.PREFIX, 0, *days], client=pipe)
            answers = await pipe.execute()
        if not _is_live(answers):
            return None
        with gc_paused():
            return group(part for day in answers[-1] for part in json.loads(day))

    async def _candidates(
        self, days: Sequence[str], given: Mapping[str, str]
    ) -> Optional[List[str]]:
        """The conversations the index names for every filter on some day of the period."""
        unions = {
            name: [aggregates.index_key(day, name, value) for day in days]
            for name, value in given.items()
        }
        scratch = [f"{keys.PREFIX}:agg:tmp:{uuid.uuid4().hex}:{name}" for name in unions]
        async with self._redis.pipeline(transaction=True) as pipe:
            _ask_live(pipe)
            if len(unions) == 1:
                pipe.sunion(*next(iter(unions.values())))
            else:
                for target, sources in zip(scratch, unions.values()):
                    pipe.sunionstore(target, *sources)
                pipe.sinter(*scratch)
                pipe.delete(*scratch)
            found = await pipe.execute()
        if not _is_live(found):
            return None
        members = found[2] if len(unions) == 1 else found[-2]
        return sorted(_text(cid) for cid in members)

    async def _parts_of(self, cids: Sequence[str], days: Sequence[str]) -> Parts:
        """These conversations' parts for these days, with their own counts."""
        if not cids:
            return {}
        found = await self._conversation_parts(args=[keys.PREFIX, len(days), *days, *cids])
        with gc_paused():
            return group(json.loads(found))
