"""The case the compensation policy decides on, and its stored form (kept with the
conversation, so a later grant is checked on the same facts)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Mapping, Optional

from bot.assist.facts import TurnFacts
from bot.policy import Case, CustomerFacts, OrderFacts
from bot.store.profiles import Customer, Order


def case_of(
    facts: TurnFacts, order: Optional[Order], customer: Optional[Customer], today: dt.date
) -> Case:
    return Case(
        complaint_type=facts.complaint_type,
        today=today,
        order=order.facts() if order else None,
        customer=customer.facts() if customer else None,
        claimed_amount=int(facts.amount) if facts.amount else None,
        escalated=facts.escalated,
    )


def case_to_dict(case: Case) -> Dict[str, Any]:
    """The case as stored with the conversation, so a later grant is checked on it."""
    order = case.order
    customer = case.customer
    return {
        "complaint_type": case.complaint_type,
        "claimed_amount": case.claimed_amount,
        "escalated": case.escalated,
        "order": None
        if order is None
        else {
            "order_id": order.order_id,
            "value": order.value,
            "cost": order.cost,
            "margin": order.margin,
            "delivered": order.delivered.isoformat() if order.delivered else None,
        },
        "customer": None
        if customer is None
        else {
            "tier": customer.tier,
            "birthday": customer.birthday.isoformat() if customer.birthday else None,
        },
    }


def case_from_dict(data: Mapping[str, Any], today: dt.date) -> Case:
    order = data.get("order")
    customer = data.get("customer")
    return Case(
        complaint_type=data.get("complaint_type"),
        today=today,
        order=None
        if not order
        else OrderFacts(
            order["order_id"],
            int(order["value"]),
            int(order["cost"]),
            int(order["margin"]),
            dt.date.fromisoformat(order["delivered"]) if order.get("delivered") else None,
        ),
        customer=None
        if not customer
        else CustomerFacts(
            customer["tier"],
            dt.date.fromisoformat(customer["birthday"]) if customer.get("birthday") else None,
        ),
        claimed_amount=data.get("claimed_amount"),
        escalated=bool(data.get("escalated")),
    )
