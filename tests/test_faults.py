"""Faults caused for real on a launched system: the action server killed, the Rasa server
killed, Redis stopped in the middle of conversations — and everything after.

The system runs as `make run` starts it, against a redis-server this test owns (so it
can stop and start it), demo data loaded into it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import urllib.error
import urllib.request
import uuid

import pytest
import redis
import socketio

from bot.devredis import start
from tests.conftest import free_port, launch
from tests.helpers.live import Customer, hang_up, wait_for

pytestmark = pytest.mark.model
PASSWORD = "fault-pw"


def request(base: str, method: str, path: str, body=None, token=None, timeout=30):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}


def eventually(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def faulty(model_path, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("faults")
    port = free_port()
    server = start(data_dir / "own-redis", port)
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "KEFU_LOAD_DEMO": "1",
        "KEFU_DEMO_PASSWORD": PASSWORD,
    }
    process, ports, _ = launch(model_path, data_dir, env)
    base = f"http://127.0.0.1:{ports['KEFU_RASA_PORT']}"
    state = {"server": server, "redis_port": port, "base": base, "data_dir": data_dir}
    state["token"] = request(
        base + "/webhooks/assist", "POST", "/login", {"username": "agent1", "password": PASSWORD}
    )[1]["token"]
    yield state
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except Exception:  # noqa: BLE001
        process.kill()
    state["server"].stop()


def pid_of(faulty, name: str) -> int:
    return int((faulty["data_dir"] / "run" / f"{name}.pid").read_text())


def say(faulty, cid: str, text: str):
    return request(
        faulty["base"] + "/webhooks/assist",
        "POST",
        "/webhook",
        {"sender": cid, "message": text},
        faulty["token"],
    )


def test_a_killed_action_server_costs_suggestions_not_the_chat(faulty):
    cid = f"fault-a-{uuid.uuid4().hex[:6]}"
    status, first = say(faulty, cid, "我上週買的吹風機用兩天就壞了")
    assert status == 200 and len(first["suggestions"]) == 3
    old = pid_of(faulty, "actions")
    os.kill(old, signal.SIGKILL)
    time.sleep(0.5)
    status, during = say(faulty, cid, "訂單編號 KF20261102001")
    assert status == 200, during
    assert during["suggestions"] == []
    assert [a["kind"] for a in during["alerts"]] == ["no_suggestions"]
    assert during["analysis"]["intent"]["name"]  # what was understood is still there
    # the launcher starts it again; suggestions come back in the same conversation
    eventually(lambda: pid_of(faulty, "actions") != old, 30, "a new action server")
    after = eventually(
        lambda: (lambda r: r[1] if r[0] == 200 and r[1]["suggestions"] else None)(
            say(faulty, cid, "我明天就要用，很困擾")
        ),
        90,
        "suggestions again",
    )
    assert len(after["suggestions"]) == 3


def test_a_restarted_rasa_server_resumes_conversations_from_their_trackers(faulty):
    cid = f"fault-r-{uuid.uuid4().hex[:6]}"
    say(faulty, cid, "結帳的時候多收了我 300 元，跟標價不一樣")
    status, before = say(faulty, cid, "訂單 KF20260803019，冷氣標 38900 結果刷了 39200")
    assert status == 200
    old = pid_of(faulty, "rasa")
    os.kill(old, signal.SIGKILL)
    eventually(
        lambda: (
            pid_of(faulty, "rasa") != old
            and request(faulty["base"], "GET", "/status", timeout=5)[0] == 200
        ),
        240,
        "the Rasa server back",
    )
    status, after = say(faulty, cid, "我要你們把差額退給我")
    assert status == 200 and len(after["suggestions"]) == 3
    status, tracker = request(faulty["base"], "GET", f"/conversations/{cid}/tracker")
    texts = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert texts == [
        "結帳的時候多收了我 300 元，跟標價不一樣",
        "訂單 KF20260803019，冷氣標 38900 結果刷了 39200",
        "我要你們把差額退給我",
    ]
    slots = tracker["slots"]
    assert slots["order_id"] == "KF20260803019"  # what the conversation knew is still known
    assert len(slots["sentiment_history"]) == 3  # two turns before the restart, one after
    assert before["analysis"]["sentiment_trend"] == slots["sentiment_history"][:2]


async def test_redis_stopped_mid_conversation_keeps_the_chat_relaying(faulty):
    """Redis stops: the customer's message still reaches the agent, the agent's reply
    still reaches the customer, health says degraded, REST callers get 503. Redis
    returns: both turns go into the tracker, the transcript and the outcome log, once."""
    assist = faulty["base"] + "/webhooks/assist"
    token = faulty["token"]
    agent = socketio.AsyncClient(reconnection=False)
    updates: list = []
    agent.on("conversation_update", lambda data: updates.append(data), namespace="/agent")
    await agent.connect(
        faulty["base"], transports=["polling"], namespaces=["/agent"], auth={"token": token}
    )
    customer = Customer(faulty["base"])
    cid = await customer.connect()
    await customer.say(cid, "你們外送的便當整個翻倒了")
    await wait_for(lambda: any(u.get("assist") for u in updates if u["conversation_id"] == cid))
    post = lambda path, body: asyncio.to_thread(request, assist, "POST", path, body, token)  # noqa: E731
    assert (await post(f"/conversations/{cid}/claim", {}))[0] == 200
    assert (await post("/reply", {"conversation_id": cid, "text": "真的很抱歉，我馬上處理。"}))[
        0
    ] == 200
    await wait_for(lambda: len(customer.received) == 1)

    faulty["server"].stop()
    status, health = await asyncio.to_thread(request, assist, "GET", "/health")
    assert status == 200 and health == {"status": "degraded", "redis": "down", "model": True}
    # the customer's browser reconnects meanwhile: same conversation
    await customer.close()
    customer = Customer(faulty["base"])
    assert await customer.connect(cid) == cid
    await customer.say(cid, "湯也全部灑出來，衣服都髒了")
    relayed = await wait_for(
        lambda: next(
            (u for u in updates if u.get("degraded") and u["message"]["role"] == "customer"),
            None,
        )
    )
    assert relayed["message"]["text"] == "湯也全部灑出來，衣服都髒了"
    status, body = await post("/reply", {"conversation_id": cid, "text": "我們馬上重送一份。"})
    assert status == 200 and body["deferred"] is True and body["relayed"] is True
    await wait_for(lambda: customer.received)
    assert customer.received == [{"text": "我們馬上重送一份。"}]
    status, refused = await asyncio.to_thread(
        request, assist, "POST", "/webhook", {"sender": "rest-1", "message": "你好"}, token
    )
    assert status == 503 and "稍後再試" in refused["error"]

    faulty["server"] = start(faulty["data_dir"] / "own-redis", faulty["redis_port"])
    status, conversation = await wait_for(
        lambda: (lambda r: r if r[0] == 200 and len(r[1]["messages"]) == 4 else None)(
            request(assist, "GET", f"/conversations/{cid}", None, token)
        ),
        timeout=60,
    )
    assert [(m["role"], m["text"]) for m in conversation["messages"]] == [
        ("customer", "你們外送的便當整個翻倒了"),
        ("agent", "真的很抱歉，我馬上處理。"),
        ("customer", "湯也全部灑出來，衣服都髒了"),
        ("agent", "我們馬上重送一份。"),
    ]
    status, tracker = await asyncio.to_thread(
        request, faulty["base"], "GET", f"/conversations/{cid}/tracker"
    )
    said = [  # the actions' payloads for the agent are bot events without text
        (e["event"], e["text"])
        for e in tracker["events"]
        if e["event"] in ("user", "bot") and e.get("text")
    ]
    assert said == [
        ("user", "你們外送的便當整個翻倒了"),
        ("bot", "真的很抱歉，我馬上處理。"),
        ("user", "湯也全部灑出來，衣服都髒了"),
        ("bot", "我們馬上重送一份。"),
    ]
    # the agent got the suggestions for the deferred message once Rasa read it
    await wait_for(
        lambda: any(
            u.get("assist") and u["message"]["text"] == "湯也全部灑出來，衣服都髒了"
            for u in updates
        )
    )
    client = redis.Redis(port=faulty["redis_port"])
    events = [json.loads(f[b"event"]) for _, f in client.xrange("kefu:outcomes")]
    client.close()
    turns = [e["turn"] for e in events if e["conversation_id"] == cid and e["action"] == "message"]
    assert turns == [0, 2]  # each customer message once, in order
    assert len({e["id"] for e in events}) == len(events)
    await customer.close()
    await hang_up(agent)
