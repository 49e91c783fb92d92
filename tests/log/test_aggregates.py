"""The aggregates are updated by the log's append, once per event id: a retried append, a
spool replayed half-way and then again, count each event once."""

from __future__ import annotations

import asyncio
import json

import redis.asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.log import aggregates
from bot.log.outcomes import STREAM, OutcomeLog, make_event
from bot.log.views import OutcomeViews
from tests.log.outcome_events import DAY0, check_against_scan, events


def shown(n: int, cid: str = "c1") -> dict:
    return {
        "action": "shown",
        "conversation_id": cid,
        "agent": "agent1",
        "ts": DAY0 + 60 + n,
        "turn": n,
        "suggestion_id": f"t.{n}",
        "technique": "empathy",
        "complaint_type": "complaint_defect",
        "stage": "acknowledge",
    }


def test_facts_keep_numbers_as_the_log_wrote_them():
    record = make_event(
        {
            "action": "closed",
            "conversation_id": "c1",
            "agent": "agent1",
            "resolution": "resolved",
            "compensation": [],
            "compensation_cost": 0,
            "handle_time_s": 840.0,
            "first_response_s": None,
        },
        now=DAY0 + 0.1234,
    )
    facts = aggregates.facts(record)
    assert len(facts) == aggregates.FACTS
    assert facts[0] == "2026-11-20" and facts[4] == "owner"  # the Taiwan day; the agent owns it
    assert json.loads(facts[5]) == record["ts"] and facts[12:14] == ["840.0", "null"]


async def test_a_new_log_is_aggregated_from_its_first_event(aioredis, tmp_path):
    log, views = OutcomeLog(aioredis, tmp_path), OutcomeViews(aioredis)
    assert await views.live()  # nothing logged yet
    record = await log.append(shown(0))
    assert await log._add(record) is False  # a retry
    assert await aioredis.hget(aggregates.META, "state") == b"live"
    counted = await views.tally(["2026-11-20"])
    assert counted.by_technique["empathy"]["shown"] == 1
    await check_against_scan(log, views)


async def test_a_log_from_before_the_aggregates_is_read_from_the_stream(aioredis, tmp_path):
    old = make_event(shown(0))
    await aioredis.xadd(STREAM, {"event": json.dumps(old)})  # as the log wrote it before
    log, views = OutcomeLog(aioredis, tmp_path), OutcomeViews(aioredis)
    await log.append(shown(1))
    assert not await views.live()
    assert await views.tally(["2026-11-20"]) is None  # the routes then scan the stream
    assert await views.summaries(["2026-11-20"], agent="agent1") is None
    assert await aioredis.exists(aggregates.day_key("2026-11-20")) == 0  # left to the rebuild


async def _spooled_then_replayed(port: int, spool, drawn, reached: int) -> None:  # noqa: ANN001
    client = redis.asyncio.Redis(port=port)
    try:
        await client.flushdb()
        log = OutcomeLog(client, spool)
        records = [make_event(event) for event in drawn]
        log._write_spool(records)  # Redis was away
        for record in records[:reached]:
            await log._add(record)  # these reached Redis before the process died
        assert await log.replay() == len(records) - min(reached, len(records))
        assert await log.replay() == 0
        if records:
            await log.append(records[0])  # a retried request, same event id
        await check_against_scan(log, OutcomeViews(client))
    finally:
        await client.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=events(40), reached=st.integers(0, 40))
def test_a_spool_replayed_half_way_then_again_counts_each_event_once(
    redis_server, tmp_path_factory, drawn, reached
):
    spool = tmp_path_factory.mktemp("spool")
    asyncio.run(_spooled_then_replayed(redis_server.port, spool, drawn, reached))
