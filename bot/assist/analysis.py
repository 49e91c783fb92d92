"""What the agent is told about one customer message: pure functions over the parse.

:func:`analyse` takes Rasa's parse data of the latest customer message (DESIGN.md §4)
and the conversation's sentiment history, and returns an :class:`Analysis`: the
complaint type, the updated sentiment history, whether the conversation has escalated
and a one-line summary in Traditional Chinese for the agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Sequence, Tuple

COMPLAINT_TYPES = {
    "complaint_demanding": "難處理或要求高的顧客",
    "complaint_escalation": "客訴或糾紛惡化",
    "complaint_price_error": "標價或報價錯誤",
    "complaint_special_request": "未處理特殊要求",
    "complaint_miscommunication": "誤會或溝通不良",
    "complaint_defect": "服務或產品問題或瑕疵",
}
SENTIMENT_NAMES = {"negative": "負面", "neutral": "中性", "positive": "正面"}
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
    escalation = parse.get("escalation") or {}
    flagged = bool(escalation.get("flag"))
    parts: List[str] = []
    if complaint_type:
        parts.append(f"客訴類型：{COMPLAINT_TYPES[complaint_type]}")
    label = SENTIMENT_NAMES.get(sentiment.get("label", "neutral"), "中性")
    parts.append(f"情緒：{label}（{score:+.2f}）{_trend(new_history)}")
    if flagged:
        parts.append("⚠ 有客訴升級跡象")
    return Analysis(complaint_type, new_history, escalated or flagged, flagged, "｜".join(parts))
