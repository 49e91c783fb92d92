"""The sentiment classifier: a spaCy ``zh`` pipeline with one exclusive ``textcat``.

Pure spaCy, no Rasa: :class:`SentimentModel` trains from (words, label) pairs, predicts
a :class:`Sentiment` for a list of words and saves itself to a folder. The words come
from the jieba segmentation done by the Rasa tokenizer (Traditional dictionary plus the
domain dictionary), so both see the same segmentation and nothing is segmented twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from bot.nlu.constants import SENTIMENT_LABELS

NEUTRAL_SCORE = 0.0


@dataclass(frozen=True)
class Sentiment:
    """``label`` is the most likely class; ``score`` = P(positive) - P(negative)."""

    label: str
    score: float

    def as_dict(self) -> dict:
        return {"label": self.label, "score": round(self.score, 4)}


NEUTRAL = Sentiment("neutral", NEUTRAL_SCORE)


def _textcat_config(architecture: str, ngram_size: int) -> dict:
    if architecture == "bow":
        model = {
            "@architectures": "spacy.TextCatBOW.v2",
            "exclusive_classes": True,
            "ngram_size": ngram_size,
            "no_output_layer": False,
        }
        return {"model": model}
    return {}  # spaCy's default ensemble (BOW + CNN over hashed word features)


class SentimentModel:
    """Train, apply and persist the sentiment textcat."""

    def __init__(self, nlp) -> None:
        self._nlp = nlp
        self._textcat = nlp.get_pipe("textcat") if nlp is not None else None

    @classmethod
    def train(
        cls,
        examples: Sequence[Tuple[List[str], str]],
        *,
        epochs: int = 12,
        dropout: float = 0.2,
        seed: int = 42,
        architecture: str = "bow",
        ngram_size: int = 2,
    ) -> "SentimentModel":
        """Train on (words, label) pairs; labels must be in ``SENTIMENT_LABELS``."""
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        usable = [(w, l) for w, l in examples if w and l in SENTIMENT_LABELS]
        if not usable:
            return cls(None)
        fix_random_seed(seed)
        nlp = spacy.blank("zh")
        textcat = nlp.add_pipe("textcat", config=_textcat_config(architecture, ngram_size))
        for label in SENTIMENT_LABELS:
            textcat.add_label(label)
        data = [
            Example.from_dict(
                cls._doc(nlp, words),
                {"cats": {l: float(l == label) for l in SENTIMENT_LABELS}},
            )
            for words, label in usable
        ]
        optimizer = nlp.initialize(lambda: data)
        rng = random.Random(seed)
        for _ in range(epochs):
            rng.shuffle(data)
            for batch in minibatch(data, size=16):
                nlp.update(batch, drop=dropout, sgd=optimizer)
        return cls(nlp)

    @staticmethod
    def _doc(nlp, words: Sequence[str]):
        from spacy.tokens import Doc

        return Doc(nlp.vocab, words=list(words), spaces=[False] * len(words))

    def predict(self, words: Sequence[str]) -> Sentiment:
        """Sentiment of a segmented message; neutral when there is nothing to read."""
        if self._nlp is None or not words:
            return NEUTRAL
        cats = self._textcat(self._doc(self._nlp, words)).cats
        label = max(SENTIMENT_LABELS, key=lambda l: cats.get(l, 0.0))
        score = cats.get("positive", 0.0) - cats.get("negative", 0.0)
        return Sentiment(label, max(-1.0, min(1.0, float(score))))

    def to_disk(self, directory: Path) -> None:
        if self._nlp is not None:
            self._nlp.to_disk(directory / "spacy")

    @classmethod
    def from_disk(cls, directory: Path) -> "SentimentModel":
        import spacy

        path = directory / "spacy"
        return cls(spacy.load(path) if path.exists() else None)


def example_label(metadata: Optional[dict]) -> Optional[str]:
    """The sentiment label stored in a Rasa training example's metadata, if any."""
    example = (metadata or {}).get("example") or {}
    label = example.get("sentiment") if isinstance(example, dict) else None
    return label if label in SENTIMENT_LABELS else None
