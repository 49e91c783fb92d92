"""Rasa's Redis lock store, one Lua script per step, polled every 50 ms, against a real
redis-server: a second message of one conversation gets the lock as soon as the first lets
go, in ticket order, a dead holder's expired ticket is dropped, Rasa's own store and ours
share one lock both ways, two servers never give out one ticket twice, a message nobody
waits for costs two script calls, and the store is what endpoints.yml builds."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import pytest
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import read_endpoint_config

from bot.store.locks import PromptRedisLockStore
from tests.conftest import ROOT, start_redis


@pytest.fixture()
def redis_port(tmp_path):
    server = start_redis(tmp_path)
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


# --- the atomic scripts, on the session's redis-server (db 0, emptied per test) ---

KEY = "kefu:lock:"  # Rasa's key for a lock: key_prefix + conversation id


def _ours(server, **kwargs) -> PromptRedisLockStore:
    return PromptRedisLockStore(
        host="127.0.0.1", port=server.port, db=0, key_prefix="kefu", **kwargs
    )


def _rasas(server) -> RedisLockStore:
    """Rasa's stock store, as another Rasa server on the same Redis would have it."""
    return RedisLockStore(host="127.0.0.1", port=server.port, db=0, key_prefix="kefu")


async def _enter(store: LockStore, cid: str, **kwargs) -> tuple[int, float]:
    """Take the lock; the ticket served (ours) and when we got in."""
    async with store.lock(cid, **kwargs) as held:
        return held.now_serving, time.monotonic()


async def test_rasas_store_reads_the_lock_we_hold_and_queues_behind_it(redis_server, redis_client):
    ours, rasa = _ours(redis_server), _rasas(redis_server)
    cid = 'c-「客人」"q"'  # JSON-escaped both ways
    async with ours.lock(cid) as held:
        ticket = held.now_serving
        seen = rasa.get_lock(cid)
        assert isinstance(seen, TicketLock)
        assert [t.number for t in seen.tickets] == [ticket]
        assert type(seen.tickets[0].number) is int and not seen.tickets[0].has_expired()
        # stored byte for byte as Rasa's TicketLock.dumps() writes it
        assert redis_client.get(KEY + cid) == seen.dumps().encode()
        # Rasa's own lock takes the next ticket in it and waits for ours
        theirs = asyncio.create_task(
            asyncio.wait_for(_enter(rasa, cid, wait_time_in_seconds=0.02), 3)
        )
        await asyncio.sleep(0.2)
        assert not theirs.done()
        assert [t.number for t in rasa.get_lock(cid).tickets] == [ticket, ticket + 1]
    number, _ = await theirs
    assert number == ticket + 1
    assert redis_client.exists(KEY + cid) == 0


async def test_a_lock_held_through_rasas_store_blocks_ours_until_released(
    redis_server, redis_client
):
    ours, rasa = _ours(redis_server), _rasas(redis_server)
    async with rasa.lock("c-theirs", wait_time_in_seconds=0.02) as held:
        first = held.now_serving
        waiting = asyncio.create_task(asyncio.wait_for(_enter(ours, "c-theirs"), 3))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        assert [t.number for t in ours.get_lock("c-theirs").tickets] == [first, first + 1]
        released = time.monotonic()
    number, entered = await waiting
    assert number == first + 1
    assert entered - released < 0.5  # a poll or two (50 ms each)
    assert redis_client.exists(KEY + "c-theirs") == 0


async def test_thirty_messages_of_one_conversation_one_at_a_time_in_ticket_order(
    redis_server, redis_client
):
    store = _ours(redis_server, poll_seconds=0.005)
    inside, most, served = 0, 0, []

    async def handle(index: int) -> None:
        nonlocal inside, most
        async with store.lock("c-thirty") as held:
            inside += 1
            most = max(most, inside)
            served.append((index, held.now_serving))
            await asyncio.sleep(0.002)
            inside -= 1

    # the tasks start in order and each takes its ticket before it first waits
    await asyncio.gather(*(handle(i) for i in range(30)))
    assert most == 1
    assert served == [(i, i) for i in range(30)]  # distinct tickets, served as issued
    assert redis_client.exists(KEY + "c-thirty") == 0


def test_two_servers_never_give_out_one_ticket_twice(redis_server, redis_client):
    stores = [_ours(redis_server), _ours(redis_server)]  # two clients, two connections
    start = threading.Barrier(2)
    taken: list[list[int]] = [[], []]

    def take(side: int) -> None:
        start.wait()
        for _ in range(200):
            taken[side].append(stores[side].issue_ticket("c-race"))

    threads = [threading.Thread(target=take, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(taken[0] + taken[1]) == list(range(400))
    lock = _rasas(redis_server).get_lock("c-race")
    assert [t.number for t in lock.tickets] == list(range(400))


async def test_expired_tickets_ahead_do_not_block(redis_server, redis_client):
    ours, rasa = _ours(redis_server), _rasas(redis_server)
    rasa.issue_ticket("c-stale", lock_lifetime=-1)  # expired already: dropped at once
    started = time.monotonic()
    async with ours.lock("c-stale") as held:
        assert time.monotonic() - started < 0.04  # no poll
        assert [t.number for t in held.tickets] == [0]
    rasa.issue_ticket("c-dying", lock_lifetime=0.2)  # a dead holder's ticket
    started = time.monotonic()
    async with ours.lock("c-dying") as held:
        waited = time.monotonic() - started
        assert [t.number for t in held.tickets] == [1]
    assert 0.15 < waited < 0.2 + 4 * 0.05  # within a few polls of its expiry
    assert redis_client.exists(KEY + "c-dying") == 0


async def test_a_lock_deleted_while_waiting_raises_lock_error(redis_server, redis_client):
    store = _ours(redis_server)
    store.issue_ticket("c-gone")  # held by someone else
    waiting = asyncio.create_task(_enter(store, "c-gone"))
    await asyncio.sleep(0.12)
    assert not waiting.done()
    redis_client.delete(KEY + "c-gone")
    with pytest.raises(LockError, match="Could not acquire lock"):
        await asyncio.wait_for(waiting, 1)
    assert redis_client.exists(KEY + "c-gone") == 0  # giving the ticket back wrote nothing


async def test_a_lock_nobody_waits_for_costs_two_script_calls(redis_server, redis_client):
    store = _ours(redis_server)
    async with store.lock("c-warm"):  # loads the scripts (NOSCRIPT, SCRIPT LOAD) once
        pass
    with redis_client.monitor() as monitor:
        async with store.lock("c-count"):
            pass
        redis_client.echo("end-of-count")
        received = []
        while "end-of-count" not in (entry := monitor.next_command())["command"]:
            received.append(entry)
    from_clients = [e["command"].split()[0].upper() for e in received if e["client_type"] != "lua"]
    assert from_clients == ["EVALSHA", "EVALSHA"]
    assert redis_client.exists(KEY + "c-count") == 0


def test_rasas_entry_points_use_the_scripts(redis_server, redis_client):
    store = _ours(redis_server)
    first, second = store.issue_ticket("c-steps"), store.issue_ticket("c-steps", 0.3)
    assert (first, second) == (0, 1)
    assert store.is_someone_waiting("c-steps")
    store.finish_serving("c-steps", first)
    assert [t.number for t in store.get_lock("c-steps").tickets] == [second]
    assert store.issue_ticket("c-steps") == 2  # behind 1, which expires soon
    time.sleep(0.35)
    store.update_lock("c-steps")  # drops 1
    assert [t.number for t in store.get_lock("c-steps").tickets] == [2]
    store.cleanup("c-steps", 2)  # the last ticket: the key goes
    assert redis_client.exists(KEY + "c-steps") == 0
    assert not store.is_someone_waiting("c-steps")
    # a lock Rasa saved with no tickets left in it (its update_lock does) is taken over
    _rasas(redis_server).save_lock(TicketLock("c-steps"))
    assert store.issue_ticket("c-steps") == 0
