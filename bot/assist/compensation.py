"""Granting compensation and deciding approvals: the policy check, then the atomic spend.

``request_grant`` re-checks the option against the caller's own role and what they have
spent today (the marks the agent saw may be stale, and the role comes from the server's
records), then either spends the budget atomically (a :class:`~bot.store.grants.Grant`)
or opens an approval request (:class:`BeyondAuthority`). ``decide`` lets a role high
enough approve (spending the approver's budget) or deny; it returns the decided
:class:`~bot.store.grants.Approval`.

Every refusal is a named exception; the channel says it to people
(bot/channels/rest/refusals.py)::

    CompensationRefused
    ├── KeyReused            the idempotency key was used for another request
    ├── AlreadyGranted       the option was already granted in this conversation
    ├── BeyondAuthority      beyond the caller's authority: an approval request is open
    ├── NotYours             the approval needs a higher role than the caller's
    ├── ApprovalNotFound     no such approval request
    ├── AlreadyDecided       someone decided the approval first
    └── OverBudget           the approver's own budget for today would be overspent
"""

from __future__ import annotations

from typing import Any, Dict

from bot.assist.case import case_from_dict
from bot.policy import Policy, approver_for, breaches, explain
from bot.store.accounts import Account
from bot.store.grant_records import Answer, Approval, ApprovalOpened, Grant
from bot.store.grants import Grants, fingerprint, today


class CompensationRefused(Exception):
    """A grant or a decision that did not happen (nothing was spent)."""


class KeyReused(CompensationRefused):
    """The idempotency key already answered another request (another conversation or
    option); a retry must reuse its key only for the very same request."""


class AlreadyGranted(CompensationRefused):
    """The option was already granted in this conversation (under another key)."""

    def __init__(self, label: str) -> None:
        super().__init__(f"{label!r} already granted")
        self.label = label


class BeyondAuthority(CompensationRefused):
    """Beyond the caller's authority or budget: an approval request was opened (or had
    been, for a retry with the same key)."""

    def __init__(self, opened: ApprovalOpened) -> None:
        super().__init__(f"approval {opened.approval_id} for {opened.approver}: {opened.reason}")
        self.opened = opened


class NotYours(CompensationRefused):
    """The approval is for a higher role than the caller's (``approver_label`` names it)."""

    def __init__(self, approver: str, approver_label: str) -> None:
        super().__init__(f"needs {approver} or higher")
        self.approver = approver
        self.approver_label = approver_label


class ApprovalNotFound(CompensationRefused):
    """No approval request with this id."""


class AlreadyDecided(CompensationRefused):
    """Someone decided the approval first; ``status`` says how."""

    def __init__(self, status: str) -> None:
        super().__init__(f"already {status}")
        self.status = status


class OverBudget(CompensationRefused):
    """Approving would take the approver past their own budget for today."""

    def __init__(self, left: int, cost: int) -> None:
        super().__init__(f"{left} left, {cost} needed")
        self.left = left
        self.cost = cost


def _answered(answer: Answer, request_print: str) -> Grant:
    """The answer kept under an idempotency key, if it was kept for this same request."""
    if answer.fingerprint != request_print:
        raise KeyReused()
    if answer.opened is not None:
        raise BeyondAuthority(answer.opened)
    assert answer.grant is not None
    return answer.grant


async def request_grant(
    *,
    grants: Grants,
    policy: Policy,
    account: Account,
    cid: str,
    option: Dict[str, Any],
    case: Dict[str, Any],
    idempotency_key: str,
) -> Grant:
    """Grant ``option`` in conversation ``cid``, once per ``idempotency_key``.

    Raises KeyReused, AlreadyGranted or BeyondAuthority (the approval request opened).
    """
    request_print = fingerprint(cid, option["id"])
    stored = await grants.stored_answer(account.username, idempotency_key)
    if stored is not None:
        return _answered(stored, request_print)
    day = today()
    role = policy.role(account.role)
    remedy = policy.remedy(option["id"])
    cost = int(option["cost"])
    facts = case_from_dict(case, day)
    spent = await grants.spent(account.username, day)
    broken = breaches(remedy, cost, facts, role, spent, policy)
    if not broken:
        outcome = await grants.grant(
            username=account.username,
            idempotency_key=idempotency_key,
            request_fingerprint=request_print,
            cid=cid,
            option=option,
            daily_budget=role.daily_budget,
            day=day,
        )
        if outcome.answer is not None:  # granted, or a concurrent retry's answer
            return _answered(outcome.answer, request_print)
        if outcome.status == "already":
            raise AlreadyGranted(option["label"])
        # over budget: others spent it between the check and the spend; check again
        broken = breaches(remedy, cost, facts, role, outcome.spent, policy)
    approver = approver_for(broken, policy)
    reason = explain(broken, role, spent, policy)
    outcome = await grants.open_approval(
        username=account.username,
        idempotency_key=idempotency_key,
        request_fingerprint=request_print,
        cid=cid,
        option=option,
        approver=approver.name,
        reason=reason,
        limits=list(dict.fromkeys(breach.limit for breach in broken)),
    )
    assert outcome.answer is not None
    return _answered(outcome.answer, request_print)


def may_decide(policy: Policy, account: Account, approval: Approval) -> bool:
    return policy.role(account.role).rank >= policy.role(approval.approver).rank


async def decide(
    *, grants: Grants, policy: Policy, account: Account, approval: Approval, decision: str
) -> Approval:
    """Approve (``decision="approve"``) or deny; the approval as decided.

    Raises NotYours, ApprovalNotFound, AlreadyDecided, AlreadyGranted or OverBudget.
    """
    if not may_decide(policy, account, approval):
        approver = policy.role(approval.approver)
        raise NotYours(approver.name, approver.label)
    role = policy.role(account.role)
    outcome = await grants.decide(
        approval=approval,
        decision="approve" if decision == "approve" else "deny",
        username=account.username,
        daily_budget=role.daily_budget,
        day=today(),
    )
    if outcome.status == "decided":
        raise AlreadyDecided(outcome.decided or "")
    if outcome.status == "already":
        raise AlreadyGranted(approval.label)
    if outcome.status == "over":
        raise OverBudget(role.daily_budget - outcome.spent, approval.cost)
    decided = await grants.approval(approval.id)
    if outcome.status == "missing" or decided is None:
        raise ApprovalNotFound(approval.id)
    return decided
