"""What the channels remember and defer while Redis is away (no Redis needed here)."""

from __future__ import annotations

import json

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.channels import degraded
from bot.channels.degraded import DeferredTurns, Recollection


def test_recollection_keeps_the_newest_assignments_and_tokens_for_a_while(monkeypatch):
    memory = Recollection(limit=2)
    for cid in ("a", "b", "c"):
        memory.assigned(cid, f"agent-{cid}")
    assert memory.agent_of("a") is None and memory.agent_of("c") == "agent-c"
    memory.assigned("d", "")
    assert memory.agent_of("d") is None  # unassigned reads as unknown
    memory.session("s1")
    assert memory.knows_session("s1") and not memory.knows_session("s2")
    clock = [1000.0]
    monkeypatch.setattr(degraded.time, "monotonic", lambda: clock[0])
    memory.signed_in("tok", "account")
    assert memory.account_for("tok") == "account" and memory.account_for("other") is None
    clock[0] += degraded.TOKEN_GRACE + 1
    assert memory.account_for("tok") is None


async def test_deferred_turns_are_taken_in_order_and_kept_when_redis_is_still_away(tmp_path):
    turns = DeferredTurns(tmp_path)
    for n in range(4):
        turns.defer({"kind": "customer", "cid": "c1", "text": f"m{n}"})
    taken = []

    async def flaky(item):
        if item["text"] == "m2" and not taken[-1:] == ["retry"]:
            taken.append("retry")
            raise RedisConnectionError("still away")
        taken.append(item["text"])

    with pytest.raises(RedisConnectionError):
        await turns.catch_up(flaky)
    assert taken == ["m0", "m1", "retry"] and turns.pending()
    assert await turns.catch_up(flaky) == 2
    assert taken == ["m0", "m1", "retry", "m2", "m3"] and not turns.pending()


async def test_a_crashed_process_leaves_turns_the_next_one_takes(tmp_path):
    orphan = tmp_path / "turns-999999.jsonl"
    orphan.write_text(
        json.dumps({"id": "x1", "kind": "agent", "cid": "c", "text": "您好"}) + "\nnot json\n"
    )
    taken = []

    async def take(item):
        taken.append(item["id"])

    assert await DeferredTurns(tmp_path).catch_up(take) == 1
    assert taken == ["x1"] and not orphan.exists()
