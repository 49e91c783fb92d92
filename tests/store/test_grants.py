"""Grants and approvals against a real Redis: atomic budgets, idempotency, decisions, and
the typed records they come back as (no HTTP status, no sentence for people)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping

import pytest

from bot.store.grant_records import Answer, Approval, Grant
from bot.store.grants import Grants, fingerprint

DAY = dt.date(2026, 11, 23)


def option(option_id="coupon", cost=120):
    return {"id": option_id, "label": "折價券 NT$200", "cost": cost}


@pytest.fixture()
def grants(aioredis):
    return Grants(aioredis)


async def test_fifty_concurrent_grants_never_overspend_one_budget(grants):
    # 50 agents' worth of requests from one account, each a different conversation:
    # the budget of 3,000 covers exactly 25 grants of 120 (3,000 // 120 = 25)
    async def one(i):
        return await grants.grant(
            username="agent1",
            idempotency_key=f"k{i}",
            request_fingerprint=fingerprint(f"c{i}", "coupon"),
            cid=f"c{i}",
            option=option(),
            daily_budget=3000,
            day=DAY,
        )

    outcomes = await asyncio.gather(*(one(i) for i in range(50)))
    statuses = [o.status for o in outcomes]
    assert statuses.count("granted") == 25
    assert statuses.count("over") == 25
    assert await grants.spent("agent1", DAY) == 25 * 120 <= 3000


async def test_a_retried_grant_with_the_same_key_changes_nothing(grants):
    kwargs = dict(
        username="agent1",
        idempotency_key="same",
        request_fingerprint=fingerprint("c1", "coupon"),
        cid="c1",
        option=option(),
        daily_budget=3000,
        day=DAY,
    )
    first, second = await asyncio.gather(grants.grant(**kwargs), grants.grant(**kwargs))
    assert {first.status, second.status} == {"granted", "replay"}
    assert first.answer == second.answer
    assert isinstance(first.answer, Answer) and first.answer.opened is None
    assert first.answer.fingerprint == fingerprint("c1", "coupon")
    assert isinstance(first.answer.grant, Grant) and first.answer.grant.cost == 120
    assert await grants.spent("agent1", DAY) == 120
    assert await grants.granted("c1") == [first.answer.grant]


async def test_the_same_option_is_not_granted_twice_with_another_key(grants):
    common = dict(username="agent1", cid="c1", option=option(), daily_budget=3000, day=DAY)
    assert (
        await grants.grant(idempotency_key="a", request_fingerprint="x", **common)
    ).status == "granted"
    assert (
        await grants.grant(idempotency_key="b", request_fingerprint="x", **common)
    ).status == "already"
    assert await grants.spent("agent1", DAY) == 120


async def test_an_approval_is_opened_once_per_key_and_decided_once(grants):
    kwargs = dict(
        username="agent1",
        idempotency_key="big",
        request_fingerprint=fingerprint("c1", "full_refund"),
        cid="c1",
        option=option("full_refund", 2980),
        approver="supervisor",
        reason="需客服主管核准（權限）",
        limits=["authority"],
    )
    first = await grants.open_approval(**kwargs)
    again = await grants.open_approval(**kwargs)
    assert first.status == "opened" and again.status == "replay"
    assert first.answer == again.answer and first.answer.grant is None
    opened = first.answer.opened
    assert (opened.approver, opened.limits) == ("supervisor", ("authority",))
    approvals = await grants.approvals()
    assert len(approvals) == 1 and isinstance(approvals[0], Approval)
    approval = approvals[0]
    assert (approval.id, approval.status, approval.cost) == (opened.approval_id, "pending", 2980)
    assert approval.requested_by == "agent1" and approval.requested_at > 0
    assert approval.limits == ("authority",) and approval.decided_by is None
    assert await grants.approvals(cid="c1") == approvals and not await grants.approvals(cid="c2")

    async def decide(decision, who):
        return await grants.decide(
            approval=approval, decision=decision, username=who, daily_budget=50000, day=DAY
        )

    # two supervisors decide at the same moment: one wins, the other is told
    results = await asyncio.gather(decide("approve", "super1"), decide("deny", "super2"))
    assert sorted(r.status for r in results) in (["approved", "decided"], ["decided", "denied"])
    record = await grants.approval(approval.id)
    assert record.status in ("approved", "denied") and record.decided_by and record.decided_at
    assert [r.decided for r in results if r.status == "decided"] == [record.status]
    if record.status == "approved":
        assert await grants.spent("super1", DAY) == 2980
        [given] = await grants.granted("c1")
        assert (given.approval_id, given.requested_by, given.cost) == (approval.id, "agent1", 2980)
    else:
        assert await grants.spent("super1", DAY) == 0


async def test_approval_beyond_the_approvers_budget_is_refused(grants):
    opened = await grants.open_approval(
        username="agent1",
        idempotency_key="k",
        request_fingerprint="f",
        cid="c9",
        option=option("full_refund", 2980),
        approver="supervisor",
        reason="r",
        limits=["authority"],
    )
    approval = await grants.approval(opened.answer.opened.approval_id)
    outcome = await grants.decide(
        approval=approval, decision="approve", username="super1", daily_budget=1000, day=DAY
    )
    assert outcome.status == "over"
    assert (await grants.approval(approval.id)).status == "pending"
    assert await grants.spent("super1", DAY) == 0


async def test_no_record_carries_an_http_status_or_a_sentence(grants, aioredis):
    common = dict(username="agent1", cid="c1", daily_budget=3000, day=DAY)
    await grants.grant(idempotency_key="g", request_fingerprint="f1", option=option(), **common)
    await grants.open_approval(
        idempotency_key="o",
        request_fingerprint="f2",
        option=option("full_refund", 2980),
        approver="supervisor",
        reason="需客服主管核准（權限）",
        limits=["authority"],
        username="agent1",
        cid="c1",
    )
    for key in await aioredis.keys("kefu:idem:*"):
        stored = json.loads(await aioredis.get(key))
        assert "status" not in stored and "body" not in stored and "error" not in str(stored)
    for item in await aioredis.lrange("kefu:conv:c1:grants", 0, -1):
        assert set(json.loads(item)) == {
            "conversation_id",
            "option_id",
            "label",
            "cost",
            "granted_by",
            "granted_at",
        }


async def test_a_record_is_read_by_its_attributes_not_as_a_mapping(grants):
    """Its readers (bot/assist/summary.py, closing.py) use attributes; no dict reading."""
    outcome = await grants.grant(
        username="agent1",
        idempotency_key="m",
        request_fingerprint="f",
        cid="c1",
        option=option(),
        daily_budget=3000,
        day=DAY,
    )
    grant = outcome.answer.grant
    assert grant.option_id == "coupon" and grant.cost == 120
    assert grant.approval_id is None and grant.granted_by == "agent1"
    assert not isinstance(grant, Mapping)
    with pytest.raises(TypeError):
        grant["option_id"]  # noqa: B018
