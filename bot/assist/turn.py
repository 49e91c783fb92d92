"""One customer turn's assist payload: analysis, stage, suggestions, compensation, alerts.

:func:`build_assist` is pure: the stage action gathers the facts (tracker slots, the
latest parse, the order and customer profiles, the agent and what they have spent
today) and this function turns them into the payload of DESIGN.md §4.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.assist.analysis import COMPLAINT_TYPES, SENTIMENT_NAMES
from bot.assist.replies import STAGES, Replies
from bot.assist.suggest import Ranker, ReplyContext, Suggestion, details_from, suggest
from bot.policy import Case, Option, Policy, Role, rank_options
from bot.store.profiles import Customer, Order

# stages at which compensation options are worth showing
OPTION_STAGES = frozenset({"assess", "acknowledge", "propose", "refer"})
ANGRY_BELOW = -0.6


@dataclass(frozen=True)
class TurnFacts:
    """What the tracker says about this turn (read by the stage action)."""

    conversation_id: str
    intent: Optional[str]
    confidence: float
    sentiment_label: str
    sentiment_score: float
    escalation_flag: bool
    cues: Tuple[str, ...]
    entities: Tuple[Mapping[str, Any], ...]
    complaint_type: Optional[str]
    sentiment_history: Tuple[float, ...]
    escalated: bool
    order_id: Optional[str]
    product: Optional[str]
    amount: Optional[float]
    date: Optional[str]
    offers_made: Tuple[str, ...]
    suggested: Tuple[str, ...]
    agent: Optional[str] = None
    customer_id: Optional[str] = None
    # the NLU's complaint reading of this message (docs/nlu.md): is_complaint, probability,
    # type, confidence, uncertain, candidates
    complaint: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_tracker(
        cls, sender_id: str, slots: Mapping[str, Any], latest: Mapping[str, Any]
    ) -> "TurnFacts":
        intent = latest.get("intent") or {}
        sentiment = latest.get("sentiment") or {}
        escalation = latest.get("escalation") or {}
        kefu = (latest.get("metadata") or {}).get("kefu") or {}
        amount = slots.get("amount")
        return cls(
            conversation_id=sender_id,
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            sentiment_label=sentiment.get("label", "neutral"),
            sentiment_score=float(sentiment.get("score", 0.0)),
            escalation_flag=bool(escalation.get("flag")),
            cues=tuple(escalation.get("cues") or ()),
            entities=tuple(latest.get("entities") or ()),
            complaint_type=slots.get("complaint_type"),
            sentiment_history=tuple(slots.get("sentiment_history") or ()),
            escalated=bool(slots.get("escalated")),
            order_id=slots.get("order_id"),
            product=slots.get("product"),
            amount=float(amount) if amount not in (None, "") else None,
            date=slots.get("date"),
            offers_made=tuple(slots.get("offers_made") or ()),
            suggested=tuple(slots.get("suggested") or ()),
            agent=kefu.get("agent"),
            customer_id=kefu.get("customer_id"),
            complaint=latest.get("complaint") or {},
        )


@dataclass(frozen=True)
class Staff:
    username: str
    name: str
    role: Role
    spent_today: int


@dataclass(frozen=True)
class Assist:
    payload: Dict[str, Any]
    suggestions: Tuple[Suggestion, ...]
    options: Tuple[Option, ...]
    case: Dict[str, Any] = field(default_factory=dict)


def _tier_label(policy: Policy, tier: str) -> str:
    known = policy.tiers.get(tier)
    return known.label if known else tier


def complaint_reading(reading: Mapping[str, Any]) -> Dict[str, Any]:
    """The NLU's complaint reading as the agent's side gets it, with Chinese labels."""
    candidates = [
        {
            "type": c.get("type"),
            "label": COMPLAINT_TYPES.get(c.get("type"), c.get("type")),
            "confidence": round(float(c.get("confidence") or 0.0), 3),
        }
        for c in reading.get("candidates") or []
    ]
    return {
        "is_complaint": bool(reading.get("is_complaint")),
        "probability": round(float(reading.get("probability") or 0.0), 3),
        "type": reading.get("type"),
        "uncertain": bool(reading.get("uncertain")),
        "candidates": candidates,
    }


def _uncertain_alert(reading: Mapping[str, Any]) -> Optional[Dict[str, str]]:
    """An honest word to the agent when the reading of this message is a guess."""
    if not reading.get("uncertain"):
        return None
    labels = [COMPLAINT_TYPES.get(c.get("type"), "") for c in reading.get("candidates") or []]
    labels = [label for label in labels if label]
    if not reading.get("is_complaint"):
        text = "判讀不確定：這則訊息可能不是客訴，請先以開放式提問確認顧客的需求"
    elif len(labels) >= 2:
        text = f"判讀不確定：可能是「{labels[0]}」或「{labels[1]}」，請先提問確認"
    else:
        text = "判讀不確定：請先提問確認顧客反映的問題"
    return {"kind": "uncertain", "text": text}


def _alerts(
    facts: TurnFacts,
    order: Optional[Order],
    customer: Optional[Customer],
    today: dt.date,
    policy: Policy,
) -> List[Dict[str, str]]:
    alerts: List[Dict[str, str]] = []
    if facts.escalation_flag:
        cues = "、".join(facts.cues) if facts.cues else "語氣"
        alerts.append(
            {"kind": "escalation", "text": f"客訴升級跡象（{cues}）：先安撫，必要時轉主管"}
        )
    uncertain = _uncertain_alert(facts.complaint)
    if uncertain:
        alerts.append(uncertain)
    if facts.sentiment_score <= ANGRY_BELOW:
        alerts.append({"kind": "anger", "text": "顧客情緒激動：先同理、主動聆聽，再談處理方式"})
    history = facts.sentiment_history
    if len(history) >= 2 and history[-1] - history[-2] <= -0.3:
        alerts.append({"kind": "sentiment_drop", "text": "顧客情緒比上一則更差"})
    if facts.order_id and order is None:
        alerts.append(
            {"kind": "order_unknown", "text": f"查無訂單 {facts.order_id}，請與顧客再確認編號"}
        )
    elif not facts.order_id and facts.complaint_type:
        alerts.append({"kind": "order_missing", "text": "尚未取得訂單編號"})
    if customer is not None:
        if customer.tier in ("gold", "vip"):
            alerts.append(
                {"kind": "tier", "text": f"{customer.title}是{_tier_label(policy, customer.tier)}"}
            )
        if customer.birthday and customer.birthday.month == today.month:
            alerts.append({"kind": "birthday", "text": f"{customer.title}本月生日"})
        if customer.past_complaints:
            alerts.append(
                {"kind": "history", "text": f"過去曾反映問題 {customer.past_complaints} 次"}
            )
    return alerts


def _case(
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
    from bot.policy import CustomerFacts, OrderFacts

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


def build_assist(
    facts: TurnFacts,
    stage: str,
    *,
    replies: Replies,
    policy: Policy,
    today: dt.date,
    staff: Optional[Staff] = None,
    order: Optional[Order] = None,
    customer: Optional[Customer] = None,
    rank: Optional[Ranker] = None,
) -> Assist:
    """Everything the agent sees for this turn (``rank``: the learned template order)."""
    product = facts.product or (order.products[0] if order and order.products else None)
    context = ReplyContext(
        stage=stage,
        complaint_type=facts.complaint_type,
        sentiment_label=facts.sentiment_label,
        sentiment_score=facts.sentiment_score,
        has_order=bool(facts.order_id),
        offered=bool(facts.offers_made),
        details=details_from(
            customer=customer.title if customer else None,
            product=product,
            order_id=order.id if order else facts.order_id,
            amount=facts.amount,
            date=facts.date,
            agent=staff.name if staff else None,
        ),
        already_suggested=frozenset(facts.suggested),
    )
    suggestions = tuple(
        suggest(context, replies) if rank is None else suggest(context, replies, rank=rank)
    )
    case = _case(facts, order, customer, today)
    options: Sequence[Option] = ()
    if staff is not None and facts.complaint_type and stage in OPTION_STAGES:
        options = rank_options(case, staff.role, staff.spent_today, policy)
    complaint = facts.complaint_type
    payload = {
        "conversation_id": facts.conversation_id,
        "analysis": {
            "intent": {"name": facts.intent, "confidence": round(facts.confidence, 3)},
            "sentiment": {"label": facts.sentiment_label, "score": round(facts.sentiment_score, 3)},
            "escalation": {"flag": facts.escalation_flag, "cues": list(facts.cues)},
            "entities": [
                {"entity": e.get("entity"), "value": e.get("value")} for e in facts.entities
            ],
            "complaint_type": complaint,
            "complaint_label": COMPLAINT_TYPES.get(complaint) if complaint else None,
            "sentiment_label": SENTIMENT_NAMES.get(facts.sentiment_label, "中性"),
            "sentiment_trend": list(facts.sentiment_history),
            "escalated": facts.escalated,
            "complaint": complaint_reading(facts.complaint),
        },
        "stage": stage,
        "stage_label": STAGES[stage],
        "suggestions": [s.as_dict() for s in suggestions],
        "compensation": [o.as_dict() for o in options],
        "alerts": _alerts(facts, order, customer, today, policy),
        "context": {
            "customer": None
            if customer is None
            else {"title": customer.title, "tier": _tier_label(policy, customer.tier)},
            "order": None
            if order is None
            else {
                "id": order.id,
                "value": order.value,
                "status": order.status,
                "products": list(order.products),
                "date": order.date.isoformat(),
            },
            "agent": staff.username if staff else None,
            "role": staff.role.name if staff else None,
        },
    }
    return Assist(payload, suggestions, tuple(options), case_to_dict(case))
