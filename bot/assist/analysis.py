"""What the agent is told about one customer message: pure functions over the parse.

:func:`analyse` takes Rasa's parse data of the latest customer message (docs/design.md#parse-output)
and the conversation's sentiment history, and returns an :class:`Analysis`: the
complaint type, the updated sentiment history, whether the conversation has escalated
and a one-line summary in Traditional Chinese for the agent (the turn action's slots).

:func:`analysis_payload` is the ``analysis`` part of the assist payload, the one place it
is built: by the turn (:mod:`bot.assist.turn`) and, when no turn action answered, from
the parse alone (:mod:`bot.channels.pipeline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.assist.escalation import escalated as has_escalated
from bot.assist.escalation import escalating
from bot.assist.question import QUESTIONS
from bot.labels import COMPLAINT_TYPES, SENTIMENT_NAMES

if TYPE_CHECKING:  # bot.policy reads this module's complaint types: no import cycle
    from bot.assist.facts import TurnFacts
    from bot.assist.grounding import Grounding

HISTORY_LENGTH = 20


@dataclass(frozen=True)
class Analysis:
    """The analysis of one message, ready to become slots and an agent-side message."""

    complaint_type: str | None
    sentiment_history: Tuple[float, ...]
    escalated: bool  # at any point in the conversation
    escalating: bool  # on this message
    summary: str


def _trend(history: Sequence[float]) -> str:
    if len(history) < 2:
        return ""
    delta = history[-1] - history[-2]
    if delta <= -0.2:
        return "（情緒轉差）"
    if delta >= 0.2:
        return "（情緒好轉）"
    return ""


def analyse(
    parse: Mapping[str, Any],
    history: Sequence[float] = (),
    complaint_type: str | None = None,
    escalated: bool = False,
) -> Analysis:
    """Analyse one parsed message in the context of the conversation so far.

    The complaint type is the latest complaint intent (other intents keep the previous
    one); escalation, once flagged, stays flagged for the conversation.
    """
    intent = (parse.get("intent") or {}).get("name")
    if intent in COMPLAINT_TYPES:
        complaint_type = intent
    sentiment = parse.get("sentiment") or {}
    score = float(sentiment.get("score", 0.0))
    new_history = (tuple(history) + (round(score, 3),))[-HISTORY_LENGTH:]
    flagged = escalating(parse)
    parts: List[str] = []
    if complaint_type:
        parts.append(f"客訴類型：{COMPLAINT_TYPES[complaint_type]}")
    label = SENTIMENT_NAMES.get(sentiment.get("label", "neutral"), "中性")
    parts.append(f"情緒：{label}（{score:+.2f}）{_trend(new_history)}")
    if flagged:
        parts.append("⚠ 有客訴升級跡象")
    so_far = has_escalated(parse, {"escalated": escalated})  # once escalated, it stays
    return Analysis(complaint_type, new_history, so_far, flagged, "｜".join(parts))


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


def analysis_payload(
    facts: TurnFacts,
    said: Optional[Grounding] = None,
    emotion: Optional[str] = None,
    question: Optional[str] = None,
) -> Dict[str, Any]:
    """The ``analysis`` of the assist payload (docs/design.md#the-assist-payload). ``said``, ``emotion`` and
    ``question`` are the turn's readings of the customer's messages (None: not read)."""
    complaint = facts.complaint_type
    return {
        "intent": {"name": facts.intent, "confidence": round(facts.confidence, 3)},
        "sentiment": {"label": facts.sentiment_label, "score": round(facts.sentiment_score, 3)},
        "escalation": {"flag": facts.escalation_flag, "cues": list(facts.cues)},
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in facts.entities],
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
                ("problem", said.problem if said else None),
                ("impact", said.impact if said else None),
                ("request", said.request if said else None),
            )
            if value is not None
        },
    }
