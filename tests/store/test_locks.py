"""Rasa's Redis lock store polled every 50 ms, against a real redis-server: a second message
of one conversation gets the lock as soon as the first lets go, in ticket order, a dead
holder's expired ticket is dropped, and the store is what endpoints.yml builds."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import read_endpoint_config

from bot.devredis import start
from bot.store.locks import PromptRedisLockStore
from tests.conftest import ROOT, free_port


@pytest.fixture()
def redis_port(tmp_path):
    server = start(tmp_path, free_port())
    yield server
    os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


async def _handover(store: LockStore, cid: str, hold: float = 0.3) -> tuple[list, float]:
    """Two handlers of one conversation; returns the order they ran in and how long the
    second waited after the first let go."""
    order: list = []
    released = {}

    async def handle(name: str, delay: float) -> float:
        await asyncio.sleep(delay)
        async with store.lock(cid):
            order.append(name)
            if name == "first":
                await asyncio.sleep(hold)
                released["at"] = time.monotonic()
                return 0.0
            return time.monotonic() - released["at"]

    _, waited = await asyncio.gather(handle("first", 0), handle("second", 0.05))
    return order, waited


async def test_the_second_message_gets_the_lock_as_soon_as_the_first_lets_go(redis_port):
    ours = PromptRedisLockStore(host="127.0.0.1", port=redis_port.port, db=0, key_prefix="kefu")
    order, waited = await _handover(ours, "c-prompt")
    assert order == ["first", "second"]
    assert waited < 0.2
    assert ours.get_lock("c-prompt") is None  # nothing left behind
    # the same hand-over with Rasa's own store waits for its next one-second poll
    rasa = RedisLockStore(host="127.0.0.1", port=redis_port.port, db=0, key_prefix="kefu")
    order, waited = await _handover(rasa, "c-rasa")
    assert order == ["first", "second"] and waited > 0.5


async def test_tickets_are_served_in_order(redis_port):
    store = PromptRedisLockStore(host="127.0.0.1", port=redis_port.port, db=0)
    served: list = []

    async def handle(number: int) -> None:
        await asyncio.sleep(number * 0.01)  # take the tickets in this order
        async with store.lock("c-order"):
            served.append(number)
            await asyncio.sleep(0.02)

    await asyncio.gather(*(handle(n) for n in range(6)))
    assert served == list(range(6))


async def test_a_dead_holders_expired_ticket_is_dropped(redis_port):
    store = PromptRedisLockStore(host="127.0.0.1", port=redis_port.port, db=0)
    store.issue_ticket("c-dead", lock_lifetime=0.3)  # its holder never comes back
    started = time.monotonic()
    async with store.lock("c-dead"):
        waited = time.monotonic() - started
    assert 0.25 < waited < 1.0


async def test_a_silent_redis_fails_in_seconds(redis_port):
    store = PromptRedisLockStore(host="127.0.0.1", port=redis_port.port, db=0, socket_timeout=1.0)
    os.kill(redis_port.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(LockError):
        async with store.lock("c-silent"):
            pass
    assert time.monotonic() - started < 5


def test_endpoints_yml_builds_it(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6399/3")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "lock_store")
    store = LockStore.create(config)
    assert isinstance(store, PromptRedisLockStore)
    assert store.poll_seconds == 0.05
    assert store.key_prefix == "kefu:lock:"
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6399, 3)
    assert kwargs["socket_connect_timeout"] == 2.0 and kwargs["socket_timeout"] == 5.0


def test_a_poll_interval_out_of_range_is_refused():
    with pytest.raises(ValueError, match="poll_seconds"):
        PromptRedisLockStore(host="127.0.0.1", poll_seconds=0)
