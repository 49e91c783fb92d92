"""Replies reach the customer's widget as ordinary ``bot_uttered`` events: once, in order,
also when they were sent while the page was closed, and across two servers.

In-process (tests/channels/inprocess.py): real Rasa apps with our channels on one real
Redis, a plain python-socketio client in the role of any Rasa widget. Replies are recorded
and announced the way ``POST /reply`` does it (the route itself, which needs the trained
model, is tested against the running system in test_live_protocol.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, List, Optional, Tuple

import pytest
import socketio

from bot.channels.notify import RATING_REQUEST, deliver_to_customer, request_rating
from bot.services import get_services
from tests.channels.inprocess import serving


class Widget:
    """What a Rasa widget does: ask for its stored session, keep every event in order."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: List[Tuple[str, Any]] = []
        self.client.on("bot_uttered", lambda data: self.events.append(("bot_uttered", data)))
        self.client.on("kefu_history", lambda data: self.events.append(("kefu_history", data)))

    async def open(self, base: str, session_id: Optional[str] = None) -> str:
        confirmed = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", lambda data: confirmed.set_result(data))
        await self.client.connect(base, transports=["polling"])
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(confirmed, 10)

    async def close(self) -> None:
        """As a browser closing the page: the connection goes at once."""
        await self.client.eio.disconnect(abort=True)

    def texts(self) -> List[str]:
        return [data["text"] for event, data in self.events if event == "bot_uttered"]


async def until(predicate, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def gone(app, cid: str) -> None:
    """Wait until the server has seen the widget's connection close."""
    manager = app.ctx.kefu_sio.manager
    await until(lambda: not list(manager.get_participants("/", cid)))


async def reply(app, cid: str, text: str) -> None:
    """What POST /reply does after the tracker: the transcript and outbox, then the nudge."""
    message = {"role": "agent", "text": text, "ts": 1.0, "agent": "agent1"}
    await get_services().conversations.record_agent_reply(cid, message)
    assert await deliver_to_customer(app, cid)


@pytest.fixture()
def environ(redis_server, redis_client, tmp_path) -> dict:
    return {"REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0", "KEFU_DATA_DIR": str(tmp_path)}


async def test_replies_sent_while_the_page_was_closed_arrive_on_reopening_once(environ):
    async with serving(environ) as server:
        app, base = server["app"], server["base"]
        widget = Widget()
        cid = await widget.open(base)
        await reply(app, cid, "您好，我是客服小陳。")
        await until(lambda: widget.texts() == ["您好，我是客服小陳。"])
        await widget.close()
        await gone(app, cid)

        await reply(app, cid, "<b>已為您查詢</b>")  # while the page is closed
        await reply(app, cid, "退款明天入帳。")
        await asyncio.sleep(0.3)
        back = Widget()
        assert await back.open(base, cid) == cid
        await until(lambda: any(event == "kefu_history" for event, _ in back.events))
        # only what it has not seen, in order, as plain bot_uttered, before the history
        assert back.events[:2] == [
            ("bot_uttered", {"text": "<b>已為您查詢</b>"}),
            ("bot_uttered", {"text": "退款明天入帳。"}),
        ]
        assert [m["text"] for m in back.events[2][1]["messages"]] == [
            "您好，我是客服小陳。",
            "<b>已為您查詢</b>",
            "退款明天入帳。",
        ]
        await reply(app, cid, "還有其他需要幫忙的嗎？")  # live again
        await until(lambda: back.texts()[-1:] == ["還有其他需要幫忙的嗎？"])
        await back.close()
        await gone(app, cid)

        again = Widget()
        await again.open(base, cid)
        await until(lambda: any(event == "kefu_history" for event, _ in again.events))
        await asyncio.sleep(0.3)
        assert again.texts() == []  # everything was seen: nothing twice
        await again.close()


async def test_the_rating_request_waits_for_a_widget_that_is_away(environ):
    async with serving(environ) as server:
        app, base = server["app"], server["base"]
        widget = Widget()
        cid = await widget.open(base)
        await widget.close()
        await gone(app, cid)
        assert await request_rating(app, get_services().conversations, cid)
        back = Widget()
        await back.open(base, cid)
        await until(lambda: back.texts())
        rating = back.events[0][1]
        assert rating["text"] == RATING_REQUEST
        assert [q["payload"] for q in rating["quick_replies"]][0] == "評分 5"
        await back.close()
        # a conversation that no widget started (a REST platform's) is not asked
        assert not await request_rating(app, get_services().conversations, "rest-platform-1")


async def test_a_reply_announced_on_one_server_reaches_the_widget_on_the_other_once(environ):
    async with serving(environ) as a, serving(environ) as b:
        widget = Widget()
        cid = await widget.open(a["base"])  # the customer is on server A
        await reply(b["app"], cid, "從另一台伺服器回覆")  # the agent's reply goes to B
        await until(lambda: widget.texts())
        await reply(a["app"], cid, "第二則")
        await until(lambda: len(widget.texts()) >= 2)
        await asyncio.sleep(0.3)
        assert widget.texts() == ["從另一台伺服器回覆", "第二則"]
        await widget.close()


async def test_replies_racing_each_other_arrive_once_each_in_outbox_order(environ, redis_client):
    async with serving(environ) as a, serving(environ) as b:
        widget = Widget()
        cid = await widget.open(a["base"])
        texts = [f"回覆 {n}" for n in range(24)]
        await asyncio.gather(
            *(reply((a, b)[n % 2]["app"], cid, text) for n, text in enumerate(texts))
        )
        await until(lambda: len(widget.texts()) >= len(texts))
        await asyncio.sleep(0.3)
        outbox = [item.decode() for item in redis_client.lrange(f"kefu:conv:{cid}:outbox", 0, -1)]
        assert widget.texts() == [json.loads(item)["text"] for item in outbox]
        assert sorted(widget.texts()) == sorted(texts)
        await widget.close()
