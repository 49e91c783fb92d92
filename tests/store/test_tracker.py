"""Rasa's Redis tracker store with timeouts, against a real redis-server — one that is
paused in the middle (SIGSTOP) must cost seconds, not the server."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from redis.exceptions import RedisError

from bot.devredis import start
from bot.store import tracker as module
from bot.store.tracker import TimeoutRedisTrackerStore
from tests.conftest import free_port


async def test_trackers_round_trip_and_a_silent_redis_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(module, "CONNECT_TIMEOUT", 1.0)
    server = start(tmp_path, free_port())
    try:
        store = TimeoutRedisTrackerStore(
            Domain.empty(),
            host="127.0.0.1",
            port=server.port,
            key_prefix="kefu",
            socket_timeout=1.0,
        )
        tracker = DialogueStateTracker("c1", [])
        tracker.update(UserUttered("我的吹風機壞了"))
        await store.save(tracker)
        again = await store.retrieve("c1")
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["我的吹風機壞了"]
        assert store.red.connection_pool.connection_kwargs["socket_timeout"] == 1.0
        os.kill(server.process.pid, signal.SIGSTOP)  # alive but silent
        started = time.monotonic()
        with pytest.raises(RedisError):
            await store.retrieve("c1")
        assert time.monotonic() - started < 5  # Rasa's own store would wait indefinitely
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
        server.stop()
