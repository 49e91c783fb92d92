"""Login throttling against a real Redis."""

from __future__ import annotations

from bot.store.throttle import LoginThrottle


async def test_an_account_is_blocked_after_its_limit_and_freed_by_a_success(aioredis):
    throttle = LoginThrottle(aioredis, user_limit=3, address_limit=100, window=60)
    for _ in range(2):
        await throttle.failed("agent9", "10.0.0.1")
    assert await throttle.blocked_for("agent9", "10.0.0.1") is None
    await throttle.failed("agent9", "10.0.0.2")  # from anywhere: the account counts
    wait = await throttle.blocked_for("agent9", "10.0.0.3")
    assert wait is not None and 0 < wait <= 60
    assert await throttle.blocked_for("agent8", "10.0.0.1") is None  # others unaffected
    await throttle.succeeded("agent9")
    assert await throttle.blocked_for("agent9", "10.0.0.1") is None


async def test_an_address_is_blocked_after_its_limit_whatever_the_names(aioredis):
    throttle = LoginThrottle(aioredis, user_limit=100, address_limit=4, window=60)
    for n in range(4):
        await throttle.failed(f"guess{n}", "10.0.0.9")
    assert await throttle.blocked_for("anyone", "10.0.0.9") is not None
    assert await throttle.blocked_for("anyone", "10.0.0.8") is None


async def test_odd_names_never_become_odd_keys(aioredis):
    throttle = LoginThrottle(aioredis, user_limit=1, address_limit=100, window=60)
    await throttle.failed("a:b\nc*?[x]" + "長" * 500, "10.0.0.1")
    names = [k.decode() for k in await aioredis.keys("kefu:loginfail:user:*")]
    assert len(names) == 1 and len(names[0]) == len("kefu:loginfail:user:") + 32
