"""The live chat channel the way Rasa's socket.io widgets speak it, against the running system.

A plain python-socketio client (polling transport: its websocket transport needs a newer
aiohttp than Rasa pins) plays the customer; an agent uses the REST API and the /agent
namespace. The customer must never receive a suggestion, only what the agent sends.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest
import socketio

from tests.helpers.api import call, login
from tests.helpers.live import Customer, hang_up, wait_for

pytestmark = pytest.mark.model


async def test_customer_to_agent_and_back(system):
    token = login(system, "agent1")
    agent = socketio.AsyncClient(reconnection=False)
    updates: list = []

    @agent.on("conversation_update", namespace="/agent")
    async def on_update(data):
        updates.append(data)

    await agent.connect(
        system["base"], transports=["polling"], namespaces=["/agent"], auth={"token": token}
    )
    customer = Customer(system["base"])
    session_id = await customer.connect()
    assert len(session_id) >= 16
    xss = "<img src=x onerror=alert(1)> 我買的吹風機壞了"
    await customer.say(session_id, xss)

    update = await wait_for(
        lambda: next((u for u in updates if u["conversation_id"] == session_id), None)
    )
    assert update["message"]["text"] == xss  # stored and sent as text; pages escape it
    assert update["assist"]["analysis"]["intent"]["name"] == "complaint_defect"
    assert len(update["assist"]["suggestions"]) == 3
    await asyncio.sleep(1.0)
    assert customer.received == []  # the suggestions never reach the customer

    status, _ = await asyncio.to_thread(
        call, system, "POST", f"/conversations/{session_id}/claim", None, token
    )
    assert status == 200
    reply = update["assist"]["suggestions"][0]["text"] + "（已為您查詢）"
    status, body = await asyncio.to_thread(
        call,
        system,
        "POST",
        "/reply",
        {
            "conversation_id": session_id,
            "text": reply,
            "suggestion_id": update["assist"]["suggestions"][0]["id"],
        },
        token,
    )
    assert status == 200 and body["relayed"] is True and body["edited"] is True
    received = await wait_for(lambda: customer.received)
    assert received == [{"text": reply}]  # exactly the edited text

    # the same session after a reconnect continues the same conversation
    await customer.close()
    again = Customer(system["base"])
    assert await again.connect(session_id) == session_id
    await again.say(session_id, "訂單編號 KF20261102001")
    later = await wait_for(
        lambda: next(
            (
                u
                for u in updates
                if u["conversation_id"] == session_id
                and "KF2026" in (u.get("message") or {}).get("text", "")
            ),
            None,
        )
    )
    assert later["agent"] == "agent1" and later["assist"]["stage"] == "assess"
    with urllib.request.urlopen(
        f"{system['base']}/conversations/{session_id}/tracker", timeout=30
    ) as response:
        events = json.loads(response.read())["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [xss, "訂單編號 KF20261102001"]
    await again.close()
    await hang_up(agent)


async def test_oversized_messages_are_refused_with_a_message(system):
    customer = Customer(system["base"])
    session_id = await customer.connect()
    await customer.say(session_id, "好" * 2001)
    received = await wait_for(lambda: customer.received)
    assert "太長" in received[0]["text"]
    token = login(system, "super1")
    status, _ = await asyncio.to_thread(
        call, system, "GET", f"/conversations/{session_id}", None, token
    )
    assert status == 404  # nothing was recorded
    await customer.close()


async def test_agents_need_a_token_and_customers_cannot_speak_for_another_session(system):
    agent = socketio.AsyncClient(reconnection=False)
    refused: list = []

    @agent.on("connect_error", namespace="/agent")
    async def on_refused(data):
        refused.append(data)

    attempt = asyncio.create_task(
        agent.connect(
            system["base"], transports=["polling"], namespaces=["/agent"], auth={"token": "forged"}
        )
    )
    await wait_for(lambda: refused)  # the server turned the forged token away
    assert "/agent" not in agent.namespaces
    attempt.cancel()
    await hang_up(agent)
    victim = Customer(system["base"])
    victim_id = await victim.connect()
    intruder = Customer(system["base"])
    await intruder.connect()
    await intruder.say(victim_id, "我是別人，想看這個對話")
    await asyncio.sleep(1.5)
    token = login(system, "super1")
    status, _ = await asyncio.to_thread(
        call, system, "GET", f"/conversations/{victim_id}", None, token
    )
    assert status == 404  # the intruder's text did not land in the victim's conversation
    await victim.close()
    await intruder.close()


async def test_closing_asks_the_customer_for_a_rating_once(system, tmp_path):
    token = login(system, "agent1")
    customer = Customer(system["base"])
    session_id = await customer.connect()
    await customer.say(session_id, "你們外送的便當整個翻倒了")
    # the customer's message is recorded before the agent acts on it
    await wait_for(
        lambda: call(system, "GET", f"/conversations/{session_id}", None, token)[0] == 200
    )
    status, _ = await asyncio.to_thread(
        call, system, "POST", f"/conversations/{session_id}/claim", None, token
    )
    assert status == 200
    await asyncio.to_thread(
        call,
        system,
        "POST",
        "/reply",
        {"conversation_id": session_id, "text": "真的很抱歉，幫您重新安排。"},
        token,
    )
    status, closed = await asyncio.to_thread(
        call,
        system,
        "POST",
        f"/conversations/{session_id}/close",
        {"resolution": "resolved"},
        token,
    )
    assert status == 200 and closed["status"] == "closed" and closed["rating_requested"] is True
    assert closed["first_response_s"] is not None and closed["handle_time_s"] >= 0
    rating = await wait_for(
        lambda: next((m for m in customer.received if "quick_replies" in m), None)
    )
    assert [q["payload"] for q in rating["quick_replies"]] == [
        "評分 5",
        "評分 4",
        "評分 3",
        "評分 2",
        "評分 1",
    ]
    await customer.say(session_id, "評分 5")
    await wait_for(lambda: any("謝謝您的評分" in m["text"] for m in customer.received))
    await customer.say(session_id, "評分 1")  # only the first rating counts
    await wait_for(lambda: any("對話已經結束" in m["text"] for m in customer.received[2:]))
    again = await asyncio.to_thread(
        call,
        system,
        "POST",
        f"/conversations/{session_id}/close",
        {"resolution": "resolved"},
        token,
    )
    assert again[0] == 409
    status, body = await asyncio.to_thread(
        call, system, "POST", "/webhook", {"sender": session_id, "message": "還在嗎"}, token
    )
    assert status == 409
    await customer.close()


def test_close_needs_a_known_resolution(system):
    token = login(system, "agent1")
    assert (
        call(system, "POST", "/conversations/nope-1/close", {"resolution": "resolved"}, token)[0]
        == 404
    )
    status, body = call(
        system, "POST", "/conversations/nope-1/close", {"resolution": "maybe"}, token
    )
    assert status == 400 and "resolution" in body["error"]


async def test_a_resumed_session_gets_its_history_and_only_issued_ids_resume(system):
    token = login(system, "agent1")
    customer = Customer(system["base"])
    session_id = await customer.connect()
    await customer.say(session_id, "我訂的蛋糕沒有照我要求不加堅果")
    await wait_for(
        lambda: call(system, "GET", f"/conversations/{session_id}", None, token)[0] == 200
    )
    await asyncio.to_thread(call, system, "POST", f"/conversations/{session_id}/claim", None, token)
    await customer.close()
    await asyncio.sleep(0.5)  # the server sees the page go (an aborted long-poll: ~0.1 s)
    # the agent answers while the customer is away: nothing may be lost
    for text in ("非常抱歉，我馬上幫您確認。", "已經請門市重新製作，今天送到。"):
        status, body = await asyncio.to_thread(
            call, system, "POST", "/reply", {"conversation_id": session_id, "text": text}, token
        )
        assert status == 200 and body["relayed"] is True
    assert customer.received == []
    back = Customer(system["base"])
    assert await back.connect(session_id) == session_id
    history = await wait_for(lambda: back.history)
    # any Rasa widget gets them too: as plain bot_uttered, in order, before the history
    assert back.received == [
        {"text": "非常抱歉，我馬上幫您確認。"},
        {"text": "已經請門市重新製作，今天送到。"},
    ]
    assert [(m["role"], m["text"]) for m in history[0]["messages"]] == [
        ("customer", "我訂的蛋糕沒有照我要求不加堅果"),
        ("agent", "非常抱歉，我馬上幫您確認。"),
        ("agent", "已經請門市重新製作，今天送到。"),
    ]
    # what the customer gets back carries no agent-side detail
    assert set().union(*(m.keys() for m in history[0]["messages"])) == {"role", "text", "ts"}
    await back.close()
    await asyncio.sleep(0.5)
    again = Customer(system["base"])
    assert await again.connect(session_id) == session_id
    await wait_for(lambda: again.history)
    assert again.received == []  # seen once: never again
    await again.close()

    # a REST platform's conversation id cannot be taken over from a browser
    status, _ = await asyncio.to_thread(
        call, system, "POST", "/webhook", {"sender": "rest-only-1", "message": "你好"}, token
    )
    assert status == 200
    intruder = Customer(system["base"])
    given = await intruder.connect("rest-only-1")
    assert given != "rest-only-1"
    await asyncio.sleep(0.5)
    assert intruder.history == []
    await intruder.close()
