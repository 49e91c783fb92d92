"""The reply library routes (bot/channels/library.py) in-process (tests/channels/inprocess.py:
our channels, a real Redis, no model), with the real templates, articles and jieba words,
every answer checked against docs/openapi.yaml; who may call them and every refusal in
words."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from urllib.parse import urlencode

import aiohttp
import pytest
import pytest_asyncio
import yaml

from bot.channels import library
from bot.services import get_services
from bot.store.snippets import MAX_SNIPPETS
from tests.channels.inprocess import serving
from tests.conftest import ROOT
from tests.helpers.api import check
from tests.helpers.staff import StaffApi, staff_api

pytestmark = pytest.mark.asyncio(loop_scope="module")
RATE = 20


class LibraryApi(StaffApi):
    async def get(self, user, **args) -> tuple:
        """GET /replies?args: (status, JSON body, headers)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        async with aiohttp.ClientSession() as session:
            async with session.get(
                f"{self.base}/replies?{urlencode(args)}", headers=headers
            ) as answer:
                return answer.status, await answer.json(), answer.headers


def _policy_with_a_trainee(folder):
    """data/policy/ with a role below the agent's first: a trainee may not use the library."""
    shutil.copytree(ROOT / "data/policy", folder)
    roles = yaml.safe_load((folder / "roles.yml").read_text(encoding="utf-8"))
    trainee = {**roles["roles"]["agent"], "label": "見習客服", "daily_budget": 0}
    roles["roles"] = {"trainee": trainee, **roles["roles"]}
    (folder / "roles.yml").write_text(
        yaml.safe_dump(roles, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(redis_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("library")
    environ = {
        "KEFU_LIBRARY_RATE": str(RATE),
        "KEFU_POLICY_DIR": str(_policy_with_a_trainee(folder / "policy")),
    }
    # fresh names: snippets and the rate are kept per account in the shared Redis
    suffix = uuid.uuid4().hex[:6]
    roles = {"agent1": "agent", "agent2": "agent", "agent3": "agent"}
    roles.update(super="supervisor", trainee="trainee")
    users = {f"{short}{suffix}": role for short, role in roles.items()}
    async with staff_api(redis_server, folder / "data", users, environ) as served:
        tokens = {user[: -len(suffix)]: token for user, token in served.tokens.items()}
        tokens["agent1_name"] = f"agent1{suffix}"
        yield LibraryApi(served.base, tokens)


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


@pytest.mark.asyncio(loop_scope="function")  # its own server and services, not the module's
async def test_the_server_builds_the_library_when_it_starts_not_at_the_first_search(
    redis_server, tmp_path
):
    library._libraries.clear()
    environ = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}
    async with serving(environ):
        for _ in range(200):  # built off the event loop, about a second
            if library._libraries:
                break
            await asyncio.sleep(0.05)
        assert len(library._libraries) == 1


ROUTES = [
    ("GET", "/replies?q=退款", None),
    ("GET", "/snippets", None),
    ("POST", "/snippets", {"text": "您好"}),
    ("DELETE", "/snippets/1", None),
]


@pytest.mark.parametrize("method, path, body", ROUTES)
async def test_without_a_token_or_below_an_agent_there_is_no_library(api, method, path, body):
    status, answer = await api.call(method, path, None, body)
    assert status == 401 and answer["error"]
    check(answer, "Error")
    status, answer = await api.call(method, path, "trainee", body)
    assert status == 403 and answer["error"] == "只有客服人員可以使用回覆庫"
    check(answer, "Error")


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
        status, _, _ = await api.get("agent3", q="發票")
        assert status == 200
    status, body, headers = await api.get("agent3", q="發票")
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


async def test_a_snippet_body_that_is_no_json_object_is_400_and_a_bad_id_404(api):
    for data, word in ((b"", "空的"), (b"{oops", "JSON"), (b'"hi"', "JSON 物件")):
        status, body = await api.raw("POST", "/snippets", "agent3", data)
        assert status == 400 and word in body["error"]
    status, body = await api.call("DELETE", "/snippets/a%20b", "agent3")
    assert status == 404 and "找不到" in body["error"]


async def test_past_the_most_snippets_is_409(api):
    for n in range(MAX_SNIPPETS):
        status, _ = await api.call("POST", "/snippets", "agent3", {"text": f"常用回覆 {n}"})
        assert status == 201
    status, body = await api.call("POST", "/snippets", "agent3", {"text": "再一則"})
    assert status == 409 and str(MAX_SNIPPETS) in body["error"]
    check(body, "Error")
