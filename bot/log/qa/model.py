"""The QA scorecard's types: the criteria, the closed conversation it is scored from, the
items and overrides, and the named exceptions (pure).

Exceptions::

    QaError
     ├── UnknownCriterion   an override names no criterion of the scorecard
     └── BadScorecard       a stored scorecard cannot be read back
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple


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
# 提升顧客服務滿意度 (PIC4R2119v2): the sections cited below are in docs/domain.md#records-feedback-and-reporting (notes 3–4: #note-3, #note-4).
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
