"""The grant and approval flow on a real Redis: the caller's own role, budgets, keys."""

from __future__ import annotations

import asyncio

import pytest

from bot.assist import compensation
from bot.policy import load_policy
from bot.store.accounts import Account
from bot.store.grants import Grants, today
from tests.conftest import ROOT

AGENT = Account("agent1", "小美", "agent")
SENIOR = Account("senior1", "佩琪", "senior_agent")
SUPER = Account("super1", "林主任", "supervisor")
CASE = {
    "complaint_type": "complaint_defect",
    "claimed_amount": None,
    "escalated": False,
    "order": {
        "order_id": "KF20261102001",
        "value": 2980,
        "cost": 1850,
        "margin": 1130,
        "delivered": None,
    },
    "customer": {"tier": "gold", "birthday": None},
}


@pytest.fixture(scope="module")
def policy():
    return load_policy(ROOT / "data/policy")


@pytest.fixture()
def grants(aioredis):
    return Grants(aioredis)


def option(option_id, cost, label="x"):
    return {"id": option_id, "label": label, "cost": cost}


async def grant(grants, policy, account, opt, key, cid="c1"):
    return await compensation.request_grant(
        grants=grants,
        policy=policy,
        account=account,
        cid=cid,
        option=opt,
        case=CASE,
        idempotency_key=key,
    )


async def test_within_authority_is_granted_and_replayed(grants, policy):
    status, body = await grant(grants, policy, AGENT, option("coupon", 120), "k1")
    assert status == 200 and body["granted"] and body["granted_by"] == "agent1"
    assert await grant(grants, policy, AGENT, option("coupon", 120), "k1") == (200, body)
    assert await grants.spent("agent1", today()) == 120


async def test_authority_is_the_callers_own(grants, policy):
    status, body = await grant(grants, policy, AGENT, option("replacement", 1970), "k2")
    assert (
        status == 403
        and body["approver"] == "supervisor"
        and {"authority", "margin"} <= set(body["limits"])
    )
    status, body = await grant(grants, policy, SUPER, option("replacement", 1970), "k3")
    assert status == 200


async def test_spending_past_the_budget_goes_to_approval(grants, policy):
    # 24 coupons of 120 = 2,880 of agent1's 3,000; the 25th fits, the 26th does not
    for i in range(25):
        status, _ = await grant(
            grants, policy, AGENT, option("coupon", 120), f"b{i}", cid=f"conv{i}"
        )
        assert status == 200
    status, body = await grant(grants, policy, AGENT, option("coupon", 120), "b25", cid="conv25")
    assert status == 403 and body["limits"] == ["budget"] and body["approver"] == "senior_agent"
    assert "預算" in body["reason"]
    assert await grants.spent("agent1", today()) == 3000


async def test_concurrent_requests_past_the_budget_never_overspend(grants, policy):
    results = await asyncio.gather(
        *(
            grant(grants, policy, AGENT, option("express_redelivery", 150), f"p{i}", cid=f"conv{i}")
            for i in range(50)
        )
    )
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 20 and statuses.count(403) == 30  # 20 × 150 = 3,000
    assert await grants.spent("agent1", today()) == 3000


async def test_a_key_reused_for_another_option_is_refused(grants, policy):
    assert (await grant(grants, policy, AGENT, option("coupon", 120), "same"))[0] == 200
    status, body = await grant(grants, policy, AGENT, option("free_shipping", 80), "same")
    assert status == 422 and "idempotency_key" in body["error"]


async def test_only_a_high_enough_role_decides(grants, policy):
    status, refused = await grant(grants, policy, AGENT, option("full_refund", 2980), "r1")
    assert status == 403
    approval = await grants.approval(refused["approval_id"])
    status, body = await compensation.decide(
        grants=grants, policy=policy, account=SENIOR, approval=approval, decision="approve"
    )
    assert status == 403
    status, body = await compensation.decide(
        grants=grants, policy=policy, account=SUPER, approval=approval, decision="deny"
    )
    assert status == 200 and body["status"] == "denied" and body["decided_by"] == "super1"
    status, body = await compensation.decide(
        grants=grants, policy=policy, account=SUPER, approval=approval, decision="approve"
    )
    assert status == 409
    assert await grants.spent("super1", today()) == 0
