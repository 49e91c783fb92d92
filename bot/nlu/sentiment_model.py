"""The sentiment reader: negative / neutral / positive from the message itself.

Pure (numpy, scikit-learn), no Rasa. The label comes from the words, the two sentence
vectors (whole message and verdict clause) and the polarity cues with contrast,
negation and intensity (:mod:`bot.nlu.polarity`); see :mod:`bot.nlu.reading_features`.
The predicted intent is *not* an input: a wrong complaint intent can no longer turn a
positive review negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bot.nlu.constants import SENTIMENT_LABELS
from bot.nlu.linear import LinearReader
from bot.nlu.reading_features import Reading

_FILE = "sentiment.pkl"


@dataclass(frozen=True)
class Sentiment:
    """``label`` is the most likely class; ``score`` = P(positive) - P(negative)."""

    label: str
    score: float

    def as_dict(self) -> dict:
        return {"label": self.label, "score": round(self.score, 4)}


NEUTRAL = Sentiment("neutral", 0.0)


class SentimentModel:
    """Train, apply and persist the sentiment reader."""

    def __init__(self, reader: LinearReader | None = None) -> None:
        self._reader = reader or LinearReader()

    @classmethod
    def train(
        cls, readings: Sequence[Reading], labels: Sequence[str], *, c: float = 1.0
    ) -> "SentimentModel":
        """Train on readings labelled with :data:`SENTIMENT_LABELS` (others are skipped)."""
        pairs = [(r, y) for r, y in zip(readings, labels) if y in SENTIMENT_LABELS]
        return cls(LinearReader.train([r for r, _ in pairs], [y for _, y in pairs], c=c))

    def predict(self, reading: Reading) -> Sentiment:
        """Sentiment of a message; neutral when there is nothing to read."""
        if not self._reader.trained or not reading.text.strip():
            return NEUTRAL
        cats = self._reader.probability_map(reading)
        label = max(SENTIMENT_LABELS, key=lambda name: cats.get(name, 0.0))
        score = cats.get("positive", 0.0) - cats.get("negative", 0.0)
        return Sentiment(label, max(-1.0, min(1.0, float(score))))

    def to_disk(self, directory: Path) -> None:
        if self._reader.trained:
            self._reader.to_file(directory / _FILE)

    @classmethod
    def from_disk(cls, directory: Path) -> "SentimentModel":
        return cls(LinearReader.from_file(directory / _FILE))


def example_label(metadata: dict | None) -> str | None:
    """The sentiment label stored in a Rasa training example's metadata, if any."""
    example = (metadata or {}).get("example") or {}
    label = example.get("sentiment") if isinstance(example, dict) else None
    return label if label in SENTIMENT_LABELS else None
