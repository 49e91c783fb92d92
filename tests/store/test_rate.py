"""The per-account rate limit against a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.rate import RateLimit, rate_key


async def test_calls_past_the_limit_wait_for_the_window_and_others_are_free(aioredis):
    limit = RateLimit(aioredis, "test_a", limit=3, window=2)
    assert [await limit.wait("agent1") for _ in range(3)] == [None, None, None]
    wait = await limit.wait("agent1")
    assert wait is not None and 1 <= wait <= 2
    assert await limit.wait("agent2") is None  # per account
    assert await RateLimit(aioredis, "test_b", limit=3).wait("agent1") is None  # per name
    # refused calls are not counted: the window ends as it began
    assert int(await aioredis.get(rate_key("test_a", "agent1"))) == 3
    await asyncio.sleep(2.2)
    assert await limit.wait("agent1") is None


def test_a_limit_needs_a_limit(aioredis):
    with pytest.raises(ValueError):
        RateLimit(aioredis, "test_c", limit=0)
