"""The concrete next step that answers 「你們打算怎麼處理？」: a pure choice.

The kinds of step (``data/replies/next_steps.yml``: re-deliver a wrong order, refund an
overcharge after checking it, book a repair date, correct what was said wrongly, find
out and report back …) are tried in file order; the first whose cues are in what the
customer said is chosen, else the complaint type's default kind, else the last kind.
Its wording is the one of the kind of business (``KEFU_BUSINESS``) or the generic one.
The reply templates say it as ``{remedy}`` (docs/replies.md); a coupon follows it as
``{gesture}`` only for the small inconveniences a kind marks with ``gesture``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Tuple

import yaml


class NextStepsError(ValueError):
    """data/replies/next_steps.yml is wrong; the message says where."""


@dataclass(frozen=True)
class StepKind:
    kind: str
    cues: Optional[re.Pattern]
    types: frozenset
    gesture: bool
    step: Mapping[str, str]  # business (or "generic") → the wording


@dataclass(frozen=True)
class NextStep:
    kind: str
    text: str  # follows 「接下來我會」
    gesture: bool


def load_next_steps(path: Path, complaint_types: Iterable[str] = ()) -> Tuple[StepKind, ...]:
    """The kinds of step of ``next_steps.yml`` (none when the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise NextStepsError(f"{path}: not valid YAML ({exc})") from exc
    known_types = set(complaint_types)
    kinds = []
    for entry in data.get("kinds") or []:
        name = entry.get("kind") if isinstance(entry, dict) else None
        if not name:
            raise NextStepsError(f"{path}: a kind has no name")
        step = entry.get("step") or {}
        if not isinstance(step, dict) or not str(step.get("generic") or "").strip():
            raise NextStepsError(f"{path}: kind '{name}' needs a generic step")
        types = frozenset(entry.get("types") or ())
        if known_types and types - known_types:
            raise NextStepsError(f"{path}: kind '{name}' names an unknown complaint type")
        try:
            cues = re.compile(entry["cues"]) if entry.get("cues") else None
        except re.error as exc:
            raise NextStepsError(f"{path}: kind '{name}' has a bad cue pattern ({exc})") from exc
        kinds.append(
            StepKind(
                str(name),
                cues,
                types,
                bool(entry.get("gesture")),
                {str(k): str(v).strip() for k, v in step.items()},
            )
        )
    if kinds and kinds[-1].cues is not None:
        raise NextStepsError(f"{path}: the last kind is the fallback and has no cues")
    return tuple(kinds)


def _normalise(text: str) -> str:
    try:
        from bot.nlu.script import to_traditional
    except ImportError:  # pragma: no cover - the NLU package is always installed here
        return text
    return to_traditional(text)


def choose(
    kinds: Sequence[StepKind],
    texts: Sequence[str],
    complaint_type: Optional[str],
    business: Optional[str] = None,
) -> Optional[NextStep]:
    """The step for what the customer said (``texts``: their messages), or None."""
    if not kinds:
        return None
    said = _normalise("\n".join(t for t in texts if t))
    picked = next((k for k in kinds if k.cues is not None and k.cues.search(said)), None)
    if picked is None:
        picked = next((k for k in kinds if complaint_type and complaint_type in k.types), None)
    picked = picked or kinds[-1]
    text = picked.step.get(business or "generic") or picked.step["generic"]
    return NextStep(picked.kind, text, picked.gesture)
