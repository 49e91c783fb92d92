"""Conversation records on a real Redis: statuses, the transcript, the assist, offers."""

from __future__ import annotations

from bot.store.conversations import Conversations


async def test_a_conversation_moves_new_active_waiting_active(aioredis):
    conversations = Conversations(aioredis)
    record = await conversations.create("c1", "C001")
    assert record["status"] == "new" and record["agent"] == "" and record["customer_id"] == "C001"
    assert (await conversations.create("c1", "C999"))["customer_id"] == "C001"  # created once
    await conversations.claim("c1", "agent1")
    assert (await conversations.get("c1"))["status"] == "active"
    suggestion = {"id": "general.clarify.empathy.01", "technique": "empathy", "text": "您好"}
    option = {"id": "coupon", "label": "折價券", "cost": 120}
    await conversations.record_customer_turn(
        "c1",
        "吹風機壞了",
        {"stage": "clarify"},
        [suggestion],
        [option],
        {"complaint_type": "complaint_defect"},
    )
    assert (await conversations.get("c1"))["status"] == "waiting"
    await conversations.record_agent_reply("c1", {"role": "agent", "text": "您好", "ts": 1.0})
    assert (await conversations.get("c1"))["status"] == "active"
    assert [m["role"] for m in await conversations.messages("c1")] == ["customer", "agent"]
    assert await conversations.assist("c1") == {"stage": "clarify"}
    assert await conversations.suggestion("c1", suggestion["id"]) == suggestion
    assert await conversations.option("c1", "coupon") == option
    assert await conversations.option("c1", "full_refund") is None
    assert (await conversations.case("c1"))["complaint_type"] == "complaint_defect"


async def test_a_new_unclaimed_conversation_stays_new_after_a_customer_turn(aioredis):
    conversations = Conversations(aioredis)
    await conversations.create("c2")
    await conversations.record_customer_turn("c2", "你好", {}, [], [], {})
    assert (await conversations.get("c2"))["status"] == "new"


async def test_offers_accumulate(aioredis):
    conversations = Conversations(aioredis)
    assert await conversations.record_offer("c1", "coupon") == ["coupon"]
    assert await conversations.record_offer("c1", "free_shipping") == ["coupon", "free_shipping"]
    assert await conversations.record_offer("c1", "coupon") == ["coupon", "free_shipping"]


async def test_the_queue_lists_the_most_recent_first(aioredis):
    conversations = Conversations(aioredis)
    for cid in ("a", "b", "c"):
        await conversations.create(cid, agent="agent1")
    await conversations.record_customer_turn("a", "還在嗎", {}, [], [], {})
    assert [row["id"] for row in await conversations.recent()][0] == "a"
