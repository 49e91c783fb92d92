"""Login throttling against a real Redis: guessing slows down, an agent is never locked
out by someone else's wrong passwords."""

from __future__ import annotations

import asyncio

from bot.store.throttle import LoginThrottle


async def test_a_pair_slows_down_doubling_up_to_its_cap_and_a_success_forgives(aioredis):
    throttle = LoginThrottle(aioredis, pair_free=3, base=10, pair_cap=40, window=600)
    for _ in range(2):
        await throttle.failed("agent9", "10.0.0.1")
    assert await throttle.blocked_for("agent9", "10.0.0.1") is None
    waits = []
    for _ in range(4):
        await throttle.failed("agent9", "10.0.0.1")
        waits.append(await throttle.blocked_for("agent9", "10.0.0.1"))
    assert waits == [10, 20, 40, 40]  # slowed, doubling, never more than the cap
    assert await throttle.blocked_for("agent8", "10.0.0.1") is None  # others unaffected
    await throttle.succeeded("agent9", "10.0.0.1")
    assert await throttle.blocked_for("agent9", "10.0.0.1") is None


async def test_wrong_passwords_from_elsewhere_never_lock_the_agent_at_the_desk(aioredis):
    throttle = LoginThrottle(aioredis, pair_free=5, account_free=20, base=30, window=600)
    await throttle.succeeded("agent1", "10.0.0.7")  # the agent's own desk
    for attempt in range(40):  # an attacker on one address, then on many
        address = "203.0.113.9" if attempt < 10 else f"198.51.100.{attempt}"
        await throttle.failed("agent1", address)
    assert await throttle.blocked_for("agent1", "203.0.113.9") >= 30  # the attacker waits
    assert await throttle.blocked_for("agent1", "198.51.100.200") >= 30  # so do new places
    assert await throttle.blocked_for("agent1", "10.0.0.7") is None  # the agent does not


async def test_an_address_trying_many_names_is_slowed_for_all_of_them(aioredis):
    throttle = LoginThrottle(aioredis, address_free=4, base=5, window=600)
    for n in range(4):
        await throttle.failed(f"guess{n}", "10.0.0.9")
    assert await throttle.blocked_for("anyone", "10.0.0.9") == 5
    assert await throttle.blocked_for("anyone", "10.0.0.8") is None


async def test_the_wait_ends_by_itself(aioredis):
    throttle = LoginThrottle(aioredis, pair_free=1, base=1, window=600)
    await throttle.failed("agent9", "10.0.0.1")
    assert await throttle.blocked_for("agent9", "10.0.0.1") == 1
    await asyncio.sleep(1.1)
    assert await throttle.blocked_for("agent9", "10.0.0.1") is None


async def test_odd_names_never_become_odd_keys(aioredis):
    throttle = LoginThrottle(aioredis, pair_free=1, window=60)
    await throttle.failed("a:b\nc*?[x]" + "長" * 500, "10.0.0.1")
    names = [k.decode() for k in await aioredis.keys("kefu:loginfail:user:*")]
    assert len(names) == 1 and len(names[0]) == len("kefu:loginfail:user:") + 32
    pairs = [k.decode() for k in await aioredis.keys("kefu:loginfail:pair:*")]
    assert len(pairs) == 1 and "長" not in pairs[0] and "\n" not in pairs[0]
