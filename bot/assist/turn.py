"""One customer turn's assist payload: analysis, stage, suggestions, compensation, alerts.

:func:`build_assist` is pure: the turn action gathers the facts (tracker slots, the
latest parse, the order and customer profiles, the agent and what they have spent
today) and this function turns them into the payload of DESIGN.md §4.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.assist.analysis import COMPLAINT_TYPES, SENTIMENT_NAMES
from bot.assist.emotion import EMOTIONS, conversation_emotion
from bot.assist.grounding import Grounding, customer_messages, ground
from bot.assist.next_step import choose as choose_next_step
from bot.assist.question import QUESTIONS, read_question
from bot.assist.replies import STAGES, Replies
from bot.assist.suggest import Ranker, ReplyContext, Suggestion, details_from, suggest
from bot.assist.summary import past_alert
from bot.knowledge import KnowledgeIndex
from bot.policy import Case, Option, Policy, Role, rank_options
from bot.store.profiles import Customer, Order

# stages at which compensation options are worth showing
OPTION_STAGES = frozenset({"assess", "acknowledge", "propose", "refer"})
ANGRY_BELOW = -0.6


@dataclass(frozen=True)
class TurnFacts:
    """What the tracker says about this turn (read by the turn action)."""

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
    # the customer's messages of this conversation that a turn reads, oldest first:
    # (text, parse data), the window of bot/assist/grounding.py's message_window
    messages: Tuple[Tuple[str, Mapping[str, Any]], ...] = ()
    approved: bool = False  # a supervisor approved something in this conversation

    @property
    def texts(self) -> Tuple[str, ...]:
        return tuple(text for text, _ in self.messages)

    @classmethod
    def from_tracker(
        cls,
        sender_id: str,
        slots: Mapping[str, Any],
        latest: Mapping[str, Any],
        events: Sequence[Mapping[str, Any]] = (),
    ) -> "TurnFacts":
        intent = latest.get("intent") or {}
        sentiment = latest.get("sentiment") or {}
        escalation = latest.get("escalation") or {}
        kefu = (latest.get("metadata") or {}).get("kefu") or {}
        amount = slots.get("amount")
        messages = customer_messages(events)
        if not messages and latest.get("text"):
            messages = ((latest["text"], latest),)
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
            messages=messages,
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
    said: Grounding = field(default_factory=Grounding)


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
    mismatch = _product_mismatch(facts.product, order)
    if mismatch:
        alerts.append(mismatch)
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


_MONEY = re.compile(
    r"\d\s*(?:元|塊|块)|NT\$|\$\s?\d|多收|多扣|重複扣|扣款|收費|價格|價錢|标价|標價|報價|原價|"
    "折扣|優惠|帳單|費用|退費|差價|金額"
)
_BOOKING_CONDITION = re.compile(
    "備註|指定|特別(?:交代|要求|註明)|事先.{0,4}(?:說|講|要求)|訂房時|訂位時|下單時|預約時|"
    "禮物包裝|靠窗|無菸|加床|嬰兒床|不要(?:香菜|辣|蔥|蒜|冰)|素食|過敏|勾選"
)
# a history of reporting it: a repeated fault (又壞, 第三次送修) is not a report left unhandled
_HISTORY = re.compile(
    "之前(?:有)?反映|上次(?:反映|打|問|聯絡|來電)|再次(?:反映|詢問|聯絡|打)|"
    "第[二三四五六七八九十2-9]次(?:打|來電|反映|聯絡|詢問|問)|"
    "(?:反映|報修|打|問|聯絡|申訴)了?[二三四五六七八九十2-9好幾]次|反映過|打過|問過|講過|"
    "已經(?:打|問|反映|申訴|聯絡|報修)|一直沒(?:人)?(?:回|處理)|每次(?:打|問|來電|反映|聯絡)|"
    "三番兩次"
)
# the customer says they will take it further (the escalation templates presume it)
_THREATENED = re.compile(
    "消基會|消保|消協|律師|申訴|投訴|評論|PTT|Dcard|臉書|小紅書|發文|爆料|提告|起訴|法院|媒體|"
    "記者|電視台|議員|立委|金管會|熱線|住建局|12315"
)
# the customer asks for more than the fix: compensation, a free order, money back
_ASKED_MORE = re.compile(
    "免單|免費|全免|賠償|補償|全額|精神損失|違約金|退.{0,6}(?:錢|款|費|租)|錢.{0,8}(?:回到|退回)|"
    "餐券|折抵"
)
# the customer says what they were told was unclear or contradictory
_TOLD_UNCLEAR = re.compile(
    "說不清楚|說不出|講不清楚|沒說清楚|沒講清楚|說法|不一樣|不一致|前後矛盾|一下說|又說|"
    "有沒有人知道|沒人知道|問不到"
)
_REFUND = re.compile("退款|退費|退錢|退貨|全額退|退掉|可以退|能退")
_SUPERVISOR = re.compile("主管|經理|負責人|店長|院長|老闆|上級")


def suggestion_basis(
    complaint_type: Optional[str],
    reading: Mapping[str, Any],
    texts: Sequence[str],
    amount: Optional[float] = None,
) -> Tuple[Optional[str], str]:
    """The complaint type the suggestions may assume, and why.

    ``confident``: the reading's type; ``message``: an uncertain reading, but the
    message itself says money (price) or names a booking condition (special request);
    ``uncertain``: open, type-neutral replies only; ``none``: no complaint read yet.
    """
    if not complaint_type:
        return None, "none"
    if not reading.get("uncertain"):
        return complaint_type, "confident"
    said = "\n".join(texts)
    if amount or _MONEY.search(said):
        return "complaint_price_error", "message"
    if _BOOKING_CONDITION.search(said):
        return "complaint_special_request", "message"
    return None, "uncertain"


def _type_reading(facts: TurnFacts) -> Mapping[str, Any]:
    """The complaint reading of the message that set the complaint type."""
    for _, parse in reversed(facts.messages):
        if ((parse.get("intent") or {}).get("name")) in COMPLAINT_TYPES and parse.get("complaint"):
            return parse["complaint"]
    return facts.complaint


def _traditional(text: str) -> str:
    try:
        from bot.nlu.script import to_traditional
    except ImportError:  # pragma: no cover - the NLU package is always installed here
        return text
    return to_traditional(text)


def holds(facts: TurnFacts, stage: str) -> frozenset:
    """The presumptions (data/replies PRESUMPTIONS) this conversation supports."""
    said = _traditional("\n".join(facts.texts))
    found = set()
    if facts.offers_made:
        found.add("offer_made")
    if facts.approved:
        found.add("supervisor_approved")
    if _HISTORY.search(said) or stage == "follow_up":  # asking for progress: it was reported
        found.add("history")
    if _REFUND.search(said):
        found.add("asked_refund")
    if _SUPERVISOR.search(said):
        found.add("asked_supervisor")
    if _THREATENED.search(said):
        found.add("threatened")
    if _ASKED_MORE.search(said):
        found.add("asked_more")
    if _TOLD_UNCLEAR.search(said):
        found.add("told_unclear")
    if stage == "refer" or facts.escalated:
        found.add("referred")
    return frozenset(found)


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
    business: Optional[str] = None,
    knowledge: Optional[KnowledgeIndex] = None,
) -> Assist:
    """Everything the agent sees for this turn (``rank``: the learned template order;
    ``business``: the kind of business, KEFU_BUSINESS, for the wording; ``knowledge``:
    the articles, ranked for the customer's latest message)."""
    product = facts.product or (order.products[0] if order and order.products else None)
    case = _case(facts, order, customer, today)
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
        facts.complaint_type, _type_reading(facts), facts.texts, facts.amount
    )
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
            "emotion": emotion,
            "question": question,
            "question_label": QUESTIONS.get(question) if question else None,
            # what the customer said, in the agent's words, with the message it is from
            "customer_said": {
                name: value.as_slot()
                for name, value in (
                    ("problem", said.problem),
                    ("impact", said.impact),
                    ("request", said.request),
                )
                if value is not None
            },
        },
        "stage": stage,
        "stage_label": STAGES[stage],
        "suggestions": [s.as_dict() for s in suggestions],
        # confident | message | uncertain | none (suggestion_basis): with "uncertain" the
        # suggestions are open and type-neutral, and the agent is told so by an alert
        "suggestions_basis": basis,
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
    # the policy articles that fit the customer's latest message (docs/knowledge.md)
    latest = facts.messages[-1][0] if facts.messages else ""
    payload["knowledge"] = knowledge.search(latest) if knowledge is not None else []
    return Assist(payload, suggestions, tuple(options), case_to_dict(case), said)
