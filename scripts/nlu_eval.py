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
