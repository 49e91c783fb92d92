"""The append-only tracker store against a real redis-server: what Rasa's own store
returns, for the cost of the new events; exactly once and in order with two servers and
retries; trackers stored the old way migrated; expiry; and a silent Redis costs seconds."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from redis.exceptions import RedisError

from bot.store import tracker as module
from bot.store.tracker import AppendOnlyRedisTrackerStore
from tests.conftest import start_redis

DOMAIN = Domain.from_dict({"slots": {"stage": {"type": "any", "mappings": []}}})


def _store(port: int, **kwargs) -> AppendOnlyRedisTrackerStore:
    return AppendOnlyRedisTrackerStore(
        DOMAIN, host="127.0.0.1", port=port, key_prefix="kefu", **kwargs
    )


def _turn(tracker: DialogueStateTracker, n: int) -> None:
    """One customer turn as Rasa logs it, answered by the agent."""
    tracker.update(UserUttered(f"第 {n} 句", {"name": "complaint_defect", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_analyze"))
    tracker.update(SlotSet("stage", f"s{n}"))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(BotUttered(f"回覆 {n}", metadata={"kefu": {"agent": "agent1"}}))


def _session_start(tracker: DialogueStateTracker) -> None:
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


def _texts(tracker: DialogueStateTracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]


def _timeless(tracker: DialogueStateTracker) -> dict:
    """The tracker's state, timestamps aside (the two stores ran at different times)."""
    state = tracker.current_state(EventVerbosity.ALL)
    state.pop("latest_event_time")
    for event in state["events"]:
        event.pop("timestamp")
    return state


@pytest.fixture()
def port(redis_client, redis_server) -> int:  # emptied for each test
    return redis_server.port


@pytest.fixture()
def replays(monkeypatch) -> list:
    """The trackers ``replay_events`` is called on from now on, in order."""
    seen = []
    replay = DialogueStateTracker.replay_events
    monkeypatch.setattr(
        DialogueStateTracker, "replay_events", lambda t: seen.append(t) or replay(t)
    )
    return seen


async def test_it_returns_what_rasas_own_store_returns(port):
    ours, rasas = _store(port), RedisTrackerStore(DOMAIN, "127.0.0.1", port, key_prefix="rasa")
    for store in (ours, rasas):
        tracker = await store.get_or_create_tracker("c1")
        _session_start(tracker)
        for n in range(3):
            _turn(tracker, n)
            await store.save(tracker)
            tracker = await store.retrieve("c1")
        _session_start(tracker)  # a second session: retrieve gives only that one
        _turn(tracker, 3)
        await store.save(tracker)
    for read in ("retrieve", "retrieve_full_tracker"):
        mine = await getattr(ours, read)("c1")
        theirs = await getattr(rasas, read)("c1")
        assert _timeless(mine) == _timeless(theirs)
    assert _texts(await ours.retrieve("c1")) == ["第 3 句", "回覆 3"]
    assert len(_texts(await ours.retrieve_full_tracker("c1"))) == 8
    assert (await ours.retrieve("c1")).get_slot("stage") == "s3"


async def test_a_save_sends_only_the_new_events_and_a_read_only_the_unread(port, monkeypatch):
    store = _store(port)
    tracker = await store.get_or_create_tracker("long")
    for n in range(100):
        _turn(tracker, n)
    await store.save(tracker)
    tracker = await store.retrieve("long")  # this server reads them all once
    sent, received = [], []
    append, read = store.log.append, store.log.read
    monkeypatch.setattr(
        store.log,
        "append",
        lambda sid, items, **kw: sent.append(len(items)) or append(sid, items, **kw),
    )
    monkeypatch.setattr(
        store.log,
        "read",
        lambda sid, **kw: (lambda r: received.append(len(r.items)) or r)(read(sid, **kw)),
    )
    _turn(tracker, 100)
    await store.save(tracker)
    tracker = await store.retrieve("long")
    assert sent == [5]  # not 506
    assert received == [5]  # not 506: the server kept what it had read
    assert len(tracker.events) == 506 and _texts(tracker)[-1] == "回覆 100"
    # another server (an empty cache) reads it all, in order
    other = await _store(port).retrieve("long")
    assert _texts(other) == _texts(tracker)


async def test_two_servers_and_retries_store_each_event_once_in_order(port, redis_client):
    a, b = _store(port), _store(port)
    await a.save(DialogueStateTracker("c2", DOMAIN.slots))  # empty: nothing stored
    assert not await a.exists("c2")
    tracker = await a.get_or_create_tracker("c2")
    on_a, on_b = await a.retrieve("c2"), await b.retrieve("c2")
    same = UserUttered("同一句", timestamp=1000.0)
    on_a.update(same)
    on_b.update(UserUttered("同一句", timestamp=1000.0))
    await a.save(on_a)
    await b.save(on_b)  # the same event saved on two servers (or a retry): stored once
    await a.save(on_a)  # nothing new
    assert _texts(await b.retrieve("c2")) == ["同一句"]
    # both servers read the same tracker, each adds its own event: both kept, in order
    on_a, on_b = await a.retrieve("c2"), await b.retrieve("c2")
    on_a.update(UserUttered("A 的", timestamp=2000.0))
    on_b.update(UserUttered("B 的", timestamp=1999.0))
    await a.save(on_a)
    await b.save(on_b)
    on_a.update(BotUttered("A 再一句", timestamp=2001.0))
    await a.save(on_a)
    assert _texts(await a.retrieve("c2")) == ["同一句", "A 的", "B 的", "A 再一句"]
    assert _texts(await b.retrieve("c2")) == ["同一句", "A 的", "B 的", "A 再一句"]
    assert redis_client.llen("kefu:tracker-events:c2") == len(tracker.events) + 4


async def test_a_tracker_it_did_not_hand_out_is_merged_not_duplicated(port):
    store = _store(port)
    tracker = await store.get_or_create_tracker("c3")
    _turn(tracker, 0)
    await store.save(tracker)
    copied = (await store.retrieve("c3")).copy()  # Rasa's copies carry no mark
    _turn(copied, 1)
    await store.save(copied)
    replaced = DialogueStateTracker.from_dict(  # the HTTP API's "replace events"
        "c3", [e.as_dict() for e in copied.events], DOMAIN.slots
    )
    await store.save(replaced)
    assert _texts(await _store(port).retrieve_full_tracker("c3")) == [
        "第 0 句",
        "回覆 0",
        "第 1 句",
        "回覆 1",
    ]


async def test_a_tracker_stored_the_old_way_is_rewritten_on_first_touch(port, redis_client):
    old = RedisTrackerStore(DOMAIN, "127.0.0.1", port, key_prefix="kefu", record_exp=500)
    tracker = await old.get_or_create_tracker("legacy")
    _session_start(tracker)
    _turn(tracker, 0)
    await old.save(tracker)
    before = (await old.retrieve_full_tracker("legacy")).current_state(EventVerbosity.ALL)
    store = _store(port)
    assert set(await store.keys()) == {"legacy"}
    assert await store.exists("legacy")
    after = await store.retrieve_full_tracker("legacy")
    assert after.current_state(EventVerbosity.ALL) == before
    assert redis_client.exists("kefu:tracker:legacy") == 0
    assert redis_client.type("kefu:tracker-events:legacy") == b"list"
    assert 0 < redis_client.ttl("kefu:tracker-events:legacy") <= 500  # its expiry kept
    _turn(after, 1)
    await store.save(after)
    assert _texts(await _store(port).retrieve("legacy")) == [
        "第 0 句",
        "回覆 0",
        "第 1 句",
        "回覆 1",
    ]
    # a save before any read migrates too
    tracker = await old.get_or_create_tracker("legacy2")
    _turn(tracker, 0)
    await old.save(tracker)
    fresh = DialogueStateTracker.from_dict(
        "legacy2", [e.as_dict() for e in tracker.events], DOMAIN.slots
    )
    _turn(fresh, 1)
    await store.save(fresh)
    assert len(_texts(await store.retrieve("legacy2"))) == 4
    assert set(await store.keys()) == {"legacy", "legacy2"}


async def test_trackers_expire_as_configured(port, redis_client, monkeypatch):
    monkeypatch.setenv("KEFU_TRACKER_TTL", "120")
    store = _store(port)
    await store.get_or_create_tracker("ttl")
    assert 110 < redis_client.ttl("kefu:tracker-events:ttl") <= 120
    assert 110 < redis_client.ttl("kefu:tracker-meta:ttl") <= 120
    await _store(port, record_exp=30).get_or_create_tracker("ttl2")  # endpoints.yml wins
    assert 0 < redis_client.ttl("kefu:tracker-events:ttl2") <= 30
    monkeypatch.delenv("KEFU_TRACKER_TTL")
    await _store(port).get_or_create_tracker("kept")
    assert redis_client.ttl("kefu:tracker-events:kept") == -1


async def test_a_conversation_started_again_is_not_served_from_the_cache(port):
    store, other = _store(port), _store(port)
    tracker = await store.get_or_create_tracker("again")
    _turn(tracker, 0)
    await store.save(tracker)
    assert _texts(await store.retrieve("again")) == ["第 0 句", "回覆 0"]  # cached
    other.delete("again")  # or expired
    assert await store.retrieve("again") is None
    tracker = await other.get_or_create_tracker("again")
    _turn(tracker, 7)
    await other.save(tracker)
    assert _texts(await store.retrieve("again")) == ["第 7 句", "回覆 7"]


async def test_a_server_replays_a_conversation_once_and_hands_out_clones(port, replays):
    store = _store(port)
    tracker = await store.get_or_create_tracker("kept")
    _session_start(tracker)
    _turn(tracker, 0)
    await store.save(tracker)
    first = await store.retrieve("kept")
    first.latest_message.use_text_for_featurization = True  # as Rasa's featurization event
    _turn(first, 1)
    await store.save(first)
    first.update(SlotSet("stage", "unsaved"))  # not saved
    second = await store.retrieve("kept")
    assert len(replays) == 1  # the first read; the second applied the saved turn only
    assert second.get_slot("stage") == "s1" and _texts(second)[-2:] == ["第 1 句", "回覆 1"]
    assert second.events[3].text == "第 0 句" and second.events[3] is not first.events[3]
    assert second.events[3].use_text_for_featurization is None
    assert second.latest_message is second.events[-5] is not first.events[-5]
    rasas = RedisTrackerStore(DOMAIN, "127.0.0.1", port, key_prefix="rasa")
    await rasas.save(second)
    assert _timeless(second) == _timeless(await rasas.retrieve("kept"))
    _session_start(second)  # a new session: its own kept tracker, the earlier one let go
    replays.clear()
    _turn(second, 2)
    await store.save(second)
    await store.retrieve_full_tracker("kept")
    third = await store.retrieve("kept")
    assert _texts(third) == ["第 2 句", "回覆 2"]
    assert [len(t.events) for t in replays] == [22, 8]  # every session, then the last
    assert sorted(store.cache.get("kept").replayed) == [0, 14]  # whole, last session


async def test_a_server_that_keeps_no_events_replays_every_read(port, replays):
    store = _store(port, cache_events=0)
    tracker = await store.get_or_create_tracker("unkept")
    _session_start(tracker)
    _turn(tracker, 0)
    await store.save(tracker)
    for n in (1, 2):
        tracker = await store.retrieve("unkept")
        _turn(tracker, n)
        await store.save(tracker)
    assert len(replays) == 2 and len(store.cache) == 0
    assert _texts(await store.retrieve("unkept"))[-1] == "回覆 2"


async def test_the_store_is_what_endpoints_yml_builds(port, monkeypatch):
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from tests.conftest import ROOT

    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, AppendOnlyRedisTrackerStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", port, 0)
    assert kwargs["socket_connect_timeout"] == 2.0 and kwargs["socket_timeout"] == 5.0
    await store.get_or_create_tracker("via-endpoints")
    assert await store.keys() == ["via-endpoints"]


async def test_trackers_round_trip_and_a_silent_redis_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(module, "CONNECT_TIMEOUT", 1.0)
    server = start_redis(tmp_path)
    try:
        store = AppendOnlyRedisTrackerStore(
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
        assert store.red.connection_pool.connection_kwargs["socket_connect_timeout"] == 1.0
        os.kill(server.process.pid, signal.SIGSTOP)  # alive but silent
        started = time.monotonic()
        with pytest.raises(RedisError):
            await store.retrieve("c1")
        assert time.monotonic() - started < 5  # Rasa's own store would wait indefinitely
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
        server.stop()


async def test_events_appended_after_the_last_are_what_a_saved_tracker_would_hold(port):
    store = _store(port)
    for cid in ("appended", "saved"):
        tracker = await store.get_or_create_tracker(cid)
        _session_start(tracker)
        _turn(tracker, 0)
        tracker.update(UserUttered("還在嗎", {"name": "ask_status", "confidence": 0.8}))
        await store.save(tracker)
    last = tracker.events[-1].timestamp
    stamps = []

    def reply(at: float) -> list:
        stamps.append(at)
        return [BotUttered("在的，幫您查", metadata={"kefu": {"agent": "agent1"}}, timestamp=at)]

    saved = await store.retrieve("saved")  # the way through a tracker
    for event in reply(time.time()):
        saved.update(event)
    await store.save(saved)
    assert store.append_after_last("appended", reply, now=last - 60)  # a clock behind
    assert stamps[-1] == pytest.approx(last + 0.001)
    for reader in (store, _store(port)):  # this server's cache, and another server
        appended, saved = await reader.retrieve("appended"), await reader.retrieve("saved")
        assert {**_timeless(appended), "sender_id": "-"} == {**_timeless(saved), "sender_id": "-"}
        assert _texts(appended) == ["第 0 句", "回覆 0", "還在嗎", "在的，幫您查"]
    assert store.append_after_last("appended", reply, now=time.time() + 5)
    assert stamps[-1] > last + 1  # the clock, when it is ahead
    assert _texts(await _store(port).retrieve("appended"))[-2:] == ["在的，幫您查"] * 2


async def test_appending_needs_a_stored_tracker_and_no_event_broker(port):
    store = _store(port)
    made = []
    assert not store.append_after_last("nobody", made.append, now=time.time())
    tracker = await store.get_or_create_tracker("c2")
    _turn(tracker, 0)
    await store.save(tracker)
    before = len((await _store(port).retrieve("c2")).events)
    store.event_broker = object()  # the broker is told from trackers, by save
    assert not store.append_after_last("c2", made.append, now=time.time())
    assert made == [] and len((await _store(port).retrieve("c2")).events) == before
