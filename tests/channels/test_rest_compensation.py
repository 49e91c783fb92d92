"""The compensation routes (bot/channels/rest/compensation.py) in-process: each refusal of
the domain as its status and sentence (bot/channels/rest/refusals.py), and nothing spent
by a refusal (a Rasa app with our channels, a real Redis, no model)."""

from __future__ import annotations

import pytest

from bot.services import get_services
from bot.store.grants import today
from tests.channels.inprocess import assist_api, conversation
from tests.helpers.api import check
from tests.helpers.cases import DEFECT_CASE as CASE

OPTIONS = [
    {"id": "coupon", "label": "折價券 NT$200", "cost": 120},
    {"id": "free_shipping", "label": "免運", "cost": 80},
    {"id": "full_refund", "label": "全額退款", "cost": 2980},
]


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path):
    environ = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}
    async with assist_api(environ, redis_client) as api:
        await conversation("c1", "agent1", options=OPTIONS, case=CASE)
        yield api


def grant(option_id, key, cid="c1"):
    return {"conversation_id": cid, "option_id": option_id, "idempotency_key": key}


async def spent(username="agent1"):
    return await get_services().grants.spent(username, today())


async def test_bad_grant_requests_get_a_plain_4xx_and_spend_nothing(api):
    refused = [
        ("agent1", grant("coupon", "k", cid="nope-1"), 404),
        ("agent1", {"conversation_id": "c1", "option_id": "coupon"}, 400),
        ("agent1", {**grant("coupon", "k"), "option_id": 5}, 400),
        ("agent1", grant("replacement", "k"), 404),  # never offered in this conversation
        ("agent2", grant("coupon", "k"), 403),  # agent1's conversation
    ]
    for user, body, expected in refused:
        status, answer = await api.refused("POST", "/compensation/grant", user, body)
        assert status == expected, (body, answer)
    assert (await api.refused("POST", "/compensation/grant", "agent1", {}))[0] == 400
    never = grant("replacement", "k3")
    assert (
        "補償方案"
        in (await api.refused("POST", "/compensation/grant", "agent1", never))[1]["error"]
    )
    assert await spent() == 0 and await spent("agent2") == 0
    assert await get_services().grants.approvals() == []


async def test_a_grant_is_given_once_and_a_key_answers_one_request(api):
    status, body = await api.call("POST", "/compensation/grant", "agent1", grant("coupon", "k1"))
    assert status == 200 and body["granted"] is True and body["granted_by"] == "agent1"
    check(body, "Grant")
    again = await api.call("POST", "/compensation/grant", "agent1", grant("coupon", "k1"))
    assert again == (200, body)
    status, answer = await api.refused(
        "POST", "/compensation/grant", "agent1", grant("free_shipping", "k1")
    )
    assert status == 422 and "idempotency_key" in answer["error"]
    status, answer = await api.refused(
        "POST", "/compensation/grant", "agent1", grant("coupon", "k2")
    )
    assert status == 409 and "折價券 NT$200" in answer["error"]
    assert await spent() == 120


async def test_beyond_authority_is_403_with_the_approval_request_and_nothing_spent(api):
    refund = grant("full_refund", "r1")
    status, refused = await api.call("POST", "/compensation/grant", "agent1", refund)
    assert status == 403, refused
    check(refused, "GrantRefused")
    assert refused["approver"] == "supervisor" and "authority" in refused["limits"]
    assert refused["error"].startswith("超出您的權限，已送出核准申請：")
    assert refused["reason"] in refused["error"]
    assert await api.call("POST", "/compensation/grant", "agent1", refund) == (403, refused)
    assert await spent() == 0
    [approval] = await get_services().grants.approvals()
    assert approval.id == refused["approval_id"] and approval.status == "pending"
    events, _ = await get_services().outcomes.conversation("c1")
    assert [e["action"] for e in events] == ["approval_requested"]


async def test_approvals_are_for_approvers_and_decided_once(api):
    refused = (await api.call("POST", "/compensation/grant", "agent1", grant("full_refund", "r")))[
        1
    ]
    decision = f"/approvals/{refused['approval_id']}"
    status, body = await api.refused("GET", "/approvals", "agent1")
    assert status == 403 and "核准清單" in body["error"]
    assert (await api.refused("GET", "/approvals?status=maybe", "super1"))[0] == 400
    status, listing = await api.call("GET", "/approvals?status=pending", "senior1")
    assert status == 200 and listing == {"approvals": []}  # needs a supervisor
    status, listing = await api.call("GET", "/approvals?status=pending", "super1")
    assert [a["id"] for a in listing["approvals"]] == [refused["approval_id"]]
    check(listing["approvals"][0], "Approval")

    assert (await api.refused("POST", decision, "agent1", {"decision": "approve"}))[0] == 403
    status, body = await api.refused("POST", decision, "senior1", {"decision": "approve"})
    assert status == 403 and "客服主管" in body["error"]
    assert (await api.refused("POST", decision, "super1", {"decision": "perhaps"}))[0] == 400
    missing = "/approvals/nope-1"
    assert (await api.refused("POST", missing, "super1", {"decision": "approve"}))[0] == 404
    assert (await api.refused("POST", missing, "super1", {"decision": "perhaps"}))[0] == 400

    status, decided = await api.call("POST", decision, "super1", {"decision": "approve"})
    assert status == 200 and decided["status"] == "approved" and decided["decided_by"] == "super1"
    check(decided, "Approval")
    status, body = await api.refused("POST", decision, "super1", {"decision": "deny"})
    assert status == 409 and body["status"] == "approved"
    assert await spent("super1") == 2980
    status, view = await api.call("GET", "/conversations/c1", "agent1")
    assert [g["option_id"] for g in view["granted"]] == ["full_refund"]
    check(view["granted"][0], "Grant")


async def test_an_approval_past_the_approvers_budget_is_refused_in_words(api):
    refused = (await api.call("POST", "/compensation/grant", "agent1", grant("full_refund", "r")))[
        1
    ]
    services = get_services()
    await services.redis.set(f"kefu:budget:super1:{today().isoformat()}", 49_000)
    status, body = await api.refused(
        "POST", f"/approvals/{refused['approval_id']}", "super1", {"decision": "approve"}
    )
    assert status == 409 and "預算" in body["error"]
    assert (await services.grants.approval(refused["approval_id"])).status == "pending"
