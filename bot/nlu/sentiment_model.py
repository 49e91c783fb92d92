"""The sentiment classifier: a spaCy ``zh`` pipeline with one exclusive ``textcat``.

Pure spaCy, no Rasa: :class:`SentimentModel` trains from :class:`SentimentExample`s and
predicts a :class:`Sentiment`. Its input tokens are

* the words of the jieba segmentation done by the Rasa tokenizer (Traditional
  dictionary plus the domain dictionary), so both see the same words and nothing is
  segmented twice;
* ``__intent_<name>``: the intent of the message (gold at training time, DIET's
  prediction at run time): thanks are rarely angry, complaints rarely happy;
* ``__neg__`` / ``__pos__`` for each cue of the team's polarity lexicon
  (``data/dict/sentiment_lexicon.yml``), which carries cue words to phrasings the
  training data never had.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Mapping, Sequence, Tuple

from bot.nlu.constants import SENTIMENT_LABELS

_LEXICON_FILE = "lexicon.json"


@dataclass(frozen=True)
class Sentiment:
    """``label`` is the most likely class; ``score`` = P(positive) - P(negative)."""

    label: str
    score: float

    def as_dict(self) -> dict:
        return {"label": self.label, "score": round(self.score, 4)}


NEUTRAL = Sentiment("neutral", 0.0)


@dataclass(frozen=True)
class SentimentExample:
    """One message: its words, its intent (if known) and, for training, its label."""

    words: Tuple[str, ...]
    intent: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class PolarityLexicon:
    """Cue words whose presence becomes a ``__neg__`` or ``__pos__`` feature."""

    negative: Tuple[str, ...] = ()
    positive: Tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping) -> "PolarityLexicon":
        return cls(
            tuple(str(w) for w in data.get("negative") or ()),
            tuple(str(w) for w in data.get("positive") or ()),
        )

    def as_dict(self) -> dict:
        return {"negative": list(self.negative), "positive": list(self.positive)}


@dataclass(frozen=True)
class Featurizer:
    """Turns an example into the token list the textcat reads."""

    lexicon: PolarityLexicon = field(default_factory=PolarityLexicon)

    def tokens(self, example: SentimentExample) -> List[str]:
        text = "".join(example.words)
        tokens = list(example.words)
        tokens += ["__neg__" for w in self.lexicon.negative if w in text]
        tokens += ["__pos__" for w in self.lexicon.positive if w in text]
        if example.intent:
            tokens.append(f"__intent_{example.intent}")
        return tokens


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

    def __init__(self, nlp, featurizer: Featurizer | None = None) -> None:
        self._nlp = nlp
        self._textcat = nlp.get_pipe("textcat") if nlp is not None else None
        self._featurizer = featurizer or Featurizer()

    @classmethod
    def train(
        cls,
        examples: Sequence[SentimentExample],
        lexicon: PolarityLexicon | None = None,
        *,
        epochs: int = 20,
        dropout: float = 0.2,
        seed: int = 42,
        architecture: str = "bow",
        ngram_size: int = 2,
    ) -> "SentimentModel":
        """Train on labelled examples; those without a known label are skipped."""
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        featurizer = Featurizer(lexicon or PolarityLexicon())
        usable = [e for e in examples if e.words and e.label in SENTIMENT_LABELS]
        if not usable:
            return cls(None, featurizer)
        fix_random_seed(seed)
        nlp = spacy.blank("zh")
        textcat = nlp.add_pipe("textcat", config=_textcat_config(architecture, ngram_size))
        for label in SENTIMENT_LABELS:
            textcat.add_label(label)
        data = [
            Example.from_dict(
                cls._doc(nlp, featurizer.tokens(e)),
                {"cats": {label: float(label == e.label) for label in SENTIMENT_LABELS}},
            )
            for e in usable
        ]
        optimizer = nlp.initialize(lambda: data)
        rng = random.Random(seed)
        for _ in range(epochs):
            rng.shuffle(data)
            for batch in minibatch(data, size=16):
                nlp.update(batch, drop=dropout, sgd=optimizer)
        return cls(nlp, featurizer)

    @staticmethod
    def _doc(nlp, tokens: Sequence[str]):
        from spacy.tokens import Doc

        return Doc(nlp.vocab, words=list(tokens), spaces=[False] * len(tokens))

    def predict(self, example: SentimentExample) -> Sentiment:
        """Sentiment of a segmented message; neutral when there is nothing to read."""
        if self._nlp is None or not example.words:
            return NEUTRAL
        cats = self._textcat(self._doc(self._nlp, self._featurizer.tokens(example))).cats
        label = max(SENTIMENT_LABELS, key=lambda name: cats.get(name, 0.0))
        score = cats.get("positive", 0.0) - cats.get("negative", 0.0)
        return Sentiment(label, max(-1.0, min(1.0, float(score))))

    def to_disk(self, directory: Path) -> None:
        if self._nlp is not None:
            self._nlp.to_disk(directory / "spacy")
            (directory / _LEXICON_FILE).write_text(
                json.dumps(self._featurizer.lexicon.as_dict(), ensure_ascii=False),
                encoding="utf-8",
            )

    @classmethod
    def from_disk(cls, directory: Path) -> "SentimentModel":
        import spacy

        path = directory / "spacy"
        if not path.exists():
            return cls(None)
        lexicon = PolarityLexicon.from_dict(
            json.loads((directory / _LEXICON_FILE).read_text(encoding="utf-8"))
        )
        return cls(spacy.load(path), Featurizer(lexicon))


def example_label(metadata: dict | None) -> str | None:
    """The sentiment label stored in a Rasa training example's metadata, if any."""
    example = (metadata or {}).get("example") or {}
    label = example.get("sentiment") if isinstance(example, dict) else None
    return label if label in SENTIMENT_LABELS else None
