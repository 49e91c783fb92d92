"""Which remedies fit a case, what they cost, and whether this role may grant them.

:func:`breaches` checks one priced remedy against one role's limits (note 4,
docs/domain.md#note-4): policy (政策), authority (權限: the per-case cap and the share of
the order value), margin (利潤: a share of the order's margin) and budget (預算: what is
left of the role's daily budget). Every broken limit names the first role up the ladder
that may lift it; the option's approver is the highest of those. :func:`rank_options`
prices every remedy that suits the case and returns them in the order the agent should
consider them.
"""

from __future__ import annotations

import math
from typing import List, Optional, Sequence

from bot.policy.model import LIMIT_NAMES, Breach, Case, Option, Policy, Remedy, Role


def _money(amount: float) -> str:
    return f"NT${int(round(amount)):,}"


def _applies(remedy: Remedy, case: Case) -> bool:
    if case.complaint_type not in remedy.suits:
        return False
    needs = remedy.needs
    if "order" in needs and case.order is None:
        return False
    if "delivered" in needs and (case.order is None or case.order.delivered is None):
        return False
    if "amount" in needs and not case.claimed_amount:
        return False
    if "birthday_month" in needs:
        birthday = case.customer.birthday if case.customer else None
        if birthday is None or birthday.month != case.today.month:
            return False
    return True


def _multiplier(remedy: Remedy, case: Case, policy: Policy) -> float:
    if remedy.kind != "loyalty":
        return 1.0
    tier = policy.tiers.get(case.customer.tier if case.customer else "regular")
    return tier.points_multiplier if tier else 1.0


def price(remedy: Remedy, case: Case, policy: Policy) -> int:
    """The cost to the company in NT$, rounded up."""
    cost = float(remedy.fixed)
    if case.order is not None:
        cost += remedy.order_value * case.order.value + remedy.goods_cost * case.order.cost
    if case.claimed_amount:
        cost += remedy.claimed_amount * case.claimed_amount
    return int(math.ceil(cost * _multiplier(remedy, case, policy)))


def _label(remedy: Remedy, case: Case, policy: Policy) -> str:
    if remedy.face_value is None:
        return remedy.label
    value = int(round(remedy.face_value * _multiplier(remedy, case, policy)))
    return remedy.label.replace("{value}", f"{value:,}")


def _first_role_above(role: Role, policy: Policy, fits=lambda candidate: True) -> Role:  # noqa: ANN001 - a small predicate
    above = [candidate for candidate in policy.roles if candidate.rank > role.rank]
    for candidate in above:
        if fits(candidate):
            return candidate
    return above[-1] if above else role


def breaches(
    remedy: Remedy, cost: int, case: Case, role: Role, spent_today: int, policy: Policy
) -> List[Breach]:
    """The limits ``role`` would break by granting ``remedy`` at ``cost`` in this case."""
    broken: List[Breach] = []
    if remedy.approver is not None:
        needed = policy.role(remedy.approver)
        if role.rank < needed.rank:
            reason = remedy.approver_reason or f"依公司政策須由{needed.label}核准"
            broken.append(Breach("policy", needed.name, reason))
    window = policy.refund_window
    order = case.order
    if remedy.id in window.remedies and order is not None and order.delivered is not None:
        days = (case.today - order.delivered).days
        needed = policy.role(window.approver)
        if days > window.days and role.rank < needed.rank:
            broken.append(
                Breach(
                    "policy",
                    needed.name,
                    f"已到貨 {days} 天，超過 {window.days} 天退款期限，依政策須由{needed.label}核准",
                )
            )
    if cost <= 0:
        return broken

    def covers(candidate: Role) -> bool:
        share_ok = order is None or cost <= candidate.order_share_cap * order.value
        return cost <= candidate.per_case_cap and share_ok

    if cost > role.per_case_cap:
        approver = _first_role_above(role, policy, covers)
        broken.append(
            Breach(
                "authority",
                approver.name,
                f"超出您的單筆權限 {_money(role.per_case_cap)}（此方案 {_money(cost)}）",
            )
        )
    elif order is not None and cost > role.order_share_cap * order.value:
        approver = _first_role_above(role, policy, covers)
        cap = role.order_share_cap * order.value
        broken.append(
            Breach(
                "authority",
                approver.name,
                f"超過訂單金額 {role.order_share_cap:.0%} 的權限上限 {_money(cap)}（此方案 {_money(cost)}）",
            )
        )
    if (
        order is not None
        and not role.may_exceed_margin
        and cost > policy.margin_share * max(order.margin, 0)
    ):
        approver = _first_role_above(role, policy, lambda candidate: candidate.may_exceed_margin)
        broken.append(
            Breach(
                "margin",
                approver.name,
                f"超過此筆訂單利潤的 {policy.margin_share:.0%}"
                f"（利潤 {_money(order.margin)}，上限 {_money(policy.margin_share * max(order.margin, 0))}）",
            )
        )
    left = role.daily_budget - spent_today
    if cost > left:
        approver = _first_role_above(role, policy)
        broken.append(
            Breach(
                "budget",
                approver.name,
                budget_reason(left, cost),
            )
        )
    return broken


def budget_reason(left: int, cost: int) -> str:
    """The budget limit in words (also what an approver over their own budget is told)."""
    return f"今日補償預算只剩 {_money(max(left, 0))}，不足 {_money(cost)}"


def approver_for(breaches: Sequence[Breach], policy: Policy) -> Optional[Role]:
    """The role that may lift every broken limit: the highest one any of them needs."""
    if not breaches:
        return None
    return max((policy.role(breach.approver) for breach in breaches), key=lambda r: r.rank)


def explain(breaches: Sequence[Breach], role: Role, spent_today: int, policy: Policy) -> str:
    """One sentence for the agent: may offer it now, or who must approve and why."""
    approver = approver_for(breaches, policy)
    if approver is None:
        left = max(role.daily_budget - spent_today, 0)
        return f"可直接提供：在您的權限內（今日預算剩 {_money(left)}）"
    limits = "、".join(dict.fromkeys(LIMIT_NAMES[breach.limit] for breach in breaches))
    details = "；".join(breach.reason for breach in breaches)
    return f"需{approver.label}核准（{limits}）：{details}。"


def rank_options(case: Case, role: Role, spent_today: int, policy: Policy) -> List[Option]:
    """Every remedy that suits the case, priced and checked for ``role``.

    Order: the catalogue's order (the most proportionate remedy first), except that
    loyalty remedies come first for tiers that prefer them and the supervisor's
    apology call comes first once a conversation has escalated.
    """
    tier = policy.tiers.get(case.customer.tier if case.customer else "regular")
    candidates = [remedy for remedy in policy.remedies if _applies(remedy, case)]

    def key(item):  # noqa: ANN001, ANN202
        position, remedy = item
        boost = 0
        if tier is not None and tier.loyalty_first and remedy.loyalty:
            boost -= 1
        if case.escalated and remedy.kind == "apology":
            boost -= 2
        return (boost, position)

    options = []
    for _, remedy in sorted(enumerate(candidates), key=key):
        cost = price(remedy, case, policy)
        broken = tuple(breaches(remedy, cost, case, role, spent_today, policy))
        approver = approver_for(broken, policy)
        options.append(
            Option(
                id=remedy.id,
                kind=remedy.kind,
                label=_label(remedy, case, policy),
                cost=cost,
                face_value=None
                if remedy.face_value is None
                else int(round(remedy.face_value * _multiplier(remedy, case, policy))),
                breaches=broken,
                approver=approver.name if approver else None,
                reason=explain(broken, role, spent_today, policy),
            )
        )
    return options
