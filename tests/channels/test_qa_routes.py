"""QA scorecards in-process (no model): scored when the conversation closes and again when
the customer rates it (an override kept), and the coaching route answers the same from the
aggregates as from the stream. Who may call the routes, and their refusals:
tests/channels/review/test_scorecards.py."""

from __future__ import annotations

import json
import uuid

import pytest

from bot.channels.review import add_routes, score_conversation
from bot.log import aggregates
from bot.services import get_services
from tests.helpers.routes import Api, routes_served, signed_in


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_QA_FIRST_RESPONSE_S", "30")
    tokens = await signed_in(redis_client, {"agent1": "agent", "super1": "supervisor"})
    async with routes_served(add_routes) as base:
        yield Api(base, tokens)


async def _closed_conversation(cid: str) -> None:
    """An angry customer, a freehand reply with a phone number, an empathy suggestion
    used, closed; the messages' times set so the first reply takes 45 s."""
    services = get_services()
    conversations = services.conversations
    await conversations.create(cid, agent="agent1")
    assist = {"analysis": {"sentiment": {"label": "negative", "score": -0.8}}}
    turn = await conversations.record_customer_turn(
        cid,
        "東西壞掉了，氣死我了",
        assist,
        [{"id": "s1", "technique": "empathy", "text": "很抱歉讓您不開心", "stage": "acknowledge"}],
        [],
        {},
    )
    await services.outcomes.append(
        {
            "action": "message",
            "conversation_id": cid,
            "agent": "agent1",
            "turn": turn,
            "intent": "complaint_defect",
            "complaint_type": "complaint_defect",
            "sentiment": "negative",
            "score": -0.8,
            "stage": "clarify",
        }
    )
    first = (await conversations.messages(cid))[0]["ts"]
    await conversations.record_agent_reply(
        cid,
        {"role": "agent", "text": "請留 0912345678 給我", "ts": first + 45, "agent": "agent1"},
    )
    await conversations.record_agent_reply(
        cid,
        {
            "role": "agent",
            "text": "很抱歉讓您不開心",
            "ts": first + 50,
            "agent": "agent1",
            "suggestion_id": "s1",
            "technique": "empathy",
            "edited": False,
        },
    )
    assert await conversations.close(cid, "agent1", "resolved") == "ok"


async def test_scored_at_the_close_again_at_the_rating_and_overrides_are_kept(api):
    services = get_services()
    cid = f"qa-{uuid.uuid4().hex[:8]}"
    await _closed_conversation(cid)
    card = await score_conversation(services, cid)
    items = {i["criterion"]: i for i in card["items"]}
    assert items["first_response"]["met"] is False  # 45 s, over KEFU_QA_FIRST_RESPONSE_S=30
    assert "[手機]" in items["first_response"]["evidence"]
    assert "0912345678" not in json.dumps(card, ensure_ascii=False)
    assert items["empathy_when_negative"]["met"] is True
    assert items["customer_rating"]["met"] is None

    status, answer = await api.call(
        "POST", f"/review/conversations/{cid}/qa", "super1", {"criterion": "closing", "met": True}
    )
    assert status == 200
    assert answer["qa"]["score"] > card["score"]

    assert await services.conversations.rate(cid, 2)
    rescored = await score_conversation(services, cid)
    items = {i["criterion"]: i for i in rescored["items"]}
    assert items["customer_rating"]["met"] is False  # 2 of 5
    assert items["closing"]["met"] is True and items["closing"]["overridden_by"]["by"] == "super1"
    status, detail = await api.call("GET", f"/review/conversations/{cid}", "super1")
    assert status == 200 and detail["qa"] == rescored
    assert await score_conversation(services, cid) == rescored  # a retry is logged once
    events, _ = await services.outcomes.conversation(cid)
    assert [e["action"] for e in events].count("qa_scored") == 2


async def test_coaching_answers_the_same_from_the_aggregates_as_from_the_stream(api):
    services = get_services()
    for n in range(2):
        cid = f"qa-{n}-{uuid.uuid4().hex[:8]}"
        await _closed_conversation(cid)
        await score_conversation(services, cid)
    path = "/review/qa?agent=agent1"
    status, from_aggregates = await api.call("GET", path, "super1")
    assert status == 200
    today = from_aggregates["days"][-1]
    assert today["conversations"] >= 2
    assert today["criteria"]["first_response"]["not_met"] >= 2
    assert [a["agent"] for a in from_aggregates["agents"]] == ["agent1"]
    await services.redis.hset(aggregates.META, "state", "rebuilding")
    status, from_the_stream = await api.call("GET", path, "super1")
    await services.redis.hset(aggregates.META, "state", "live")
    assert status == 200 and from_the_stream == from_aggregates
