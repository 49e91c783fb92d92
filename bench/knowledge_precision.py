"""Precision of the knowledge suggestions on a set of customer questions.

    python bench/knowledge_precision.py tests/knowledge_own.yml [--folder data/knowledge]

The file holds ``questions: [{text: ..., article: <id> | none}]``. For each question the
top article the index shows (or none, when nothing reaches the threshold) is compared
with the expected one, and a table is printed:

* top-1 precision: the shown top article (or the empty list) is the expected answer,
  over all questions;
* precision when answered: of the questions that got an article, the share whose top
  article is the expected one;
* answered: the share of questions that got an article;
* none left empty: of the questions no article fits, the share that got none.

``--misses`` lists the questions answered wrongly.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.knowledge import KnowledgeIndex  # noqa: E402

NONE = "none"
# tests/bench/test_knowledge_precision.py: the top-1 precision the blind set must keep
BLIND_FLOOR = 0.7  # measured 78.8% on 2026-11-27 (docs/knowledge.md)


@dataclass(frozen=True)
class Result:
    questions: int
    top1: float
    precision_answered: Optional[float]
    answered: float
    none_left_empty: Optional[float]
    misses: Tuple[Tuple[str, str, str], ...]  # (text, expected, shown)


def read_questions(path: Path) -> List[Tuple[str, str]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    pairs = []
    for item in data.get("questions") or []:
        expected = item.get("article")
        pairs.append((str(item["text"]), NONE if expected in (None, NONE) else str(expected)))
    if not pairs:
        raise SystemExit(f"{path}: no questions")
    return pairs


def measure(index: KnowledgeIndex, questions: Sequence[Tuple[str, str]]) -> Result:
    right = answered = answered_right = nones = nones_empty = 0
    misses = []
    for text, expected in questions:
        found = index.search(text)
        shown = found[0]["id"] if found else NONE
        right += shown == expected
        if found:
            answered += 1
            answered_right += shown == expected
        if expected == NONE:
            nones += 1
            nones_empty += not found
        if shown != expected:
            misses.append((text, expected, shown))
    total = len(questions)
    return Result(
        questions=total,
        top1=right / total,
        precision_answered=answered_right / answered if answered else None,
        answered=answered / total,
        none_left_empty=nones_empty / nones if nones else None,
        misses=tuple(misses),
    )


def _percent(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def table(result: Result, name: str) -> str:
    rows: Dict[str, str] = {
        "questions": str(result.questions),
        "top-1 precision": _percent(result.top1),
        "precision when answered": _percent(result.precision_answered),
        "answered": _percent(result.answered),
        "none left empty": _percent(result.none_left_empty),
    }
    width = max(len(k) for k in rows)
    lines = [f"knowledge precision on {name}", "-" * (width + 10)]
    lines += [f"{label:<{width}}  {value:>7}" for label, value in rows.items()]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--folder", type=Path, default=ROOT / "data/knowledge")
    parser.add_argument("--misses", action="store_true", help="list the wrong answers")
    args = parser.parse_args(argv)
    from bot.knowledge import shared_index

    index = shared_index(args.folder, ROOT / ".cache", ROOT / "data/dict/domain")
    result = measure(index, read_questions(args.questions))
    print(table(result, str(args.questions)))
    if args.misses:
        for text, expected, shown in result.misses:
            print(f"  {text}  expected {expected}, shown {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
