"""Scoring a closed conversation item by item against the competency standard (pure).

Each criterion of :data:`~bot.log.qa.model.CRITERIA` has its scoring function here; :func:`score`
runs them all. How a reply is known to apply a technique (``basis``) is told in
:mod:`bot.log.qa`.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.log.pii import mask
from bot.log.qa.model import LABELS, ClosedConversation, Item, Message, Scorecard, Settings

# freehand wording that weakly suggests a technique (a cue, not proof)
_CUES: Dict[str, Tuple[str, ...]] = {
    "clarifying_question": ("？", "?", "請問", "方便提供", "能否告訴", "可以告訴"),
    "empathy": ("抱歉", "不好意思", "理解您", "明白您", "辛苦", "造成您", "困擾", "不便"),
    "paraphrase_confirm": (
        "跟您確認",
        "向您確認",
        "確認一下",
        "您的意思是",
        "也就是說",
        "整理一下",
    ),
    "closing": ("還有其他", "還有什麼", "祝您", "感謝您", "謝謝您", "再見", "隨時"),
}
_EVIDENCE_CHARS = 120


def _quote(text: str) -> str:
    text = mask(text).strip()
    if len(text) > _EVIDENCE_CHARS:
        text = text[: _EVIDENCE_CHARS - 1] + "…"
    return f"「{text}」"


def _applies(message: Message, technique: str) -> Optional[str]:
    """``suggestion`` if the reply came from a suggestion of ``technique``, ``wording`` if
    freehand wording has a cue of it, else None."""
    if message.technique == technique:
        return "suggestion"
    if message.technique is None and any(cue in message.text for cue in _CUES[technique]):
        return "wording"
    return None


def _found(
    replies: Sequence[Message], technique: str, what: str, when: str
) -> Tuple[bool, str, str]:
    """Whether one of ``replies`` applied ``technique``: (met, evidence, basis)."""
    weak: Optional[Message] = None
    for reply in replies:
        basis = _applies(reply, technique)
        if basis == "suggestion":
            how = "（由建議修改後送出）" if reply.edited else "（採用建議）"
            return True, f"{when}{what}{how}：{_quote(reply.text)}", "suggestion"
        if basis == "wording" and weak is None:
            weak = reply
    if weak is not None:
        return (
            True,
            f"{when}的自行輸入回覆看似{what}（僅依字面判斷，請主管確認）：{_quote(weak.text)}",
            "wording",
        )
    freehand = any(r.technique is None for r in replies)
    if not replies:
        return False, f"{when}客服沒有任何回覆，也就沒有{what}", "record"
    if freehand:
        return (
            False,
            f"{when}沒有採用{what}的建議，自行輸入的回覆也看不出{what}（僅依字面判斷，請主管確認）",
            "wording",
        )
    return False, f"{when}送出的建議都不是{what}", "suggestion"


def _agent_replies(conv: ClosedConversation, until: Optional[float] = None) -> List[Message]:
    return [m for m in conv.messages if m.role == "agent" and (until is None or m.ts < until)]


def _first_response(conv: ClosedConversation, settings: Settings) -> Item:
    first = next((n for n, m in enumerate(conv.messages) if m.role == "customer"), None)
    if first is None:
        return _item("first_response", None, "顧客沒有傳訊息，不適用")
    customer = conv.messages[first]
    # the first agent message after it in the transcript (its order is the order of arrival)
    reply = next((m for m in conv.messages[first + 1 :] if m.role == "agent"), None)
    limit = f"標準 {settings.first_response_s:g} 秒內"
    if reply is None:
        return _item("first_response", False, f"顧客來訊後客服沒有回覆（{limit}）")
    waited = max(round(reply.ts - customer.ts, 1), 0.0)
    met = waited <= settings.first_response_s
    return _item(
        "first_response", met, f"首次回覆用了 {waited:g} 秒（{limit}）：{_quote(reply.text)}"
    )


def _proposal_at(conv: ClosedConversation) -> Optional[float]:
    """When the agent first proposed a remedy: an option offered, or a reply sent from a
    suggestion of the proposal stage (a freehand reply cannot be told from a question)."""
    times = [c.offered_at for c in conv.compensation if c.offered_at is not None]
    times += [m.ts for m in conv.messages if m.role == "agent" and m.stage == "propose"][:1]
    return min(times) if times else None


def _clarify(conv: ClosedConversation) -> Item:
    at = _proposal_at(conv)
    if at is None:
        return _item("clarify_before_proposal", None, "對話中沒有提出方案，不適用")
    met, evidence, basis = _found(
        _agent_replies(conv, at), "clarifying_question", "提問釐清", "提出方案前"
    )
    return _item("clarify_before_proposal", met, evidence, basis)


def _empathy(conv: ClosedConversation) -> Item:
    negative = [r.turn for r in conv.readings if r.sentiment == "negative"]
    if not negative:
        return _item("empathy_when_negative", None, "顧客沒有出現負面情緒，不適用")
    first = min(negative)
    answers: List[Message] = []
    for message in conv.messages[first + 1 :]:
        if message.role == "customer":
            break
        answers.append(message)
    quoted = _quote(conv.messages[first].text) if first < len(conv.messages) else ""
    met, evidence, basis = _found(
        [m for m in answers if m.role == "agent"], "empathy", "表達同理", "顧客表達不滿後"
    )
    return _item("empathy_when_negative", met, f"{evidence}（顧客：{quoted}）", basis)


def _agreement_at(conv: ClosedConversation) -> Optional[float]:
    times = [c.accepted_at for c in conv.compensation if c.accepted_at is not None]
    for reading in conv.readings:
        if reading.stage == "agree" and reading.turn < len(conv.messages):
            times.append(conv.messages[reading.turn].ts)
            break
    return min(times) if times else None


def _paraphrase(conv: ClosedConversation) -> Item:
    at = _agreement_at(conv)
    if at is None:
        return _item("paraphrase_before_agreement", None, "對話中沒有達成協議，不適用")
    met, evidence, basis = _found(
        _agent_replies(conv, at), "paraphrase_confirm", "換句話確認", "達成協議前"
    )
    return _item("paraphrase_before_agreement", met, evidence, basis)


def _compensation(conv: ClosedConversation) -> Item:
    if not conv.compensation:
        return _item("compensation_within_policy", None, "沒有提供補償，不適用")
    outside = []
    for c in conv.compensation:
        approved = c.approval == "approved"
        if c.granted or approved:
            continue  # granted within authority, or beyond it with a supervisor's approval
        if c.within_authority is False:
            asked = "主管駁回" if c.approval == "denied" else "未經主管核准"
            if c.offered_at is not None or c.approval == "denied":
                outside.append(f"向顧客提出超出權限的「{c.label}」（NT${c.cost}），{asked}")
    named = "、".join(f"「{c.label}」（NT${c.cost}）" for c in conv.compensation)
    if outside:
        return _item("compensation_within_policy", False, "；".join(outside))
    return _item("compensation_within_policy", True, f"補償都在權限內或經主管核准：{named}")


def _closing(conv: ClosedConversation) -> Item:
    replies = _agent_replies(conv)
    if not replies:
        return _item("closing", False, "客服沒有任何回覆就結案")
    last = replies[-1]
    if last.technique is not None and last.stage in ("close", "follow_up"):
        how = "（由建議修改後送出）" if last.edited else "（採用建議）"
        return _item(
            "closing", True, f"最後一則回覆是結尾的建議{how}：{_quote(last.text)}", "suggestion"
        )
    if any(cue in last.text for cue in _CUES["closing"]):
        basis = "wording"
        return _item(
            "closing",
            True,
            f"最後一則回覆看似有結尾問候（僅依字面判斷，請主管確認）：{_quote(last.text)}",
            basis,
        )
    return _item(
        "closing",
        False,
        f"最後一則回覆沒有確認需求已滿足或道別（僅依字面判斷，請主管確認）：{_quote(last.text)}",
        "wording" if last.technique is None else "suggestion",
    )


def _rating(conv: ClosedConversation, settings: Settings) -> Item:
    if conv.rating is None:
        return _item("customer_rating", None, "顧客尚未評分")
    met = conv.rating >= settings.good_rating
    return _item(
        "customer_rating", met, f"顧客評分 {conv.rating} 分（{settings.good_rating} 分以上為達標）"
    )


def _item(criterion: str, met: Optional[bool], evidence: str, basis: str = "record") -> Item:
    return Item(criterion, LABELS[criterion], met, evidence, basis)


def score_of(items: Iterable[Item]) -> Optional[int]:
    """0–100: the share of applicable items met; None when none applies."""
    applicable = [item.met for item in items if item.met is not None]
    if not applicable:
        return None
    return round(100 * sum(applicable) / len(applicable))


def score(conv: ClosedConversation, settings: Settings = Settings()) -> Scorecard:
    """The scorecard of a closed conversation."""
    items = (
        _first_response(conv, settings),
        _clarify(conv),
        _empathy(conv),
        _paraphrase(conv),
        _compensation(conv),
        _closing(conv),
        _rating(conv, settings),
    )
    return Scorecard(score_of(items), items)
