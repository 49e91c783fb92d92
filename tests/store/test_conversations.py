"""Conversation records on a real Redis: statuses, the transcript, the assist, offers."""

from __future__ import annotations

from bot.store.conversations import Conversations


async def test_a_conversation_moves_new_active_waiting_active(aioredis):
    conversations = Conversations(aioredis)
    record = await conversations.create("c1", "C001")
    assert record.status == "new" and record.agent is None and record.customer_id == "C001"
    assert (await conversations.create("c1", "C999")).customer_id == "C001"  # created once
    await conversations.claim("c1", "agent1")
    assert (await conversations.get("c1")).status == "active"
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
    assert (await conversations.get("c1")).status == "waiting"
    await conversations.record_agent_reply("c1", {"role": "agent", "text": "您好", "ts": 1.0})
    assert (await conversations.get("c1")).status == "active"
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
    assert (await conversations.get("c2")).status == "new"


async def test_offers_accumulate(aioredis):
    conversations = Conversations(aioredis)
    assert await conversations.record_offer("c1", "coupon") == ["coupon"]
    assert await conversations.record_offer("c1", "free_shipping") == ["coupon", "free_shipping"]
    assert await conversations.record_offer("c1", "coupon") == ["coupon", "free_shipping"]
    assert await conversations.offers("c1") == {"coupon": "offered", "free_shipping": "offered"}
    await conversations.record_answer("c1", "coupon", "declined")
    await conversations.record_answer("c1", "coupon", "accepted")
    assert await conversations.offers("c1") == {"coupon": "accepted", "free_shipping": "offered"}
    assert await conversations.offers("c2") == {}


async def test_the_queue_lists_the_most_recent_first(aioredis):
    conversations = Conversations(aioredis)
    for cid in ("a", "b", "c"):
        await conversations.create(cid, agent="agent1")
    await conversations.record_customer_turn("a", "還在嗎", {}, [], [], {})
    assert [row.record.id for row in await conversations.recent()][0] == "a"


async def test_the_newest_messages_are_read_without_the_rest(aioredis, monkeypatch):
    conversations = Conversations(aioredis)
    await conversations.create("long", agent="agent1")
    for n in range(30):
        await conversations.record_agent_reply("long", {"role": "agent", "text": f"{n}", "ts": n})
    ranges = []
    lrange = aioredis.lrange

    async def spy(key, start, end):
        ranges.append((start, end))
        return await lrange(key, start, end)

    monkeypatch.setattr(aioredis, "lrange", spy)
    assert [m["text"] for m in await conversations.messages("long", last=3)] == ["27", "28", "29"]
    assert ranges == [(-3, -1)]  # only those three left Redis
    tail = await conversations.tail("long", 5)
    assert (tail.total, tail.first) == (30, 25)
    assert [m["text"] for m in tail.messages] == ["25", "26", "27", "28", "29"]
    short = await conversations.tail("long", 100)
    assert (short.total, short.first, len(short.messages)) == (30, 0, 30)
    assert (await conversations.message("long", 4))["text"] == "4"
    assert await conversations.message("long", 30) is None
    assert await conversations.message("long", -1) is None
    assert len(await conversations.messages("long")) == 30  # all of it, when asked


async def test_replies_wait_in_a_live_customers_outbox_and_are_claimed_once(aioredis):
    conversations = Conversations(aioredis)
    await conversations.issue_live_session("live1")
    await conversations.create("live1")
    for n in (1, 2):
        await conversations.record_agent_reply("live1", {"role": "agent", "text": f"回覆{n}"})
    assert await conversations.claim_unseen("live1") == [{"text": "回覆1"}, {"text": "回覆2"}]
    assert await conversations.claim_unseen("live1") == []  # taken: never twice
    await conversations.record_agent_reply("live1", {"role": "agent", "text": "回覆3"})
    rating = {"text": "請評分", "quick_replies": [{"title": "5 分", "payload": "評分 5"}]}
    assert await conversations.queue_for_customer("live1", rating)
    assert await conversations.claim_unseen("live1") == [{"text": "回覆3"}, rating]
    # relayed while Redis was away: in the transcript, never in the outbox
    await conversations.record_agent_reply(
        "live1", {"role": "agent", "text": "早就送出"}, to_customer=False
    )
    assert await conversations.claim_unseen("live1") == []
    assert [m["text"] for m in await conversations.messages("live1")][-1] == "早就送出"
    assert 0 < await aioredis.ttl("kefu:conv:live1:outbox") <= 30 * 24 * 3600


async def test_a_rest_conversation_has_no_outbox(aioredis):
    conversations = Conversations(aioredis)
    await conversations.create("rest1", agent="agent1")
    await conversations.record_agent_reply("rest1", {"role": "agent", "text": "您好"})
    assert not await conversations.queue_for_customer("rest1", {"text": "請評分"})
    assert await conversations.claim_unseen("rest1") == []
    assert not await aioredis.exists("kefu:conv:rest1:outbox")


async def test_a_resume_claims_the_unseen_and_reads_the_transcript_in_one_step(aioredis):
    conversations = Conversations(aioredis)
    await conversations.issue_live_session("live2")
    await conversations.create("live2")
    await conversations.record_customer_turn("live2", "便當翻倒了", {}, [], [], {})
    await conversations.record_agent_reply("live2", {"role": "agent", "text": "已看到", "ts": 1})
    assert await conversations.claim_unseen("live2") == [{"text": "已看到"}]
    await conversations.record_agent_reply("live2", {"role": "agent", "text": "重送中", "ts": 2})
    resumed = await conversations.resume("live2", last=200)
    assert resumed.unseen == [{"text": "重送中"}]
    assert [m["text"] for m in resumed.messages] == ["便當翻倒了", "已看到", "重送中"]
    assert (resumed.status, resumed.rated) == ("active", False)
    assert (await conversations.resume("live2", last=1)).unseen == []
    assert [m["text"] for m in (await conversations.resume("live2", last=1)).messages] == ["重送中"]
    fresh = await conversations.resume("never-seen", last=10)
    assert (fresh.unseen, fresh.messages, fresh.status, fresh.rated) == ([], [], "new", False)


async def test_a_count_outliving_its_outbox_starts_over(aioredis):
    conversations = Conversations(aioredis)
    await conversations.issue_live_session("live3")
    await aioredis.set("kefu:conv:live3:delivered", 7)  # the outbox itself expired
    await conversations.record_agent_reply("live3", {"role": "agent", "text": "新的回覆"})
    assert await conversations.claim_unseen("live3") == [{"text": "新的回覆"}]
    lifetimes = [await aioredis.ttl(f"kefu:conv:live3:{part}") for part in ("outbox", "delivered")]
    assert abs(lifetimes[0] - lifetimes[1]) <= 1 and lifetimes[0] > 0  # renewed together
