"""Granting compensation and deciding approvals: the policy check, then the atomic spend.

``request_grant`` re-checks the option against the caller's own role and what they have
spent today (the marks the agent saw may be stale, and the role comes from the server's
records), then either spends the budget atomically or opens an approval request.
``decide`` lets a role high enough approve (spending the approver's budget) or deny.
Both return ``(http_status, body)``.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

from bot.assist.turn import case_from_dict
from bot.policy import Policy, approver_for, budget_reason, explain, review
from bot.store.accounts import Account
from bot.store.grants import Grants, fingerprint, today

Answer = Tuple[int, Dict[str, Any]]


_KEY_REUSED = (422, {"error": "這個 idempotency_key 已用於另一個請求，請換一個新的"})


def _stored(answer: Dict[str, Any], request_print: str) -> Answer:
    """The answer kept under an idempotency key, if it was kept for this same request."""
    if answer["fingerprint"] != request_print:
        return _KEY_REUSED
    return answer["status"], answer["body"]


async def request_grant(
    *,
    grants: Grants,
    policy: Policy,
    account: Account,
    cid: str,
    option: Dict[str, Any],
    case: Dict[str, Any],
    idempotency_key: str,
) -> Answer:
    request_print = fingerprint(cid, option["id"])
    stored = await grants.stored_answer(account.username, idempotency_key)
    if stored is not None:
        return _stored(stored, request_print)
    day = today()
    role = policy.role(account.role)
    remedy = policy.remedy(option["id"])
    cost = int(option["cost"])
    facts = case_from_dict(case, day)
    spent = await grants.spent(account.username, day)
    breaches = review(remedy, cost, facts, role, spent, policy)
    if not breaches:
        outcome = await grants.grant(
            username=account.username,
            idempotency_key=idempotency_key,
            request_fingerprint=request_print,
            cid=cid,
            option=option,
            daily_budget=role.daily_budget,
            day=day,
        )
        if outcome.status in ("granted", "replay"):
            return _stored(outcome.answer, request_print)
        if outcome.status == "already":
            return 409, {"error": f"「{option['label']}」已經在這個對話中提供過了"}
        # over budget: others spent it between the check and the spend; check again
        breaches = review(remedy, cost, facts, role, outcome.spent, policy)
    approver = approver_for(breaches, policy)
    reason = explain(breaches, role, spent, policy)
    outcome = await grants.open_approval(
        username=account.username,
        idempotency_key=idempotency_key,
        request_fingerprint=request_print,
        cid=cid,
        option=option,
        approver=approver.name,
        reason=reason,
        limits=list(dict.fromkeys(breach.limit for breach in breaches)),
    )
    return _stored(outcome.answer, request_print)


def may_decide(policy: Policy, account: Account, approval: Dict[str, str]) -> bool:
    return policy.role(account.role).rank >= policy.role(approval["approver"]).rank


async def decide(
    *, grants: Grants, policy: Policy, account: Account, approval: Dict[str, str], decision: str
) -> Answer:
    if not may_decide(policy, account, approval):
        approver = policy.role(approval["approver"])
        return 403, {"error": f"這筆申請需由{approver.label}或更高層級決定"}
    role = policy.role(account.role)
    outcome = await grants.decide(
        approval=approval,
        decision="approve" if decision == "approve" else "deny",
        username=account.username,
        daily_budget=role.daily_budget,
        day=today(),
    )
    if outcome.status == "missing":
        return 404, {"error": "找不到這筆核准申請"}
    if outcome.status == "decided":
        return 409, {
            "error": "這筆申請已經有人決定了",
            "status": (await grants.approval(approval["id"]))["status"],
        }
    if outcome.status == "already":
        return 409, {"error": f"「{approval['label']}」已經在這個對話中提供過了"}
    if outcome.status == "over":
        cost = int(approval["cost"])
        return 409, {"error": budget_reason(role.daily_budget - outcome.spent, cost)}
    return 200, await grants.approval(approval["id"])
