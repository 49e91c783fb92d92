"""Reply templates and the technique strategy, read from ``data/replies/``.

Supervisors edit these YAML files without touching code (docs/replies.md);
:func:`load_replies` checks them and says, in a sentence, what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Tuple

import yaml

from bot.assist.claims import unsupported_claims
from bot.assist.emotion import EMOTIONS
from bot.assist.next_step import StepKind, load_next_steps
from bot.assist.question import QUESTIONS
from bot.labels import COMPLAINT_TYPES, STAGES, TECHNIQUES

# the words of the kind of business (data/replies/business.yml), filled for every turn
BUSINESS_WORDS = frozenset({"item", "booking", "ref", "moments"})
PLACEHOLDERS = frozenset(
    {
        "customer",
        "product",
        "order_id",
        "amount",
        "date",
        "agent",
        # the customer's own words (bot/assist/grounding.py), in the agent's voice
        "problem",
        "impact",
        "request",
        "feeling",  # the emotion read from the message (bot/assist/emotion.py): 很著急 …
        "options",  # the labels of the options within the agent's authority
        "remedy",  # the concrete next step for this complaint (bot/assist/next_step.py)
        "gesture",  # a coupon within the agent's authority, after the step (small matters)
        *BUSINESS_WORDS,
    }
)
# what a template may take for granted, checked against the conversation (suggest.py)
PRESUMPTIONS = {
    "offer_made": "客服已經提出方案",
    "supervisor_approved": "主管已經同意",
    "history": "顧客說過之前反映過",
    "asked_refund": "顧客提出退款或退貨",
    "asked_supervisor": "顧客要求找主管",
    "referred": "案件已經在轉介主管",
    "threatened": "顧客說要採取進一步行動（申訴、投訴、公開）",
    "told_unclear": "顧客說之前得到的說明不清楚或前後不一",
    "asked_more": "顧客另外要求補償、免費、免單或退款",
}
NOT_TEMPLATE_FILES = frozenset({"strategy.yml", "business.yml", "next_steps.yml"})
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
    presumes: FrozenSet[str] = frozenset()  # PRESUMPTIONS the conversation must support
    emotions: FrozenSet[str] = frozenset()  # only to a customer who shows one of these
    answers: FrozenSet[str] = frozenset()  # the questions it answers (question.py)


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
    # business → its words; "generic" is the wording when KEFU_BUSINESS is unset
    business: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # the kinds of concrete next step (data/replies/next_steps.yml), tried in order
    next_steps: Tuple[StepKind, ...] = ()
    # (cue, ref): what to ask for when the customer named it (business.yml references)
    references: Tuple[Tuple[re.Pattern, str], ...] = ()

    def by_id(self) -> Dict[str, Template]:
        return {template.id: template for template in self.templates}

    def words(self, business: Optional[str], said: str = "") -> Mapping[str, str]:
        """The words of this kind of business, or the generic wording; ``said`` (what
        the customer wrote) picks the reference to ask for when they named what it is
        about (a delivery order, a mortgage …), so the question follows their words."""
        words = self.business.get(business or "generic") or self.business.get("generic", {})
        for cue, ref in self.references:
            if cue.search(said):
                return {**words, "ref": ref}
        return words


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
        answers = frozenset(entry.get("answers") or ())
        if answers - set(QUESTIONS):
            raise RepliesError(f"{where}: answers must be from {sorted(QUESTIONS)}")
        if entry.get("stage") not in STAGES and not (answers and entry.get("stage") == "any"):
            raise RepliesError(
                f"{where}: stage must be one of {sorted(STAGES)} ('any' only with answers)"
            )
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
        presumes = frozenset(entry.get("presumes") or ())
        if presumes - set(PRESUMPTIONS):
            raise RepliesError(f"{where}: presumes must be from {sorted(PRESUMPTIONS)}")
        emotions = frozenset(entry.get("emotions") or ())
        if emotions - set(EMOTIONS):
            raise RepliesError(f"{where}: emotions must be from {sorted(EMOTIONS)}")
        claims = unsupported_claims(text, presumes, emotions, frozenset(names), complaint_type)
        if claims:
            raise RepliesError(f"{where}: " + "; ".join(claims))
        if "feeling" in names and not emotions:
            emotions = frozenset(EMOTIONS)  # {feeling} is known only when an emotion is read
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
                presumes,
                emotions,
                answers,
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


REFERENCES = "references"  # the key of business.yml that is not a kind of business


def _references(path: Path) -> Tuple[Tuple[re.Pattern, str], ...]:
    if not path.exists():
        return ()
    result = []
    for entry in _read(path).get(REFERENCES) or []:
        if not isinstance(entry, dict) or not entry.get("cues") or not entry.get("ref"):
            raise RepliesError(f"{path}: every reference needs cues and ref")
        try:
            result.append((re.compile(str(entry["cues"])), str(entry["ref"]).strip()))
        except re.error as exc:
            raise RepliesError(f"{path}: bad reference cues ({exc})") from exc
    return tuple(result)


def _business(path: Path) -> Dict[str, Dict[str, str]]:
    if not path.exists():
        return {"generic": {}}
    data = {k: v for k, v in _read(path).items() if k != REFERENCES}
    generic = data.get("generic")
    if not isinstance(generic, dict) or set(generic) != BUSINESS_WORDS:
        raise RepliesError(f"{path}: 'generic' must give exactly {sorted(BUSINESS_WORDS)}")
    result: Dict[str, Dict[str, str]] = {}
    for name, words in data.items():
        if not isinstance(words, dict) or set(words) != BUSINESS_WORDS:
            raise RepliesError(f"{path}: '{name}' must give exactly {sorted(BUSINESS_WORDS)}")
        if not all(isinstance(w, str) and w.strip() for w in words.values()):
            raise RepliesError(f"{path}: '{name}' has an empty word")
        result[str(name)] = {key: value.strip() for key, value in words.items()}
    return result


def load_replies(folder: Path, complaint_types: Optional[FrozenSet[str]] = None) -> Replies:
    """Every ``*.yml`` in ``folder`` except ``strategy.yml`` and ``business.yml`` is a
    template file."""
    folder = Path(folder)
    types = complaint_types or frozenset(COMPLAINT_TYPES)
    templates: List[Template] = []
    for path in sorted(folder.glob("*.yml")):
        if path.name not in NOT_TEMPLATE_FILES:
            templates.extend(_templates(path, types))
    seen: Dict[str, str] = {}
    for template in templates:
        if template.id in seen:
            raise RepliesError(f"template id '{template.id}' is used twice")
        seen[template.id] = template.text
    if not templates:
        raise RepliesError(f"{folder}: no reply templates found")
    next_steps = load_next_steps(folder / "next_steps.yml", types)
    for kind in next_steps:
        for business, step in kind.step.items():
            claims = unsupported_claims(step, frozenset(), frozenset(), frozenset())
            if claims:
                raise RepliesError(
                    f"{folder / 'next_steps.yml'}: kind '{kind.kind}' ({business}): "
                    + "; ".join(claims)
                )
    return Replies(
        tuple(templates),
        _strategy(folder / "strategy.yml"),
        _business(folder / "business.yml"),
        next_steps,
        _references(folder / "business.yml"),
    )
