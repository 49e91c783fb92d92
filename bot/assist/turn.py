"""One customer turn's assist payload: analysis, stage, suggestions, compensation, alerts.

:func:`build_assist` is pure: the turn action gathers the facts (:class:`TurnFacts`: the
tracker's slots, the latest parse; the order and customer profiles; the agent as
:class:`Staff`, with what they have spent today) and this function turns them into the
payload of docs/design.md#the-assist-payload. Its parts live beside it: the analysis
(:mod:`bot.assist.analysis`), the alerts (:mod:`bot.assist.alerts`), what the suggestions
may presume (:mod:`bot.assist.presumptions`) and the policy's case
(:mod:`bot.assist.case`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple

from bot.assist.alerts import alerts, tier_label
from bot.assist.analysis import analysis_payload
from bot.assist.case import case_of, case_to_dict
from bot.assist.emotion import EMOTIONS, conversation_emotion
from bot.assist.facts import Staff, TurnFacts
from bot.assist.grounding import Grounding, ground
from bot.assist.next_step import choose as choose_next_step
from bot.assist.presumptions import holds, suggestion_basis, type_reading
from bot.assist.question import read_question
from bot.assist.replies import Replies
from bot.assist.suggest import Ranker, ReplyContext, Suggestion, details_from, suggest
from bot.knowledge import KnowledgeIndex
from bot.labels import STAGES
from bot.policy import Option, Policy, rank_options
from bot.store.profiles import Customer, Order

# the turn's facts and the stored case are read from here by the turn action, the
# compensation check and the benches
__all__ = ["Assist", "Staff", "TurnFacts", "build_assist"]

# stages at which compensation options are worth showing
OPTION_STAGES = frozenset({"assess", "acknowledge", "propose", "refer"})


@dataclass(frozen=True)
class Assist:
    """The payload of one turn, and what the turn action keeps of it (slots, the case)."""

    payload: Dict[str, Any]
    suggestions: Tuple[Suggestion, ...]
    options: Tuple[Option, ...]
    case: Dict[str, Any] = field(default_factory=dict)
    said: Grounding = field(default_factory=Grounding)


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
    business: Optional[str] = None,
    knowledge: Optional[KnowledgeIndex] = None,
) -> Assist:
    """Everything the agent sees for this turn (``rank``: the learned template order;
    ``business``: the kind of business, KEFU_BUSINESS, for the wording; ``knowledge``:
    the articles, ranked for the customer's latest message)."""
    case = case_of(facts, order, customer, today)
    options: Sequence[Option] = ()
    if staff is not None and facts.complaint_type and stage in OPTION_STAGES:
        options = rank_options(case, staff.role, staff.spent_today, policy)
    said: Grounding = ground(facts.texts)
    emotion = conversation_emotion(
        (text, float((parse.get("sentiment") or {}).get("score") or 0.0))
        for text, parse in facts.messages
    )
    question = read_question(facts.messages[-1][0]) if facts.messages else None
    reply_type, basis = suggestion_basis(
        facts.complaint_type, type_reading(facts), facts.texts, facts.amount
    )
    details = _details(facts, replies, business, staff, order, customer, options, said, emotion)
    context = ReplyContext(
        stage=stage,
        complaint_type=reply_type,
        sentiment_label=facts.sentiment_label,
        sentiment_score=facts.sentiment_score,
        has_order=bool(facts.order_id),
        offered=bool(facts.offers_made),
        details=details,
        already_suggested=frozenset(facts.suggested),
        holds=holds(facts, stage),
        emotion=emotion,
        question=question,
    )
    suggestions = tuple(
        suggest(context, replies) if rank is None else suggest(context, replies, rank=rank)
    )
    payload = {
        "conversation_id": facts.conversation_id,
        "analysis": analysis_payload(facts, said, emotion, question),
        "stage": stage,
        "stage_label": STAGES[stage],
        "suggestions": [s.as_dict() for s in suggestions],
        # confident | message | uncertain | none (suggestion_basis): with "uncertain" the
        # suggestions are open and type-neutral, and the agent is told so by an alert
        "suggestions_basis": basis,
        "compensation": [o.as_dict() for o in options],
        "alerts": alerts(facts, order, customer, today, policy),
        "context": _context(policy, staff, order, customer),
    }
    # the policy articles that fit the customer's latest message (docs/knowledge.md)
    latest = facts.messages[-1][0] if facts.messages else ""
    payload["knowledge"] = knowledge.search(latest) if knowledge is not None else []
    return Assist(payload, suggestions, tuple(options), case_to_dict(case), said)


def _details(
    facts: TurnFacts,
    replies: Replies,
    business: Optional[str],
    staff: Optional[Staff],
    order: Optional[Order],
    customer: Optional[Customer],
    options: Sequence[Option],
    said: Grounding,
    emotion: Optional[str],
) -> Dict[str, str]:
    """The words the templates' placeholders are filled with (bot/assist/suggest.py)."""
    product = facts.product or (order.products[0] if order and order.products else None)
    details = details_from(
        customer=customer.title if customer else None,
        product=product,
        order_id=order.id if order else facts.order_id,
        amount=facts.amount,
        date=facts.date,
        agent=staff.name if staff else None,
    )
    details.update(replies.words(business, "\n".join(facts.texts)))
    details.update(said.details())
    if emotion:
        details["feeling"] = EMOTIONS[emotion]
    within = [o.label for o in options if o.within_authority]
    if within:
        details["options"] = "或".join(within[:2])
    step = choose_next_step(replies.next_steps, facts.texts, facts.complaint_type, business)
    if step is not None:
        details["remedy"] = step.text
        # a small inconvenience: a coupon the agent may grant, after the step, as a gesture
        coupon = next((o for o in options if o.within_authority and o.kind == "voucher"), None)
        if step.gesture and coupon is not None:
            details["gesture"] = f"另外，這次造成您的不便，我可以先提供{coupon.label}表示歉意"
    return details


def _context(
    policy: Policy, staff: Optional[Staff], order: Optional[Order], customer: Optional[Customer]
) -> Dict[str, Any]:
    """Who the customer, the order and the agent are, as the console shows them."""
    return {
        "customer": None
        if customer is None
        else {"title": customer.title, "tier": tier_label(policy, customer.tier)},
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
    }
