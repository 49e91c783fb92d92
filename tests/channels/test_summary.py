"""Reading a conversation's case summary from what is stored (bot/channels/summary.py),
in a real Redis."""

from __future__ import annotations

from types import SimpleNamespace

from bot.channels.summary import case_summary, remember_for_customer
from bot.demo import load
from bot.log.outcomes import OutcomeLog
from bot.store import keys
from bot.store.conversation_records import ConversationRecord
from bot.store.conversations import Conversations
from bot.store.grants import Grants
from bot.store.profiles import Profiles
from tests.conftest import ROOT

ASSIST = {
    "analysis": {
        "complaint_type": "complaint_defect",
        "customer_said": {
            "problem": {"text": "您的吹風機壞了", "source": "我的吹風機壞了"},
            "request": {"text": "換新", "source": "我要換新"},
        },
    },
    "context": {"order": {"id": "KF20261102001", "products": ["吹風機"]}},
}


def _services(aioredis, tmp_path):
    return SimpleNamespace(
        conversations=Conversations(aioredis),
        grants=Grants(aioredis),
        outcomes=OutcomeLog(aioredis, tmp_path),
        profiles=Profiles(aioredis),
    )


async def _conversation(services, cid="c-1"):
    conversations = services.conversations
    await conversations.create(cid, agent="agent1")
    options = [{"id": "shipping", "label": "免運重寄", "cost": 80}]
    await conversations.record_customer_turn(cid, "我的吹風機壞了", ASSIST, [], options, {})
    await conversations.record_agent_reply(
        cid, {"role": "agent", "text": "查好後我會再回電給您", "ts": 1.0}
    )
    await conversations.record_offer(cid, "shipping")
    await conversations.record_answer(cid, "shipping", "declined")
    return await conversations.get(cid)


async def test_the_summary_is_read_from_the_stored_case(aioredis, tmp_path):
    services = _services(aioredis, tmp_path)
    record = await _conversation(services)
    summary = await case_summary(services, "c-1", record)
    assert (summary.problem, summary.request) == ("您的吹風機壞了", "換新")
    assert (summary.order_id, summary.product, summary.status) == (
        "KF20261102001",
        "吹風機",
        "active",  # the agent answered last
    )
    assert [(c.label, c.state) for c in summary.compensation] == [("免運重寄", "declined")]
    assert [p.kind for p in summary.open_promises] == ["callback"]


async def test_a_stored_value_it_does_not_know_gives_no_summary(aioredis, tmp_path):
    services = _services(aioredis, tmp_path)
    record = await _conversation(services)
    await aioredis.hset(keys.conversation("c-1"), "complaint_type", "complaint_weather")
    record = await services.conversations.get("c-1")
    assert await case_summary(services, "c-1", record) is None


async def test_the_closed_summary_is_kept_with_the_orders_customer(
    redis_client, aioredis, tmp_path
):
    load(redis_client, ROOT / "data/demo", {"agent", "senior_agent", "supervisor", "manager"}, "pw")
    services = _services(aioredis, tmp_path)
    await _conversation(services)
    await services.conversations.close("c-1", "agent1", "resolved")
    record = await services.conversations.get("c-1")
    summary = await case_summary(services, "c-1", record)
    assert await remember_for_customer(services, "c-1", record, summary) == "C001"
    past = (await services.profiles.customer("C001")).past_summaries
    assert past[0]["conversation_id"] == "c-1"
    assert past[0]["text"] == "服務或產品問題或瑕疵：顧客的吹風機壞了（已解決結案）"
    assert await remember_for_customer(services, "c-1", ConversationRecord("c-1"), None) is None
