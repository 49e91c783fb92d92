"""The message routes (bot/channels/rest/messages.py) in-process: every refusal before a
message reaches Rasa (a Rasa app with our channels, a real Redis, no model; where a route
first asks whether the model is loaded, a stand-in says it is)."""

from __future__ import annotations

import pytest

from bot.services import get_services
from tests.channels.inprocess import ModelLoaded, assist_api, conversation

SUGGESTION = {"id": "s1", "text": "您好，請問訂單編號是？", "technique": "clarifying_question"}
OPTION = {"id": "coupon", "label": "折價券", "cost": 120}


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path):
    environ = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}
    async with assist_api(environ, redis_client) as api:
        yield api


BAD_WEBHOOK = [
    (b"{not json", 400),
    (b"[1, 2]", 400),
    (b'{"sender": "a:b", "message": "\\u4f60\\u597d"}', 400),
    (b'{"sender": "a\\nb", "message": "hi"}', 400),
    (b'{"sender": "c1", "message": 42}', 400),
    (b'{"sender": "c1", "message": "   "}', 400),
    (b'{"sender": "c1", "message": "' + "好".encode() * 2001 + b'"}', 413),
    (b'{"sender": "c1", "message": "hi", "metadata": "x"}', 400),
    (b'{"sender": "c1", "message": "hi", "metadata": {"customer_id": "x y"}}', 400),
    (b'{"sender": "c1", "message": "' + b"a" * 17000 + b'"}', 413),
]


async def test_a_bad_customer_message_gets_a_plain_4xx(api):
    api.app.ctx.agent = ModelLoaded()
    for raw, expected in BAD_WEBHOOK:
        status, body = await api.raw("POST", "/webhook", "agent1", raw)
        assert status == expected, (raw[:40], body)
        assert body["error"] and not body["error"].isascii()
    assert await get_services().conversations.get("c1") is None


async def test_a_customer_message_is_refused_without_a_model_or_for_others(api):
    message = {"sender": "c1", "message": "你好"}
    assert (await api.refused("POST", "/webhook", "agent1", message))[0] == 503
    api.app.ctx.agent = ModelLoaded()
    await conversation("c1", "agent1")
    assert (await api.refused("POST", "/webhook", "agent2", message))[0] == 403
    await get_services().conversations.close("c1", "agent1", "resolved")
    assert (await api.refused("POST", "/webhook", "agent1", message))[0] == 409


async def test_a_reply_is_refused_for_a_bad_or_foreign_or_closed_conversation(api):
    await conversation("c1", "agent1")
    refused = [
        ("agent1", {"conversation_id": "nope-1", "text": "您好"}, 404),
        ("agent1", {"conversation_id": "nope-1"}, 400),
        ("agent1", {"conversation_id": "c1", "text": "   "}, 400),
        ("agent1", {"conversation_id": "c1", "text": "好" * 2001}, 413),
        ("agent1", {"conversation_id": "c1", "text": "您好", "suggestion_id": "nope"}, 404),
        ("agent2", {"conversation_id": "c1", "text": "您好"}, 403),
    ]
    for user, body, expected in refused:
        assert (await api.refused("POST", "/reply", user, body))[0] == expected, body
    await get_services().conversations.close("c1", "agent1", "resolved")
    closed = {"conversation_id": "c1", "text": "您好"}
    assert (await api.refused("POST", "/reply", "agent1", closed))[0] == 409
    assert [m["role"] for m in await get_services().conversations.messages("c1")] == ["customer"]


async def test_an_outcome_is_refused_for_what_the_conversation_never_showed(api):
    await conversation("c1", "agent1", suggestions=[SUGGESTION], options=[OPTION])

    def outcome(item, action, **more):
        return {"conversation_id": "c1", "suggestion_id": item, "action": action, **more}

    refused = [
        ("agent1", {**outcome("s1", "used"), "conversation_id": "nope-1"}, 404),
        ("agent1", outcome("s1", "liked"), 400),
        ("agent1", outcome("nope", "used"), 404),
        ("agent1", outcome("nope", "accepted"), 404),
        ("agent1", outcome("s1", "edited"), 400),  # edited: the text sent is required
        ("agent2", outcome("s1", "dismissed"), 403),
    ]
    for user, body, expected in refused:
        assert (await api.refused("POST", "/outcome", user, body))[0] == expected, body
    assert await get_services().outcomes.conversation("c1") == ([], [])
    status, body = await api.call("POST", "/outcome", "agent1", outcome("s1", "dismissed"))
    assert status == 200 and body["recorded"] and body["technique"] == "clarifying_question"
    status, body = await api.call("POST", "/outcome", "agent1", outcome("coupon", "declined"))
    assert status == 200 and body["option_id"] == "coupon" and body["cost"] == 120
    assert await get_services().conversations.offers("c1") == {"coupon": "declined"}
