"""QA scorecards of closed conversations, against the competency standard (pure).

A closed conversation (:class:`ClosedConversation`: its transcript, the assistant's reading
of each customer turn, the compensation and its policy marks, the resolution, the rating)
is scored item by item (:data:`CRITERIA`). Each item is met (True), not met (False) or not
applicable (None), with its evidence: the agent's message (masked, :func:`bot.log.pii.mask`)
or the reason. The score is 0–100 over the applicable items.

How a reply is known to apply a technique: a reply sent from a suggestion (used or edited)
carries the suggestion's technique, which is reliable (``basis`` ``suggestion``). A reply
typed freehand can only be matched by its wording (a question mark, "抱歉", "跟您確認"),
which is weak: such an item says so in its evidence (``basis`` ``wording``) and a
supervisor may override it (:func:`override`). Timestamps, the policy marks and the rating
are records (``basis`` ``record``).

Exceptions::

    QaError
     ├── UnknownCriterion   an override names no criterion of the scorecard
     └── BadScorecard       a stored scorecard cannot be read back
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.log.pii import mask


class QaError(ValueError):
    """Something about a scorecard that cannot be done."""


class UnknownCriterion(QaError):
    """An override names a criterion the scorecard does not have."""


class BadScorecard(QaError):
    """A stored scorecard that does not have the shape :meth:`Scorecard.as_dict` writes."""


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str  # what supervisors and agents read
    standard: str  # what the competency standard asks, in English (docs/qa.md)


# The items, in the order they are shown. The standard: 客戶服務人員 (BAS4222-001v3) and
# 提升顧客服務滿意度 (PIC4R2119v2), in /work/shared/seeds/.
CRITERIA: Tuple[Criterion, ...] = (
    Criterion(
        "first_response",
        "首次回應時間",
        "Handle the complaint promptly, within the set response time (BAS4222 P1.2.1; "
        "PIC4R2119 assessment evidence 5).",
    ),
    Criterion(
        "clarify_before_proposal",
        "提出方案前先提問釐清",
        "Use questions to establish the nature, cause and details of the complaint before "
        "deciding on a remedy (PIC4R2119 task 3.1; BAS4222 P1.2.1).",
    ),
    Criterion(
        "empathy_when_negative",
        "顧客不滿時表達同理",
        "Show empathy for the customer's problem while keeping to policy (PIC4R2119 note 3, "
        "communication skills; attitude A04).",
    ),
    Criterion(
        "paraphrase_before_agreement",
        "達成協議前換句話確認",
        "Rephrase and restate the problem to confirm the customer was understood, before "
        "seeking agreement (PIC4R2119 note 3; BAS4222 P2.1.4).",
    ),
    Criterion(
        "compensation_within_policy",
        "補償符合權限與政策",
        "Compensate within one's own authority and the organisation's policy and limits "
        "(PIC4R2119 task 2.4 and note 4; BAS4222 P2.1.3, P2.1.5).",
    ),
    Criterion(
        "closing",
        "妥善結束對話",
        "Check that the customer's need was met and follow up before ending (PIC4R2119 "
        "task 1.6; BAS4222 P1.2.4).",
    ),
    Criterion(
        "customer_rating",
        "顧客滿意度評分",
        "Resolve the complaint to the customer's satisfaction (BAS4222 P1.2.2; PIC4R2119 "
        "assessment evidence 5).",
    ),
)
LABELS: Dict[str, str] = {c.id: c.label for c in CRITERIA}
BASES = ("suggestion", "wording", "record")

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


@dataclass(frozen=True)
class Settings:
    """The thresholds (``first_response_s``: KEFU_QA_FIRST_RESPONSE_S)."""

    first_response_s: float = 60.0
    good_rating: int = 4  # a rating of this or more meets the item


@dataclass(frozen=True)
class Message:
    """One transcript message. An agent's reply sent from a suggestion names its
    ``technique`` and the ``stage`` the suggestion was shown in."""

    role: str  # customer / agent
    text: str
    ts: float
    technique: Optional[str] = None
    stage: Optional[str] = None
    edited: bool = False


@dataclass(frozen=True)
class Reading:
    """What the assistant read of customer message number ``turn`` (its transcript index)."""

    turn: int
    stage: Optional[str]
    sentiment: str  # negative / neutral / positive
    score: float = 0.0


@dataclass(frozen=True)
class Compensation:
    """One option the agent offered, granted or asked approval for."""

    option_id: str
    label: str
    cost: int
    within_authority: Optional[bool] = None  # the policy marks shown with the option
    offered_at: Optional[float] = None
    accepted_at: Optional[float] = None
    granted: bool = False  # granted within authority
    approval: Optional[str] = None  # requested / approved / denied


@dataclass(frozen=True)
class ClosedConversation:
    conversation_id: str
    agent: Optional[str]
    messages: Tuple[Message, ...]
    readings: Tuple[Reading, ...] = ()
    compensation: Tuple[Compensation, ...] = ()
    resolution: Optional[str] = None
    rating: Optional[int] = None


@dataclass(frozen=True)
class Override:
    by: str
    at: float
    met: Optional[bool]
    was: Optional[bool]  # what the scoring said
    note: Optional[str] = None


@dataclass(frozen=True)
class Item:
    criterion: str
    label: str
    met: Optional[bool]
    evidence: str
    basis: str = "record"
    overridden_by: Optional[Override] = None


@dataclass(frozen=True)
class Scorecard:
    score: Optional[int]  # 0–100 over the applicable items; None when none applies
    items: Tuple[Item, ...] = field(default_factory=tuple)

    def as_dict(self) -> Dict[str, Any]:
        items = []
        for item in self.items:
            shown: Dict[str, Any] = {
                "criterion": item.criterion,
                "label": item.label,
                "met": item.met,
                "evidence": item.evidence,
                "basis": item.basis,
            }
            if item.overridden_by is not None:
                o = item.overridden_by
                shown["overridden_by"] = {
                    "by": o.by,
                    "at": o.at,
                    "met": o.met,
                    "was": o.was,
                    "note": o.note,
                }
            items.append(shown)
        return {"score": self.score, "items": items}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scorecard":
        try:
            items = []
            for raw in data["items"]:
                o = raw.get("overridden_by")
                items.append(
                    Item(
                        str(raw["criterion"]),
                        str(raw["label"]),
                        raw["met"],
                        str(raw["evidence"]),
                        str(raw.get("basis") or "record"),
                        Override(str(o["by"]), float(o["at"]), o["met"], o["was"], o.get("note"))
                        if o
                        else None,
                    )
                )
            return cls(data["score"], tuple(items))
        except (KeyError, TypeError, ValueError) as error:
            raise BadScorecard(f"not a scorecard: {error}") from None

    def part(self, agent: Optional[str]) -> str:
        """The compact form the per-day aggregates keep (:mod:`bot.log.aggregates`)."""
        return json.dumps(
            {"a": agent, "s": self.score, "i": {i.criterion: i.met for i in self.items}},
            separators=(",", ":"),
        )


# ---- scoring ----


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


def override(
    card: Scorecard,
    criterion: str,
    met: Optional[bool],
    by: str,
    at: float,
    note: Optional[str] = None,
) -> Scorecard:
    """A supervisor's verdict on one item (who, when, what the scoring said); the score is
    recomputed. Overriding again keeps what the scoring first said."""
    if criterion not in {i.criterion for i in card.items}:
        raise UnknownCriterion(criterion)
    items = []
    for item in card.items:
        if item.criterion == criterion:
            was = item.overridden_by.was if item.overridden_by else item.met
            note = mask(note) if note else None
            item = replace(item, met=met, overridden_by=Override(by, round(at, 3), met, was, note))
        items.append(item)
    return Scorecard(score_of(items), tuple(items))


def keep_overrides(fresh: Scorecard, stored: Optional[Scorecard]) -> Scorecard:
    """``fresh`` (scored again, e.g. once the rating came) with ``stored``'s overrides."""
    if stored is None:
        return fresh
    kept = {i.criterion: i.overridden_by for i in stored.items if i.overridden_by}
    items = tuple(
        replace(i, met=kept[i.criterion].met, overridden_by=kept[i.criterion])
        if i.criterion in kept
        else i
        for i in fresh.items
    )
    return Scorecard(score_of(items), items)


# ---- from what the project stores ----


def conversation_from_records(
    cid: str,
    agent: Optional[str],
    messages: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    suggestions: Mapping[str, Mapping[str, Any]],
    options: Mapping[str, Mapping[str, Any]],
    resolution: Optional[str],
    rating: Optional[int],
) -> ClosedConversation:
    """A :class:`ClosedConversation` from the transcript (``kefu:conv:<id>:messages``),
    the conversation's outcome events, its stored suggestions and options."""
    built = tuple(
        Message(
            role=str(m.get("role")),
            text=str(m.get("text") or ""),
            ts=float(m.get("ts") or 0),
            technique=m.get("technique") if m.get("suggestion_id") else None,
            stage=(suggestions.get(m.get("suggestion_id") or "") or {}).get("stage"),
            edited=bool(m.get("edited")),
        )
        for m in messages
    )
    readings: Dict[int, Reading] = {}
    corrected: Dict[int, str] = {}
    offers: Dict[str, Dict[str, Any]] = {}
    for event in events:
        action = event["action"]
        if action == "message":
            readings[event["turn"]] = Reading(
                event["turn"], event.get("stage"), event["sentiment"], float(event["score"])
            )
        elif action == "corrected" and event.get("sentiment"):
            corrected[event["turn"]] = event["sentiment"]  # a supervisor's reading wins
        elif "option_id" in event and action in (
            "offered",
            "accepted",
            "granted",
            "approval_requested",
            "approved",
            "denied",
        ):
            offer = offers.setdefault(event["option_id"], {"cost": int(event["cost"])})
            if action == "offered":
                offer.setdefault("offered_at", event["ts"])
            elif action == "accepted":
                offer.setdefault("accepted_at", event["ts"])
            elif action == "granted":
                offer["granted"] = True
            else:
                offer["approval"] = {
                    "approval_requested": "requested",
                    "approved": "approved",
                    "denied": "denied",
                }[action]
    for turn, sentiment in corrected.items():
        if turn in readings:
            readings[turn] = replace(readings[turn], sentiment=sentiment)
    compensation = tuple(
        Compensation(
            option_id=oid,
            label=str((options.get(oid) or {}).get("label") or oid),
            cost=offer["cost"],
            within_authority=(options.get(oid) or {}).get("within_authority"),
            offered_at=offer.get("offered_at"),
            accepted_at=offer.get("accepted_at"),
            granted=offer.get("granted", False),
            approval=offer.get("approval"),
        )
        for oid, offer in offers.items()
    )
    return ClosedConversation(
        cid,
        agent,
        built,
        tuple(sorted(readings.values(), key=lambda r: r.turn)),
        compensation,
        resolution,
        rating,
    )


def latest(events: Iterable[Mapping[str, Any]]) -> Optional[Tuple[Scorecard, str]]:
    """The conversation's current scorecard and its day, from its qa events (the last)."""
    found = None
    for event in events:
        if event["action"] in QA_ACTIONS:
            found = event
    if found is None:
        return None
    return Scorecard.from_dict(found), found["day"]


QA_ACTIONS = ("qa_scored", "qa_overridden")


# ---- coaching: per agent and per criterion over time ----


def coaching(
    parts: Mapping[str, Mapping[str, Mapping[str, Any]]],
    days: Sequence[str],
    agent: Optional[str] = None,
) -> Dict[str, Any]:
    """``parts``: day → conversation id → its compact scorecard (:meth:`Scorecard.part`).
    Per day and per agent: conversations, the mean score and, per criterion, how many met,
    not met and not applicable, with the rate met over the applicable."""

    def blank() -> Dict[str, Any]:
        return {"scores": [], "criteria": {c.id: [0, 0, 0] for c in CRITERIA}}

    def add(bucket: Dict[str, Any], part: Mapping[str, Any]) -> None:
        if part.get("s") is not None:
            bucket["scores"].append(part["s"])
        bucket.setdefault("n", 0)
        bucket["n"] += 1
        for criterion, met in (part.get("i") or {}).items():
            if criterion in bucket["criteria"]:
                bucket["criteria"][criterion][0 if met is True else 1 if met is False else 2] += 1

    def shown(bucket: Dict[str, Any]) -> Dict[str, Any]:
        scores = bucket["scores"]
        return {
            "conversations": bucket.get("n", 0),
            "score_mean": round(sum(scores) / len(scores), 1) if scores else None,
            "criteria": {
                cid: {
                    "met": met,
                    "not_met": unmet,
                    "not_applicable": na,
                    "rate": round(met / (met + unmet), 3) if met + unmet else None,
                }
                for cid, (met, unmet, na) in bucket["criteria"].items()
            },
        }

    by_day = {day: blank() for day in days}
    by_agent: Dict[str, Dict[str, Any]] = {}
    for day in days:
        for part in (parts.get(day) or {}).values():
            owner = part.get("a") or ""
            if agent is not None and owner != agent:
                continue
            add(by_day[day], part)
            add(by_agent.setdefault(owner, blank()), part)
    return {
        "days": [{"day": day, **shown(by_day[day])} for day in days],
        "agents": [{"agent": a or None, **shown(b)} for a, b in sorted(by_agent.items())],
        "criteria": [{"id": c.id, "label": c.label} for c in CRITERIA],
    }


def parts_from_events(events: Iterable[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """What the aggregates keep, from the stream (while they are rebuilt): day → conversation
    id → its last compact scorecard."""
    parts: Dict[str, Dict[str, Any]] = {}
    for event in events:
        if event["action"] in QA_ACTIONS:
            card = Scorecard.from_dict(event)
            parts.setdefault(event["day"], {})[event["conversation_id"]] = json.loads(
                card.part(event.get("owner"))
            )
    return parts
