"""The alerts of one turn: what the agent should notice before replying."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from bot.assist.facts import TurnFacts
from bot.assist.summary import past_alert
from bot.labels import COMPLAINT_TYPES
from bot.policy import Policy
from bot.store.profiles import Customer, Order

ANGRY_BELOW = -0.6


def tier_label(policy: Policy, tier: str) -> str:
    known = policy.tiers.get(tier)
    return known.label if known else tier


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


def alerts(
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
    mismatch = _product_mismatch(facts.product, order)
    if mismatch:
        alerts.append(mismatch)
    if customer is not None:
        if customer.tier in ("gold", "vip"):
            alerts.append(
                {"kind": "tier", "text": f"{customer.title}是{tier_label(policy, customer.tier)}"}
            )
        if customer.birthday and customer.birthday.month == today.month:
            alerts.append({"kind": "birthday", "text": f"{customer.title}本月生日"})
        if customer.past_complaints:
            alerts.append(
                {"kind": "history", "text": f"過去曾反映問題 {customer.past_complaints} 次"}
            )
        past = past_alert(customer.past_summaries, facts.conversation_id)
        if past:
            alerts.append(past)
    return alerts


def _product_mismatch(named: Optional[str], order: Optional[Order]) -> Optional[Dict[str, str]]:
    """The customer names a product the order does not have: the number may be wrong."""
    if not named or order is None or not order.products:
        return None
    if any(named in product or product in named for product in order.products):
        return None
    return {
        "kind": "product_mismatch",
        "text": f"顧客提到「{named}」，但訂單 {order.id} 的品項是「{'、'.join(order.products)}」："
        "請先確認是不是同一筆訂單",
    }
