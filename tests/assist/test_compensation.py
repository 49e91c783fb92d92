"""The grant and approval flow on a real Redis: the caller's own role, budgets, keys, and
each refusal as its named exception."""

from __future__ import annotations

import asyncio

import pytest

from bot.assist import compensation
from bot.assist.compensation import (
    AlreadyDecided,
    AlreadyGranted,
    ApprovalNotFound,
    BeyondAuthority,
    KeyReused,
    NotYours,
    OverBudget,
)
from bot.policy import load_policy
from bot.store import keys
from bot.store.accounts import Account
from bot.store.grant_records import Grant
from bot.store.grants import Grants, today
from tests.conftest import ROOT
from tests.helpers.cases import DEFECT_CASE as CASE

AGENT = Account("agent1", "小美", "agent")
SENIOR = Account("senior1", "佩琪", "senior_agent")
SUPER = Account("super1", "林主任", "supervisor")


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


async def refused(grants, policy, account, opt, key, cid="c1"):
    """The approval request a grant beyond ``account``'s authority opened."""
    with pytest.raises(BeyondAuthority) as raised:
        await grant(grants, policy, account, opt, key, cid)
    return raised.value.opened


async def decide(grants, policy, account, approval, decision):
    return await compensation.decide(
        grants=grants, policy=policy, account=account, approval=approval, decision=decision
    )


async def test_within_authority_is_granted_and_replayed(grants, policy):
    granted = await grant(grants, policy, AGENT, option("coupon", 120), "k1")
    assert isinstance(granted, Grant)
    assert granted.granted_by == "agent1" and granted.cost == 120 and granted.option_id == "coupon"
    assert await grant(grants, policy, AGENT, option("coupon", 120), "k1") == granted
    assert await grants.spent("agent1", today()) == 120


async def test_authority_is_the_callers_own(grants, policy):
    opened = await refused(grants, policy, AGENT, option("replacement", 1970), "k2")
    assert opened.approver == "supervisor" and {"authority", "margin"} <= set(opened.limits)
    assert (await grant(grants, policy, SUPER, option("replacement", 1970), "k3")).cost == 1970


async def test_a_retry_of_a_refused_grant_is_refused_the_same_and_opens_nothing(grants, policy):
    first = await refused(grants, policy, AGENT, option("full_refund", 2980), "r0")
    assert await refused(grants, policy, AGENT, option("full_refund", 2980), "r0") == first
    assert [a.id for a in await grants.approvals()] == [first.approval_id]


async def test_spending_past_the_budget_goes_to_approval(grants, policy):
    # 24 coupons of 120 = 2,880 of agent1's 3,000; the 25th fits, the 26th does not
    for i in range(25):
        await grant(grants, policy, AGENT, option("coupon", 120), f"b{i}", cid=f"conv{i}")
    opened = await refused(grants, policy, AGENT, option("coupon", 120), "b25", cid="conv25")
    assert opened.limits == ("budget",) and opened.approver == "senior_agent"
    assert "預算" in opened.reason
    assert await grants.spent("agent1", today()) == 3000


async def test_concurrent_requests_past_the_budget_never_overspend(grants, policy):
    results = await asyncio.gather(
        *(
            grant(grants, policy, AGENT, option("express_redelivery", 150), f"p{i}", cid=f"conv{i}")
            for i in range(50)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Grant) for r in results) == 20  # 20 × 150 = 3,000
    assert sum(isinstance(r, BeyondAuthority) for r in results) == 30
    assert await grants.spent("agent1", today()) == 3000


async def test_a_key_reused_for_another_option_is_refused(grants, policy):
    await grant(grants, policy, AGENT, option("coupon", 120), "same")
    with pytest.raises(KeyReused):
        await grant(grants, policy, AGENT, option("free_shipping", 80), "same")
    with pytest.raises(KeyReused):  # nor for the same option in another conversation
        await grant(grants, policy, AGENT, option("coupon", 120), "same", cid="c2")
    assert await grants.spent("agent1", today()) == 120


async def test_an_option_granted_once_is_not_granted_again_under_another_key(grants, policy):
    await grant(grants, policy, AGENT, option("coupon", 120, "折價券"), "a1")
    with pytest.raises(AlreadyGranted) as raised:
        await grant(grants, policy, AGENT, option("coupon", 120, "折價券"), "a2")
    assert raised.value.label == "折價券"
    assert await grants.spent("agent1", today()) == 120


async def test_only_a_high_enough_role_decides(grants, policy):
    opened = await refused(grants, policy, AGENT, option("full_refund", 2980), "r1")
    approval = await grants.approval(opened.approval_id)
    with pytest.raises(NotYours) as raised:
        await decide(grants, policy, SENIOR, approval, "approve")
    assert (raised.value.approver, raised.value.approver_label) == ("supervisor", "客服主管")
    denied = await decide(grants, policy, SUPER, approval, "deny")
    assert denied.status == "denied" and denied.decided_by == "super1" and denied.decided_at
    with pytest.raises(AlreadyDecided) as raised:
        await decide(grants, policy, SUPER, approval, "approve")
    assert raised.value.status == "denied"
    assert await grants.spent("super1", today()) == 0


async def test_an_approval_spends_the_approvers_budget_once(grants, policy):
    opened = await refused(grants, policy, AGENT, option("full_refund", 2980), "r2")
    approved = await decide(
        grants, policy, SUPER, await grants.approval(opened.approval_id), "approve"
    )
    assert approved.status == "approved" and approved.decided_by == "super1"
    assert await grants.spent("super1", today()) == 2980
    [given] = await grants.granted("c1")
    assert (given.approval_id, given.requested_by, given.granted_by) == (
        opened.approval_id,
        "agent1",
        "super1",
    )


async def test_an_option_granted_meanwhile_is_not_granted_again_by_an_approval(grants, policy):
    opened = await refused(grants, policy, AGENT, option("full_refund", 2980), "r3")
    approval = await grants.approval(opened.approval_id)
    await grant(grants, policy, SUPER, option("full_refund", 2980), "direct")
    with pytest.raises(AlreadyGranted):
        await decide(grants, policy, SUPER, approval, "approve")


async def test_an_approval_past_the_approvers_own_budget_is_refused(grants, policy, aioredis):
    opened = await refused(grants, policy, AGENT, option("full_refund", 2980), "r4")
    approval = await grants.approval(opened.approval_id)
    await aioredis.set(keys.budget("super1", today().isoformat()), 49_000)
    with pytest.raises(OverBudget) as raised:
        await decide(grants, policy, SUPER, approval, "approve")
    assert (raised.value.left, raised.value.cost) == (1000, 2980)
    assert (await grants.approval(approval.id)).status == "pending"


async def test_an_approval_that_vanished_is_not_found(grants, policy, aioredis):
    opened = await refused(grants, policy, AGENT, option("full_refund", 2980), "r5")
    approval = await grants.approval(opened.approval_id)
    await aioredis.delete(keys.approval(approval.id))
    with pytest.raises(ApprovalNotFound):
        await decide(grants, policy, SUPER, approval, "deny")
