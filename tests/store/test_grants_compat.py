"""Records an earlier version of bot/store/grants.py left in Redis are still read right.

It kept each grant request's answer as ``{"fingerprint", "status": 200 | 403, "body"}``
(an HTTP status and, for 403, a sentence), and pushed a direct grant's whole answer to
the conversation's grants list; an approved grant was pushed as the grant itself. These
are written here byte for byte as that version wrote them."""

from __future__ import annotations

import json

import pytest

from bot.assist import compensation
from bot.assist.compensation import BeyondAuthority, KeyReused
from bot.policy import load_policy
from bot.store import keys
from bot.store.accounts import Account
from bot.store.grant_records import ApprovalOpened, Grant
from bot.store.grants import Grants, fingerprint, today
from tests.conftest import ROOT

DIRECT = {
    "granted": True,
    "conversation_id": "c1",
    "option_id": "coupon",
    "label": "折價券 NT$200",
    "cost": 120,
    "granted_by": "agent1",
    "granted_at": 1763884800.123,
}
APPROVED = {
    "granted": True,
    "conversation_id": "c1",
    "option_id": "full_refund",
    "label": "全額退款",
    "cost": 2980,
    "granted_by": "super1",
    "granted_at": 1763884900.5,
    "approval_id": "a1b2c3",
    "requested_by": "agent1",
}
GRANTED_ANSWER = {"fingerprint": fingerprint("c1", "coupon"), "status": 200, "body": DIRECT}
REFUSED_ANSWER = {
    "fingerprint": fingerprint("c1", "full_refund"),
    "status": 403,
    "body": {
        "error": "超出您的權限，已送出核准申請：需客服主管核准（權限）",
        "approver": "supervisor",
        "reason": "需客服主管核准（權限）",
        "limits": ["authority", "margin"],
        "approval_id": "a1b2c3",
    },
}


def _old(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture()
async def grants(aioredis):
    await aioredis.set(keys.idempotency("agent1", "k-old"), _old(GRANTED_ANSWER))
    await aioredis.set(keys.idempotency("agent1", "r-old"), _old(REFUSED_ANSWER))
    await aioredis.rpush(
        keys.conversation_part("c1", "grants"), _old(GRANTED_ANSWER), _old(APPROVED)
    )
    await aioredis.sadd(keys.conversation_part("c1", "granted"), "coupon", "full_refund")
    return Grants(aioredis)


async def test_an_old_conversations_grants_are_read_as_records(grants):
    direct, approved = await grants.granted("c1")
    assert direct == Grant("c1", "coupon", "折價券 NT$200", 120, "agent1", 1763884800.123)
    assert approved == Grant(
        "c1", "full_refund", "全額退款", 2980, "super1", 1763884900.5, "a1b2c3", "agent1"
    )


async def test_old_idempotent_answers_are_read_without_their_status_or_sentence(grants):
    granted = await grants.stored_answer("agent1", "k-old")
    assert granted.fingerprint == fingerprint("c1", "coupon") and granted.opened is None
    assert granted.grant == (await grants.granted("c1"))[0]
    refused = await grants.stored_answer("agent1", "r-old")
    assert refused.grant is None and refused.opened == ApprovalOpened(
        "a1b2c3", "supervisor", "需客服主管核准（權限）", ("authority", "margin")
    )


async def test_a_retry_under_an_old_key_gets_the_old_answer(grants):
    """A request retried across the upgrade is answered as before, nothing spent again."""
    policy = load_policy(ROOT / "data/policy")
    agent = Account("agent1", "小美", "agent")

    async def retry(option_id, key, cid="c1"):
        return await compensation.request_grant(
            grants=grants,
            policy=policy,
            account=agent,
            cid=cid,
            option={"id": option_id, "label": "x", "cost": 120},
            case={},
            idempotency_key=key,
        )

    assert (await retry("coupon", "k-old")).granted_at == 1763884800.123
    with pytest.raises(BeyondAuthority) as raised:
        await retry("full_refund", "r-old")
    assert raised.value.opened.approval_id == "a1b2c3"
    with pytest.raises(KeyReused):
        await retry("free_shipping", "k-old")
    assert await grants.spent("agent1", today()) == 0
