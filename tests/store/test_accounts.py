"""Accounts and tokens on a real Redis: hashes, expiry, forged tokens."""

from __future__ import annotations

import asyncio

import redis

from bot.store.accounts import Account, Accounts, hash_password, save_account_sync, verify_password


def test_passwords_are_hashed_and_verified():
    stored = hash_password("kefu-demo")
    assert "kefu-demo" not in stored
    assert verify_password("kefu-demo", stored)
    assert not verify_password("kefu-demo ", stored)
    assert not verify_password("x", "not-a-hash")


async def test_login_gives_a_token_that_expires(redis_server, aioredis):
    save_account_sync(redis.Redis(port=redis_server.port), Account("agent1", "小美", "agent"), "pw")
    accounts = Accounts(aioredis, token_ttl=1)
    assert await accounts.login("agent1", "wrong") is None
    assert await accounts.login("nobody", "pw") is None
    assert await accounts.login("agent1\nrole", "pw") is None
    token, account = await accounts.login("agent1", "pw")
    assert account == Account("agent1", "小美", "agent")
    assert await accounts.authenticate(token) == account
    assert await accounts.authenticate(token + "x") is None
    assert await accounts.authenticate("") is None
    # only the digest is stored, never the token itself
    assert not [k for k in await aioredis.keys("*") if token.encode() in k]
    await asyncio.sleep(1.2)
    assert await accounts.authenticate(token) is None
