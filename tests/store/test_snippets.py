"""Agents' saved snippets against a real Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.store.snippets import Snippets, TooManySnippets, snippets_key


async def test_snippets_are_kept_per_agent_listed_oldest_first_and_deleted(aioredis):
    store = Snippets(aioredis, limit=3)
    me, other = "agent-" + uuid.uuid4().hex[:6], "agent-" + uuid.uuid4().hex[:6]
    first = await store.add(me, "您好，我是客服")
    second = await store.add(me, "週末不出貨喔")
    assert [s["text"] for s in await store.all(me)] == ["您好，我是客服", "週末不出貨喔"]
    assert await store.all(other) == []
    assert await store.delete(other, first["id"]) is False  # not another agent's
    assert await store.delete(me, first["id"]) is True
    assert await store.delete(me, first["id"]) is False
    assert [s["id"] for s in await store.all(me)] == [second["id"]]


async def test_the_limit_holds_even_for_saves_at_once(aioredis):
    store = Snippets(aioredis, limit=3)
    me = "agent-" + uuid.uuid4().hex[:6]
    outcomes = await asyncio.gather(
        *(store.add(me, f"第{n}句") for n in range(6)), return_exceptions=True
    )
    assert sum(isinstance(o, dict) for o in outcomes) == 3
    assert sum(isinstance(o, TooManySnippets) for o in outcomes) == 3
    assert len(await store.all(me)) == 3
    # an unreadable value is left out, never an error
    await aioredis.hset(snippets_key(me), "broken", "not json")
    assert len(await store.all(me)) == 3
    with pytest.raises(TooManySnippets):
        await store.add(me, "再一句")
