"""The review list and the KPIs from the aggregates equal the full scan of the same events.

Events drawn by hypothesis are logged through the log's own append (the Lua script that
appends and aggregates), then every period, agent and filter is read both ways.
"""

from __future__ import annotations

import asyncio

import redis.asyncio
from hypothesis import HealthCheck, given, settings

from bot.log.outcomes import OutcomeLog
from bot.log.views import OutcomeViews
from tests.log.outcome_events import check_against_scan, events


async def _logged_then_read(port: int, spool, drawn) -> None:  # noqa: ANN001
    client = redis.asyncio.Redis(port=port)
    try:
        await client.flushdb()
        log = OutcomeLog(client, spool)
        for start in range(0, len(drawn), 7):  # a turn's events go in one round trip
            await log.append_many(drawn[start : start + 7])
        await check_against_scan(log, OutcomeViews(client))
    finally:
        await client.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=events())
def test_aggregates_equal_the_full_scan(redis_server, tmp_path_factory, drawn):
    spool = tmp_path_factory.mktemp("spool")
    asyncio.run(_logged_then_read(redis_server.port, spool, drawn))
