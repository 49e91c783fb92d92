"""The one-off rebuild of the aggregates from a stream logged before them: resumable, never
folding an event twice, with the events appended meanwhile folded in their turn."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
import redis.asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.log import aggregates, rebuild
from bot.log.outcomes import STREAM, OutcomeLog, make_event
from bot.log.views import OutcomeViews
from tests.conftest import ROOT
from tests.log.outcome_events import DAY0, SPAN_MS, check_against_scan, events


class Crash(Exception):
    """The rebuilding process dies here."""


async def legacy(client, drawn) -> list:  # noqa: ANN001
    """Log events as the log did before the aggregates (no meta, no counters)."""
    records = [make_event(event) for event in drawn]
    for record in records:
        await client.xadd(STREAM, {"event": json.dumps(record, ensure_ascii=False)})
    return records


def later(before: list, after: list) -> list:
    """``after`` moved to happen after ``before`` (as new events do), within the 4 days."""
    last = max((e["ts"] for e in before), default=DAY0)
    scale = (DAY0 + SPAN_MS / 1000 - 0.001 - last) / (SPAN_MS / 1000)
    return [{**e, "ts": round(last + (e["ts"] - DAY0) * scale, 3)} for e in after]


async def _interrupted(port: int, spool, before, after, crash_at: int) -> None:  # noqa: ANN001
    client = redis.asyncio.Redis(port=port)
    try:
        await client.flushdb()
        await legacy(client, before)
        log, views = OutcomeLog(client, spool), OutcomeViews(client)
        folded = []

        def crash(report: rebuild.Report) -> None:
            folded.append(report.folded)
            if len(folded) == crash_at:
                raise Crash

        try:
            await rebuild.rebuild(client, chunk=3, progress=crash)
        except Crash:
            assert await views.tally(["2026-11-20"]) is None  # the routes scan meanwhile
        await log.append_many(later(before, after))  # while rebuilding: folded in their turn
        await rebuild.rebuild(client, chunk=4)
        assert await views.live()
        await check_against_scan(log, views)
        await rebuild.rebuild(client, force=True)  # again from scratch: nothing doubled
        await check_against_scan(log, views)
    finally:
        await client.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=events(40), after=events(15), crash_at=st.integers(1, 5))
def test_an_interrupted_rebuild_resumes_and_counts_each_event_once(
    redis_server, tmp_path_factory, before, after, crash_at
):
    spool = tmp_path_factory.mktemp("spool")
    asyncio.run(_interrupted(redis_server.port, spool, before, after, crash_at))


async def test_unreadable_entries_are_skipped_and_counted(aioredis, tmp_path):
    records = await legacy(aioredis, [])
    await aioredis.xadd(STREAM, {"event": "{not json"})
    records = await legacy(aioredis, [_shown(n) for n in range(3)])
    await aioredis.xadd(STREAM, {"other": "x"})  # the last entry: the cursor passes it too
    report = await rebuild.rebuild(aioredis)
    assert (report.folded, report.unreadable) == (len(records), 2)
    assert await OutcomeViews(aioredis).live()
    assert (await rebuild.rebuild(aioredis)).already_live


async def test_a_second_rebuild_waits_for_the_first(aioredis, tmp_path):
    await legacy(aioredis, [_shown(0)])
    await aioredis.set(rebuild.LOCK, "another process")
    with pytest.raises(rebuild.RebuildBusy):
        await rebuild.rebuild(aioredis)
    log = OutcomeLog(aioredis, tmp_path)
    await log.rebuild_aggregates()  # the server's background task: quietly later
    assert not await OutcomeViews(aioredis).live()
    await aioredis.delete(rebuild.LOCK)
    await log.rebuild_aggregates()
    assert await OutcomeViews(aioredis).live()


async def test_a_stale_cursor_folds_nothing(aioredis):
    await legacy(aioredis, [_shown(n) for n in range(2)])
    await aioredis.hset(aggregates.META, mapping={"state": "rebuilding", "cursor": "0-0"})
    fold = aioredis.register_script(rebuild._FOLD)
    args = ["kefu", "1-0", "2-0"]  # expects a cursor that is not there
    assert await fold(keys=[aggregates.META, STREAM], args=args) == -1
    assert await aioredis.hget(aggregates.META, "cursor") == b"0-0"


def test_the_command_rebuilds_once(redis_client, redis_server):
    record = make_event(_shown(0))
    redis_client.xadd(STREAM, {"event": json.dumps(record)})
    env = {**os.environ, "REDIS_URL": redis_server.url}
    command = [sys.executable, "-m", "bot.log.rebuild"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.returncode == 0 and "1 events folded" in first.stdout, first.stderr
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert "nothing to do" in again.stdout
    assert redis_client.hget(aggregates.META, "state") == b"live"


def _shown(n: int) -> dict:
    return {
        "action": "shown",
        "conversation_id": "c1",
        "agent": "agent1",
        "turn": n,
        "suggestion_id": f"t.{n}",
        "technique": "empathy",
        "complaint_type": None,
        "stage": "acknowledge",
    }
