"""The reply library route in-process (no model), with a real Redis, the real templates,
articles and jieba words, every answer checked against docs/openapi.yaml."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.channels.library import add_routes
from bot.services import get_services
from tests.helpers.api import check
from tests.helpers.routes import Api, routes_served, signed_in

RATE = 6


class LibraryApi(Api):
    async def get(self, user, **args) -> tuple:
        """GET /replies?args: (status, JSON body, headers)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        async with aiohttp.ClientSession() as session:
            async with session.get(
                f"{self.base}/replies?{urlencode(args)}", headers=headers
            ) as answer:
                return answer.status, await answer.json(), answer.headers


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_LIBRARY_RATE", str(RATE))
    # fresh names each test: the rate is counted per account in the shared Redis
    suffix = uuid.uuid4().hex[:6]
    users = {f"agent1{suffix}": "agent", f"agent2{suffix}": "agent", f"super{suffix}": "supervisor"}
    names = {user: f"客服{user[:6]}" for user in users}
    signed = await signed_in(redis_client, users, names)
    tokens = {
        (user[:6] if user.startswith("agent") else "super"): token for user, token in signed.items()
    }
    tokens["agent1_name"] = f"agent1{suffix}"
    async with routes_served(add_routes) as base:
        yield LibraryApi(base, tokens)


async def _conversation(agent: str) -> str:
    """A conversation of ``agent`` whose latest turn knows the customer and the order."""
    cid = "c-" + uuid.uuid4().hex[:12]
    conversations = get_services().conversations
    await conversations.create(cid, agent=agent)
    assist = {
        "analysis": {
            "sentiment": {"label": "negative", "score": -0.7},
            "entities": [{"entity": "amount", "value": 1280}],
            "customer_said": {"problem": {"text": "耳機右耳沒有聲音", "source": "右耳沒聲音"}},
        },
        "context": {
            "customer": {"title": "林小姐", "tier": "一般會員"},
            "order": {
                "id": "A20261127",
                "value": 1280,
                "status": "delivered",
                "products": ["藍牙耳機"],
                "date": "2026-11-20",
            },
        },
    }
    await conversations.record_customer_turn(cid, "右耳沒聲音", assist, [], [], {})
    return cid


async def test_without_a_token_there_is_no_library(api):
    status, body, _ = await api.get(None, q="退款")
    assert status == 401 and body["error"]
    check(body, "Error")


async def test_results_are_ranked_filtered_and_match_the_schema(api):
    status, body, _ = await api.get("agent1", q="退款多久")
    assert status == 200, body
    check(body, "LibraryResults")
    first = body["results"][0]
    assert first["kind"] == "knowledge" and first["id"] == "refund_timing"
    assert first["title"] and first["stage"] is None

    status, body, _ = await api.get("agent1", technique="empathy", stage="acknowledge")
    check(body, "LibraryResults")
    assert 0 < len(body["results"]) <= 20
    # with the templates that answer a question at every stage ("any")
    assert {r["technique"] for r in body["results"]} == {"empathy"}
    assert {r["stage"] for r in body["results"]} <= {"acknowledge", "any"}
    assert any(r["stage"] == "acknowledge" for r in body["results"])
    assert all("{" not in r["text"] and r["kind"] == "template" for r in body["results"])


async def test_bad_filters_and_a_long_query_are_refused_in_words(api):
    status, body, _ = await api.get("agent1", technique="yelling")
    assert status == 400 and "technique" in body["error"] and "同理心" in body["error"]
    status, body, _ = await api.get("agent1", stage="someday")
    assert status == 400 and "提出方案" in body["error"]
    status, body, _ = await api.get("agent1", q="退" * 51)
    assert status == 400 and "50" in body["error"]
    check(body, "Error")
    status, body, _ = await api.get("agent1", q="退" * 50)
    assert status == 200
    status, body, _ = await api.get("agent1", conversation_id="no spaces allowed")
    assert status == 400


async def test_a_conversation_fills_the_templates_and_only_its_agent_may_ask(api):
    cid = await _conversation(api.tokens["agent1_name"])
    args = {"q": "訂單編號", "technique": "clarifying_question"}
    status, plain, _ = await api.get("agent1", **args)
    assert status == 200
    assert any("〔訂單編號〕" in r["text"] and "order_id" in r["missing"] for r in plain["results"])

    status, filled, _ = await api.get("agent1", conversation_id=cid, **args)
    assert status == 200, filled
    check(filled, "LibraryResults")
    assert [r["id"] for r in filled["results"]] == [r["id"] for r in plain["results"]]
    assert any("A20261127" in r["text"] for r in filled["results"])
    assert all("〔訂單編號〕" not in r["text"] for r in filled["results"])
    assert all("order_id" not in r["missing"] for r in filled["results"])

    status, empathy, _ = await api.get(
        "agent1", conversation_id=cid, technique="empathy", stage="acknowledge"
    )
    texts = " ".join(r["text"] for r in empathy["results"])
    assert "林小姐" in texts and "藍牙耳機" in texts and "〔顧客稱呼〕" not in texts

    # another agent's conversation: refused as the conversation view refuses it; a
    # supervisor may; an unknown one is 404
    status, body, _ = await api.get("agent2", conversation_id=cid)
    assert status == 403
    status, body, _ = await api.get("super", conversation_id=cid, technique="empathy")
    assert status == 200 and "林小姐" in " ".join(r["text"] for r in body["results"])
    status, body, _ = await api.get("agent1", conversation_id="c-nobody-here")
    assert status == 404


async def test_searching_past_the_rate_is_429_with_retry_after(api):
    for _ in range(RATE):
        status, _, _ = await api.get("agent2", q="發票")
        assert status == 200
    status, body, headers = await api.get("agent2", q="發票")
    assert status == 429 and "秒後再試" in body["error"]
    assert 1 <= int(headers["Retry-After"]) <= 60
    check(body, "Error")
    # the limit is per account
    status, _, _ = await api.get("agent1", q="發票")
    assert status == 200


async def test_an_agents_snippets_are_their_own_searched_first_and_deleted(api):
    status, body = await api.call("POST", "/snippets", None, {"text": "您好"})
    assert status == 401
    status, saved = await api.call(
        "POST", "/snippets", "agent1", {"text": "  {customer}您好，退款已經幫您申請了  "}
    )
    assert status == 201, saved
    check(saved, "Snippet")
    assert saved["text"] == "{customer}您好，退款已經幫您申請了"
    status, mine = await api.call("GET", "/snippets", "agent1")
    check(mine, "Snippets")
    assert [s["id"] for s in mine["snippets"]] == [saved["id"]]
    status, theirs = await api.call("GET", "/snippets", "agent2")
    assert theirs == {"snippets": []}

    # searched first, filled for the conversation; never shown to another agent
    cid = await _conversation(api.tokens["agent1_name"])
    status, body, _ = await api.get("agent1", q="退款", conversation_id=cid)
    check(body, "LibraryResults")
    first = body["results"][0]
    assert first["kind"] == "snippet" and first["id"] == saved["id"]
    assert first["text"] == "林小姐您好，退款已經幫您申請了" and first["technique"] is None
    status, body, _ = await api.get("agent2", q="退款")
    assert all(r["kind"] != "snippet" for r in body["results"])
    # a technique filter leaves them out
    status, body, _ = await api.get("agent1", q="退款", technique="clear_explanation")
    assert all(r["kind"] != "snippet" for r in body["results"])

    # bad snippets are refused in words
    for text, words in (("", "請輸入"), ("字" * 301, "300"), ("{nobody}你好", "欄位")):
        status, body = await api.call("POST", "/snippets", "agent1", {"text": text})
        assert status == 400 and words in body["error"], body

    # only its agent deletes it
    status, body = await api.call("DELETE", f"/snippets/{saved['id']}", "agent2")
    assert status == 404
    status, body = await api.call("DELETE", f"/snippets/{saved['id']}", "agent1")
    assert status == 200 and body == {"deleted": saved["id"]}
    status, mine = await api.call("GET", "/snippets", "agent1")
    assert mine == {"snippets": []}
    status, body = await api.call("DELETE", f"/snippets/{saved['id']}", "agent1")
    assert status == 404
