"""The compensation policy: a table of cases per limit, against the real data/policy files."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.policy import Case, CustomerFacts, OrderFacts, breaches, load_policy, rank_options
from bot.policy.engine import price
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def policy():
    return load_policy(ROOT / "data/policy")


def order(value=2980, cost=1850, delivered=dt.date(2026, 11, 10)):
    return OrderFacts("KF20261102001", value, cost, value - cost, delivered)


def case(kind="complaint_defect", **kwargs):
    kwargs.setdefault("order", order())
    return Case(kind, TODAY, **kwargs)


def options_by_id(case_, policy, role="agent", spent=0):
    return {o.id: o for o in rank_options(case_, policy.role(role), spent, policy)}


# (remedy, role, case, spent today, expected limits broken, expected approver)
LIMIT_TABLE = [
    # authority: per-case cap (agent 500, senior 2,000)
    ("replacement", "agent", case(order=order(10000, 700)), 0, {"authority"}, "senior_agent"),
    ("replacement", "agent", case(order=order(10000, 2500)), 0, {"authority"}, "supervisor"),
    ("partial_refund", "agent", case(order=order(4000, 500)), 0, {"authority"}, "senior_agent"),
    ("partial_refund", "senior_agent", case(order=order(4000, 500)), 0, set(), None),
    # authority: share of the order value (agent 30 %): a NT$150 redelivery on a NT$400 order
    ("express_redelivery", "agent", case(order=order(400, 100)), 0, {"authority"}, "senior_agent"),
    ("express_redelivery", "agent", case(order=order(600, 100)), 0, set(), None),
    # margin: more than half the margin needs a role that may exceed it
    ("express_redelivery", "agent", case(order=order(600, 400)), 0, {"margin"}, "supervisor"),
    ("express_redelivery", "supervisor", case(order=order(600, 400)), 0, set(), None),
    # budget: agent's daily budget is 3,000
    ("coupon", "agent", case(), 2900, {"budget"}, "senior_agent"),
    ("coupon", "agent", case(), 2880, set(), None),
    # policy: the supervisor's apology call, whatever the cost
    ("supervisor_call", "senior_agent", case("complaint_escalation"), 0, {"policy"}, "supervisor"),
    ("supervisor_call", "supervisor", case("complaint_escalation"), 0, set(), None),
    # policy: a refund more than 30 days after delivery
    (
        "partial_refund",
        "senior_agent",
        case(order=order(3000, 1000, delivered=dt.date(2026, 9, 1))),
        0,
        {"policy"},
        "supervisor",
    ),
    # several at once: the approver is the highest one needed
    (
        "full_refund",
        "agent",
        case(order=order(2980, 2500)),
        2900,
        {"authority", "margin", "budget"},
        "supervisor",
    ),
]


@pytest.mark.parametrize("remedy_id, role, case_, spent, limits, approver", LIMIT_TABLE)
def test_each_limit_is_checked_and_names_the_approver(
    policy, remedy_id, role, case_, spent, limits, approver
):
    option = options_by_id(case_, policy, role, spent)[remedy_id]
    assert set(option.limits) == limits
    assert option.within_authority is (not limits)
    assert option.approver == approver
    if limits:
        assert option.reason.startswith(f"需{policy.role(approver).label}核准")
        for limit in limits:
            assert {"authority": "權限", "budget": "預算", "margin": "利潤", "policy": "政策"}[
                limit
            ] in option.reason
    else:
        assert option.reason.startswith("可直接提供")


def test_same_case_marks_differ_by_role(policy):
    agent = options_by_id(case(), policy, "agent")
    supervisor = options_by_id(case(), policy, "supervisor")
    assert set(agent) == set(supervisor)
    assert not agent["full_refund"].within_authority and supervisor["full_refund"].within_authority
    assert agent["coupon"].within_authority and supervisor["coupon"].within_authority


def test_only_remedies_that_suit_the_complaint_and_the_facts_are_listed(policy):
    price_error = options_by_id(case("complaint_price_error", claimed_amount=300), policy)
    assert "price_difference" in price_error and price_error["price_difference"].cost == 300
    assert "replacement" not in price_error  # does not suit a price error
    assert "price_difference" not in options_by_id(
        case("complaint_price_error"), policy
    )  # no amount
    no_order = options_by_id(case(order=None), policy)
    assert not {"full_refund", "partial_refund", "replacement"} & set(no_order)
    undelivered = options_by_id(case(order=order(delivered=None)), policy)
    assert "replacement" not in undelivered


def test_birthday_gift_only_in_the_birthday_month(policy):
    november = CustomerFacts("regular", dt.date(1990, 11, 30))
    march = CustomerFacts("regular", dt.date(1990, 3, 1))
    assert "birthday_gift" in options_by_id(case(customer=november), policy)
    assert "birthday_gift" not in options_by_id(case(customer=march), policy)


def test_tiers_scale_points_and_put_loyalty_first(policy):
    regular = rank_options(case(customer=CustomerFacts("regular")), policy.role("agent"), 0, policy)
    vip = rank_options(case(customer=CustomerFacts("vip")), policy.role("agent"), 0, policy)
    points = {o.id: o for o in vip}["loyalty_points"]
    assert points.face_value == 1500 and "1,500" in points.label and points.cost == 150
    assert regular[0].id == "replacement"
    assert vip[0].id in {"coupon", "loyalty_points"}


def test_escalation_puts_the_supervisor_call_first(policy):
    ranked = rank_options(
        case("complaint_escalation", escalated=True), policy.role("agent"), 0, policy
    )
    assert ranked[0].id == "supervisor_call"


def test_costs_are_computed_from_the_order(policy):
    c = case(order=order(2980, 1850))
    assert price(policy.remedy("full_refund"), c, policy) == 2980
    assert price(policy.remedy("partial_refund"), c, policy) == 596
    assert price(policy.remedy("replacement"), c, policy) == 1850 + 120


def test_review_with_nothing_to_break_is_empty(policy):
    assert (
        breaches(policy.remedy("free_shipping"), 80, case(), policy.role("agent"), 0, policy) == []
    )


def test_no_complaint_type_no_options(policy):
    assert rank_options(case(None), policy.role("agent"), 0, policy) == []
