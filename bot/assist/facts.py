"""What the turn action knows when it builds the assist payload: the turn and the agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Tuple

from bot.assist.escalation import escalated, escalating
from bot.assist.grounding import customer_messages
from bot.policy import Role


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
        """From the tracker's slots, its latest parse and its events (with no slots and no
        events: what one parse alone says)."""
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
            escalation_flag=escalating(latest),
            cues=tuple(escalation.get("cues") or ()),
            entities=tuple(latest.get("entities") or ()),
            complaint_type=slots.get("complaint_type"),
            sentiment_history=tuple(slots.get("sentiment_history") or ()),
            escalated=escalated(slots, latest),
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
    """The agent the suggestions are for: their authority and what they spent today."""

    username: str
    name: str
    role: Role
    spent_today: int
