"""The outcome log against a real redis-server that is stopped and restarted mid-way."""

from __future__ import annotations

import json

import pytest
import redis.asyncio

from bot.devredis import start
from bot.log import schema
from bot.log.outcomes import STREAM, OutcomeLog, make_event, parse, stable_id
from tests.conftest import free_port


def event(n: int, **extra):
    return {
        "action": "shown",
        "conversation_id": "c1",
        "agent": "agent1",
        "turn": n,
        "suggestion_id": f"t.{n}",
        "technique": "empathy",
        "complaint_type": "complaint_defect",
        "stage": "acknowledge",
        **extra,
    }


async def stored(client) -> list:
    events, problems = parse(await client.xrange(STREAM))
    assert problems == []
    return events


async def test_events_are_versioned_masked_and_added_once(aioredis, tmp_path):
    log = OutcomeLog(aioredis, tmp_path / "spool")
    record = await log.append(
        {
            "action": "edited",
            "conversation_id": "c1",
            "agent": "agent1",
            "suggestion_id": "t.1",
            "technique": "empathy",
            "complaint_type": None,
            "similarity": 0.8,
            "text": "好的，我們會打 0912-345-678 給您",
        }
    )
    assert record["v"] == schema.VERSION and len(record["id"]) == 32
    assert "0912" not in record["text"] and "[手機]" in record["text"]
    # the same event id again (a retried request) is not added twice
    again = await log._add(record)
    assert again is False
    assert [e["id"] for e in await stored(aioredis)] == [record["id"]]
    events, _ = await log.conversation("c1")
    assert [e["id"] for e in events] == [record["id"]]


async def test_stable_ids_make_once_only_events_once(aioredis, tmp_path):
    log = OutcomeLog(aioredis, tmp_path / "spool")
    closed = {
        "action": "closed",
        "conversation_id": "c9",
        "agent": "agent1",
        "resolution": "resolved",
        "compensation": [],
        "compensation_cost": 0,
        "handle_time_s": 60.0,
        "first_response_s": 5.0,
    }
    for _ in range(3):
        await log.append({**closed, "id": stable_id("closed", "c9")})
    assert len(await stored(aioredis)) == 1


def test_bad_events_are_refused_when_written():
    with pytest.raises(schema.SchemaError):
        make_event({"action": "shown", "conversation_id": "c1"})  # fields missing
    with pytest.raises(schema.SchemaError):
        make_event({"action": "teleported", "conversation_id": "c1"})


async def test_corrupt_and_unknown_version_entries_are_skipped_and_reported(aioredis, tmp_path):
    log = OutcomeLog(aioredis, tmp_path / "spool")
    await log.append(event(0))
    await aioredis.xadd(STREAM, {"event": "{not json"})
    await aioredis.xadd(STREAM, {"event": json.dumps({**make_event(event(1)), "v": 99})})
    await aioredis.xadd(STREAM, {"other": "x"})
    await log.append(event(2))
    events, problems = await log.read()
    assert [e["turn"] for e in events] == [0, 2]
    assert len(problems) == 3
    assert any("version 99" in p.reason for p in problems)


async def test_redis_down_spools_to_disk_and_replays_in_order_once(tmp_path):
    port = free_port()
    server = start(tmp_path / "redis", port)
    client = redis.asyncio.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    spool = tmp_path / "spool"
    log = OutcomeLog(client, spool)
    try:
        for n in range(3):
            await log.append(event(n))
        server.stop()  # Redis goes away in the middle of the conversation
        for n in range(3, 8):
            await log.append(event(n))  # no exception: the chat goes on
        assert log.pending()
        lines = next(spool.glob("outcomes-*.jsonl")).read_text().splitlines()
        assert [json.loads(line)["turn"] for line in lines] == [3, 4, 5, 6, 7]
        assert await log.replay() == 0  # still down: nothing moves, nothing is lost
        server = start(tmp_path / "redis", port)  # back, with its append-only file
        await log.append(event(8))  # the next write replays the spool first
        assert not log.pending()
        assert [e["turn"] for e in await stored(client)] == list(range(9))
        assert await log.replay() == 0  # replaying again adds nothing
        assert [e["turn"] for e in await stored(client)] == list(range(9))
    finally:
        await (client.aclose() if hasattr(client, "aclose") else client.close())
        server.stop()


async def test_a_replay_interrupted_half_way_doubles_nothing(aioredis, tmp_path):
    log = OutcomeLog(aioredis, tmp_path / "spool")
    records = [make_event(event(n)) for n in range(4)]
    for record in records:
        log._write_spool([record])
    await log._add(records[0])  # as if the first two reached Redis before a crash
    await log._add(records[1])
    assert await log.replay() == 2
    assert [e["turn"] for e in await stored(aioredis)] == [0, 1, 2, 3]


async def test_a_dead_process_spool_is_replayed_and_removed(aioredis, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    orphan = spool / "outcomes-999999.jsonl"
    orphan.write_text(json.dumps(make_event(event(5))) + "\nnot json\n")
    log = OutcomeLog(aioredis, spool)
    assert await log.replay() == 1  # the unreadable line is dropped and logged
    assert not orphan.exists()
    assert [e["turn"] for e in await stored(aioredis)] == [5]


async def test_a_turns_events_go_in_one_round_trip_in_order(aioredis, tmp_path):
    log = OutcomeLog(aioredis, tmp_path / "spool")
    records = await log.append_many([event(n) for n in range(5)])
    assert [e["id"] for e in await stored(aioredis)] == [r["id"] for r in records]
    assert not (tmp_path / "spool").exists()  # nothing spooled while Redis answers


async def test_a_spooled_line_the_schema_refuses_is_quarantined_with_the_reason(aioredis, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    bad = {**make_event(event(1)), "v": 99}
    (spool / "outcomes-999998.jsonl").write_text(
        json.dumps(make_event(event(0))) + "\n" + json.dumps(bad) + "\n"
    )
    log = OutcomeLog(aioredis, spool)
    assert await log.replay() == 1 and not log.pending()
    assert [e["turn"] for e in await stored(aioredis)] == [0]
    (kept,) = [json.loads(line) for line in (spool / "quarantine/outcomes.jsonl").open()]
    assert "version 99" in kept["reason"] and json.loads(kept["line"])["id"] == bad["id"]
