"""Template counts on a real Redis: they round-trip, stay per complaint type, and add up."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.keys import BadId
from bot.store.template_stats import TemplateStats, TemplateStatsStore


async def test_counts_round_trip(aioredis):
    store = TemplateStatsStore(aioredis)
    assert await store.stats("complaint_defect") == {}
    await store.record_shown("complaint_defect", ["defect.a.01", "general.b.02"])
    await store.record_shown("complaint_defect", ["defect.a.01"])
    await store.record_used("complaint_defect", "defect.a.01")
    await store.record_shown("complaint_defect", [])  # a turn without suggestions
    assert await store.stats("complaint_defect") == {
        "defect.a.01": TemplateStats(shown=2, used=1),
        "general.b.02": TemplateStats(shown=1, used=0),
    }
    assert await aioredis.hgetall("kefu:tstats:complaint_defect") == {
        b"defect.a.01:shown": b"2",
        b"defect.a.01:used": b"1",
        b"general.b.02:shown": b"1",
    }


async def test_a_use_counted_before_its_showing_is_clamped(aioredis):
    store = TemplateStatsStore(aioredis)
    await store.record_used("complaint_defect", "defect.a.01")
    assert await store.stats("complaint_defect") == {"defect.a.01": TemplateStats(0, 0)}


async def test_each_complaint_type_has_its_own_counts(aioredis):
    store = TemplateStatsStore(aioredis)
    await store.record_shown("complaint_defect", ["general.b.02"])
    await store.record_shown("complaint_price_error", ["general.b.02", "general.b.02"])
    await store.record_used("complaint_price_error", "general.b.02")
    await store.record_shown(None, ["general.b.02"])
    assert await store.stats("complaint_defect") == {"general.b.02": TemplateStats(1, 0)}
    assert await store.stats("complaint_price_error") == {"general.b.02": TemplateStats(2, 1)}
    assert await store.stats(None) == {"general.b.02": TemplateStats(1, 0)}
    assert await aioredis.exists("kefu:tstats:any") == 1


async def test_concurrent_counts_add_up_exactly(aioredis):
    store = TemplateStatsStore(aioredis)
    ids = ["a.01", "b.01", "c.01"]
    await asyncio.gather(*(store.record_shown("complaint_defect", ids) for _ in range(50)))
    await asyncio.gather(*(store.record_used("complaint_defect", "b.01") for _ in range(30)))
    assert await store.stats("complaint_defect") == {
        "a.01": TemplateStats(50, 0),
        "b.01": TemplateStats(50, 30),
        "c.01": TemplateStats(50, 0),
    }


async def test_ids_that_must_not_reach_redis_are_refused(aioredis):
    store = TemplateStatsStore(aioredis)
    with pytest.raises(BadId):
        await store.record_shown("complaint_defect", ["ok.01", "bad:id"])
    with pytest.raises(BadId):
        await store.record_used("complaint defect *", "ok.01")
    assert await aioredis.keys("kefu:tstats:*") == []
