"""The conversation routes (bot/channels/rest/conversations.py) in-process: who may see,
claim and close which conversation, and every 4xx (a Rasa app with our channels, a real
Redis, no model)."""

from __future__ import annotations

import pytest

from bot.services import get_services
from tests.channels.inprocess import assist_api, conversation
from tests.helpers.api import check


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path):
    environ = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}
    async with assist_api(environ, redis_client) as api:
        yield api


async def test_an_agent_lists_their_own_and_unassigned_conversations_a_supervisor_all(api):
    await conversation("mine", "agent1")
    await conversation("theirs", "agent2")
    await conversation("nobodys", "")
    status, body = await api.call("GET", "/conversations", "agent1")
    assert status == 200
    assert {row["conversation_id"] for row in body["conversations"]} == {"mine", "nobodys"}
    row = next(row for row in body["conversations"] if row["conversation_id"] == "mine")
    assert row["agent"] == "agent1" and row["last_message"]["role"] == "customer"
    assert row["complaint_type"] == "complaint_defect" and row["escalated"] is False
    status, body = await api.call("GET", "/conversations", "super1")
    assert {row["conversation_id"] for row in body["conversations"]} == {
        "mine",
        "theirs",
        "nobodys",
    }


async def test_one_conversation_is_refused_to_other_agents(api):
    await conversation("c1", "agent1")
    status, body = await api.call("GET", "/conversations/c1", "agent1")
    assert status == 200, body
    check({**body, "assist": None}, "Conversation")  # (the stored assist here is a stub)
    assert body["granted"] == [] and body["approvals"] == []
    assert [m["role"] for m in body["messages"]] == ["customer"]
    assert (await api.call("GET", "/conversations/c1", "super1"))[0] == 200
    assert (await api.refused("GET", "/conversations/c1", "agent2"))[0] == 403
    assert (await api.refused("GET", "/conversations/nope-1", "agent1"))[0] == 404
    assert (await api.refused("GET", "/conversations/a:b", "agent1"))[0] == 400
    for bad in ("0", "abc", "5000"):
        status, body = await api.refused("GET", f"/conversations/c1?last={bad}", "agent1")
        assert status == 400 and "last" in body["error"]


async def test_claiming_a_conversation(api):
    await conversation("c1", "agent1")
    assert (await api.refused("POST", "/conversations/nope-1/claim", "agent1"))[0] == 404
    status, _ = await api.refused("POST", "/conversations/c1/claim", "agent2")
    assert status == 409  # agent1 has it
    status, _ = await api.refused("POST", "/conversations/c1/claim", "agent1", {"agent": "agent2"})
    assert status == 403  # only a supervisor assigns to others
    status, _ = await api.refused("POST", "/conversations/c1/claim", "super1", {"agent": "ghost"})
    assert status == 404
    status, _ = await api.refused("POST", "/conversations/c1/claim", "super1", {"agent": "a b"})
    assert status == 400
    status, body = await api.call("POST", "/conversations/c1/claim", "super1", {"agent": "agent2"})
    assert (status, body) == (200, {"conversation_id": "c1", "agent": "agent2", "status": "active"})
    assert (await api.call("GET", "/conversations/c1", "agent2"))[0] == 200
    assert (await api.refused("GET", "/conversations/c1", "agent1"))[0] == 403


async def test_closing_a_conversation_once(api):
    await conversation("c1", "agent1")
    await conversation("unclaimed", "")
    path = "/conversations/c1/close"
    assert (await api.refused("POST", path, "agent1", {"resolution": "maybe"}))[0] == 400
    assert (await api.raw("POST", path, "agent1", b""))[0] == 400
    note = {"resolution": "resolved", "note": "好" * 501}
    assert (await api.refused("POST", path, "agent1", note))[0] == 413
    assert (await api.refused("POST", path, "agent2", {"resolution": "resolved"}))[0] == 403
    missing = "/conversations/nope-1/close"
    assert (await api.refused("POST", missing, "agent1", {"resolution": "resolved"}))[0] == 404
    unclaimed = "/conversations/unclaimed/close"
    status, _ = await api.refused("POST", unclaimed, "agent1", {"resolution": "resolved"})
    assert status == 409  # claim it first
    status, body = await api.call("POST", path, "agent1", {"resolution": "referred", "note": "轉"})
    assert status == 200, body
    check(body, "Closed")
    assert body["resolution"] == "referred" and body["customer_messages"] == 1
    assert body["rating_requested"] is False  # not a live-chat conversation
    assert (await get_services().conversations.get("c1")).status == "closed"
    assert (await api.refused("POST", path, "agent1", {"resolution": "resolved"}))[0] == 409
