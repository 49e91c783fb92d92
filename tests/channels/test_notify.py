"""Telling people (bot/channels/notify.py): a reply relayed while Redis is away reaches the
customer's widget through Rasa's socket.io output as one ``bot_uttered``; the consoles'
rooms; nothing is sent, and False said, without the live channel. In-process
(tests/channels/inprocess.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import socketio

from bot.channels import notify
from bot.services import get_services
from bot.store.accounts import Account
from tests.channels.inprocess import serving
from tests.helpers.live import hang_up


async def test_a_relayed_reply_is_one_bot_uttered_even_with_blank_lines(
    redis_server, redis_client, tmp_path
):
    environ = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}
    async with serving(environ) as server:
        client = socketio.AsyncClient(reconnection=False)
        confirmed = asyncio.get_running_loop().create_future()
        received = []
        client.on("session_confirm", lambda data: confirmed.set_result(data))
        client.on("bot_uttered", received.append)
        await client.connect(server["base"], transports=["polling"])
        try:
            await client.emit("session_request", {"session_id": None})
            cid = await asyncio.wait_for(confirmed, 10)
            text = "您好，我是客服小陳。\n\n已經幫您查到訂單了。"
            assert await notify.relay_to_customer(server["app"], cid, text)
            deadline = asyncio.get_running_loop().time() + 10
            while not received and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # a second part would have come by now
            assert received == [{"text": text}]
        finally:
            await hang_up(client)


async def test_without_the_live_channel_nothing_is_sent(redis_server, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    app = SimpleNamespace(ctx=SimpleNamespace())
    assert not await notify.relay_to_customer(app, "c1", "您好")
    assert not await notify.deliver_to_customer(app, "c1")
    assert not await notify.notify_staff(app, {"conversation_id": "c1", "agent": None})


async def test_a_console_joins_its_own_room_the_queue_and_for_supervisors_theirs(
    redis_server, monkeypatch, tmp_path
):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    services = get_services()
    agent = Account("agent1", "小美", "agent")
    boss = Account("boss", "陳經理", "manager")
    assert notify.staff_rooms(services, agent) == ["agent:agent1", notify.QUEUE_ROOM]
    assert notify.staff_rooms(services, boss) == [
        "agent:boss",
        notify.QUEUE_ROOM,
        notify.SUPERVISOR_ROOM,
    ]
