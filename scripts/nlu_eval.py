"""Shared pieces of the NLU evaluation: load labelled examples, parse them, score them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

COMPLAINT_INTENTS = (
    "complaint_demanding",
    "complaint_escalation",
    "complaint_price_error",
    "complaint_special_request",
    "complaint_miscommunication",
    "complaint_defect",
)


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str
    sentiment: str | None


def load_examples(path: Path) -> List[Labelled]:
    """Intent examples of a Rasa NLU YAML file with their sentiment metadata."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlu.sentiment_model import example_label

    data = load_data(str(path))
    return [
        Labelled(m.get("text"), m.get("intent"), example_label(m.get("metadata")))
        for m in data.intent_examples
    ]


def parse_all(model_path: Path, texts: Sequence[str]) -> List[Dict]:
    """Parse every text with the trained model, in-process."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    async def _run() -> List[Dict]:
        return [await agent.parse_message(t) for t in texts]

    return asyncio.run(_run())


def per_class(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> Dict[str, Dict]:
    """Precision, recall, F1 and support per label."""
    report = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred))
        fp = sum(g != label and p == label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return report


def macro_f1(report: Dict[str, Dict], labels: Sequence[str]) -> float:
    return sum(report[label]["f1"] for label in labels) / len(labels)


def accuracy(gold: Sequence, pred: Sequence) -> float:
    pairs = [(g, p) for g, p in zip(gold, pred) if g is not None]
    return sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0


NO_COMPLAINT = "none"
COMPLAINT_LABELS = (*COMPLAINT_INTENTS, NO_COMPLAINT)
LENGTH_BANDS = ((0, 10, "< 10"), (10, 50, "10–49"), (50, 150, "50–149"), (150, 10**9, "≥ 150"))


def complaint_label(intent: str | None) -> str:
    """The complaint type of an intent: one of the six, or ``none``."""
    return intent if intent in COMPLAINT_INTENTS else NO_COMPLAINT


def length_band(text: str) -> str:
    n = len(text.strip())
    return next(name for low, high, name in LENGTH_BANDS if low <= n < high)


@dataclass(frozen=True)
class Outside:
    """A message of the outside sets (tests/nlu_wild.yml, tests/nlu_contrast.yml)."""

    text: str
    intent: str
    complaint: str
    sentiment: str
    business: str = ""
    style: str = ""
    script: str = ""


def _outside(row: Dict) -> Outside:
    return Outside(
        str(row["text"]).strip(),
        row["intent"],
        row.get("complaint") or complaint_label(row["intent"]),
        row["sentiment"],
        row.get("business", ""),
        row.get("style", ""),
        row.get("script", ""),
    )


def load_wild(path: Path) -> List[Outside]:
    import yaml

    return [_outside(r) for r in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]]


def load_contrast(path: Path) -> List[tuple]:
    """(change, a, b) for every minimal pair."""
    import yaml

    pairs = yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]
    return [(p["change"], _outside(p["a"]), _outside(p["b"])) for p in pairs]


def reliability(probabilities: Sequence[float], outcomes: Sequence[bool], bins: int = 10):
    """Reliability rows ``(low, high, n, mean predicted, observed)`` and the ECE."""
    rows, ece, total = [], 0.0, len(probabilities)
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        idx = [
            i
            for i, p in enumerate(probabilities)
            if low <= p < high or (b == bins - 1 and p == 1.0)
        ]
        if not idx:
            continue
        mean_p = sum(probabilities[i] for i in idx) / len(idx)
        observed = sum(bool(outcomes[i]) for i in idx) / len(idx)
        rows.append((low, high, len(idx), mean_p, observed))
        ece += len(idx) / total * abs(mean_p - observed)
    return rows, ece


def readings_for(texts: Sequence[str], root: Path):
    """The readers' inputs for raw texts, built as the pipeline builds them (no Rasa)."""
    import logging

    import jieba
    import yaml

    from bot.nlu.dictionary import traditional_dictionary
    from bot.nlu.encoder import shared_encoder
    from bot.nlu.polarity import Lexicon, cues, verdict_clause
    from bot.nlu.reading_features import Reading
    from bot.nlu.script import to_traditional
    from bot.nlu.tokenizer import build_segmenter, segment

    jieba.setLogLevel(logging.WARNING)
    segmenter = build_segmenter(
        traditional_dictionary(root / ".cache"), sorted((root / "data/dict/domain").glob("*.txt"))
    )
    lexicon = Lexicon.from_dict(
        yaml.safe_load((root / "data/dict/sentiment_lexicon.yml").read_text(encoding="utf-8"))
    )
    normalized = [to_traditional(t) for t in texts]
    both = [part for n in normalized for part in (n[:400], verdict_clause(n)[-400:])]
    vectors = shared_encoder().encode_many(both)
    return [
        Reading(
            tuple(t.text for t in segment(segmenter, n)),
            n,
            vectors[2 * i : 2 * i + 2],
            cues(n, lexicon),
        )
        for i, n in enumerate(normalized)
    ]


def training_files(directory: Path) -> List[Path]:
    """The NLU training files (every YAML under data/nlu but the lookup and synonym files)."""
    return sorted(
        p for p in directory.rglob("*.yml") if "lookups" not in p.parts and p.name != "synonyms.yml"
    )
