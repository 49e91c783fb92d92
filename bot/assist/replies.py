"""Reply templates and the technique strategy, read from ``data/replies/``.

Supervisors edit these YAML files without touching code (docs/replies.md);
:func:`load_replies` checks them and says, in a sentence, what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Tuple

import yaml

from bot.assist.analysis import COMPLAINT_TYPES

TECHNIQUES = {
    "clear_explanation": "清楚說明",
    "active_listening": "主動聆聽",
    "clarifying_question": "提問釐清",
    "empathy": "同理心",
    "paraphrase_confirm": "換句話確認",
    "cultural_fit": "因人調整",
}
STAGES = {
    "clarify": "釐清問題",
    "assess": "評估影響",
    "acknowledge": "回應與致歉",
    "propose": "提出方案",
    "agree": "確認協議",
    "follow_up": "後續追蹤",
    "close": "結束對話",
    "refer": "轉介主管",
}
PLACEHOLDERS = frozenset({"customer", "product", "order_id", "amount", "date", "agent"})
SENTIMENTS = frozenset({"negative", "neutral", "positive"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class RepliesError(ValueError):
    """A reply file is wrong; the message names the file and the template."""


@dataclass(frozen=True)
class Template:
    id: str
    complaint_type: str  # a complaint intent, or "any"
    stage: str
    technique: str
    text: str
    sentiments: FrozenSet[str]  # empty: any mood
    placeholders: FrozenSet[str]
    unless_known: FrozenSet[str] = frozenset()  # details that make the question pointless


@dataclass(frozen=True)
class Strategy:
    stages: Mapping[str, Tuple[str, ...]]
    fallback_stages: Mapping[str, Tuple[str, ...]]
    angry_below: float
    angry_first: Tuple[str, ...]
    missing_order_stages: FrozenSet[str]
    missing_order_include: str
    after_offer_stages: FrozenSet[str]
    after_offer_first: Tuple[str, ...]


@dataclass(frozen=True)
class Replies:
    templates: Tuple[Template, ...]
    strategy: Strategy

    def by_id(self) -> Dict[str, Template]:
        return {template.id: template for template in self.templates}


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RepliesError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise RepliesError(f"{path}: expected a mapping at the top")
    return data


def _templates(path: Path, complaint_types: FrozenSet[str]) -> List[Template]:
    data = _read(path)
    complaint_type = data.get("complaint_type")
    if complaint_type != "any" and complaint_type not in complaint_types:
        raise RepliesError(f"{path}: complaint_type must be 'any' or a complaint intent")
    result = []
    for entry in data.get("templates") or []:
        tid = entry.get("id") if isinstance(entry, dict) else None
        where = f"{path}: template '{tid}'"
        if not tid:
            raise RepliesError(f"{path}: a template has no id")
        if entry.get("stage") not in STAGES:
            raise RepliesError(f"{where}: stage must be one of {sorted(STAGES)}")
        if entry.get("technique") not in TECHNIQUES:
            raise RepliesError(f"{where}: technique must be one of {sorted(TECHNIQUES)}")
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            raise RepliesError(f"{where}: text is empty")
        names = set(_PLACEHOLDER.findall(text))
        if names - PLACEHOLDERS:
            raise RepliesError(f"{where}: unknown placeholder(s) {sorted(names - PLACEHOLDERS)}")
        if _PLACEHOLDER.sub("", text).count("{") or _PLACEHOLDER.sub("", text).count("}"):
            raise RepliesError(f"{where}: a brace that is not a placeholder")
        sentiments = frozenset(entry.get("sentiment") or ())
        if sentiments - SENTIMENTS:
            raise RepliesError(f"{where}: sentiment must be from {sorted(SENTIMENTS)}")
        unless_known = frozenset(entry.get("unless_known") or ())
        if unless_known - PLACEHOLDERS:
            raise RepliesError(
                f"{where}: unless_known must name details from {sorted(PLACEHOLDERS)}"
            )
        result.append(
            Template(
                tid,
                complaint_type,
                entry["stage"],
                entry["technique"],
                text.strip(),
                sentiments,
                frozenset(names),
                unless_known,
            )
        )
    return result


def _techniques(values, where: str) -> Tuple[str, ...]:  # noqa: ANN001
    values = tuple(values or ())
    unknown = set(values) - set(TECHNIQUES)
    if unknown:
        raise RepliesError(f"{where}: unknown technique(s) {sorted(unknown)}")
    return values


def _strategy(path: Path) -> Strategy:
    data = _read(path)
    stages = data.get("stages") or {}
    if set(stages) != set(STAGES):
        raise RepliesError(f"{path}: 'stages' must list exactly the stages {sorted(STAGES)}")
    fallback = data.get("fallback_stages") or {}
    for stage, others in fallback.items():
        if stage not in STAGES or set(others) - set(STAGES):
            raise RepliesError(f"{path}: fallback_stages.{stage} names an unknown stage")
    angry = data.get("angry") or {}
    missing = data.get("missing_order") or {}
    offer = data.get("after_offer") or {}
    include = missing.get("include", "clarifying_question")
    _techniques([include], f"{path}: missing_order.include")
    return Strategy(
        stages={
            stage: _techniques(order, f"{path}: stages.{stage}") for stage, order in stages.items()
        },
        fallback_stages={stage: tuple(others) for stage, others in fallback.items()},
        angry_below=float(angry.get("below", -0.6)),
        angry_first=_techniques(angry.get("first"), f"{path}: angry.first"),
        missing_order_stages=frozenset(missing.get("stages") or ()),
        missing_order_include=include,
        after_offer_stages=frozenset(offer.get("stages") or ()),
        after_offer_first=_techniques(offer.get("first"), f"{path}: after_offer.first"),
    )


def load_replies(folder: Path, complaint_types: Optional[FrozenSet[str]] = None) -> Replies:
    """Every ``*.yml`` in ``folder`` except ``strategy.yml`` is a template file."""
    folder = Path(folder)
    types = complaint_types or frozenset(COMPLAINT_TYPES)
    templates: List[Template] = []
    for path in sorted(folder.glob("*.yml")):
        if path.name != "strategy.yml":
            templates.extend(_templates(path, types))
    seen: Dict[str, str] = {}
    for template in templates:
        if template.id in seen:
            raise RepliesError(f"template id '{template.id}' is used twice")
        seen[template.id] = template.text
    if not templates:
        raise RepliesError(f"{folder}: no reply templates found")
    return Replies(tuple(templates), _strategy(folder / "strategy.yml"))
