"""What the sentiment and complaint readers see of a message: one feature matrix.

Pure numpy/scipy. A :class:`Reading` is the input of one message: its jieba words, its
Traditional-normalised text, the two sentence vectors of :mod:`bot.nlu.sentence_featurizer`
(whole message, verdict clause) and the polarity cues of :mod:`bot.nlu.polarity`.
:class:`FeatureBuilder` turns readings into one sparse matrix: hashed words and
character bigrams (the words customers use), the dense vectors (what the message means,
also in wordings never seen), and the cues (contrast, negation, intensity).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Sequence, Tuple

import numpy as np

from bot.nlu.encoder import DIMENSIONS
from bot.nlu.polarity import FEATURE_NAMES

_HASH_FEATURES = 2**15
# the usual size of each cue of bot.nlu.polarity.FEATURE_NAMES, in order
_CUE_SCALE = np.asarray([3, 3, 3, 3, 2, 2, 3, 6, 6, 1, 1, 1, 6, 6, 1, 2, 1], np.float32)


@dataclass(frozen=True, eq=False)
class Reading:
    words: Tuple[str, ...]
    text: str
    vectors: np.ndarray  # (2, 512)
    cues: Tuple[float, ...]
    # the feature rows built from this reading, by builder (the readers of one message
    # share a builder, so the row is built once per message)
    rows: dict = field(default_factory=dict, repr=False, compare=False)


def empty_vectors() -> np.ndarray:
    return np.zeros((2, DIMENSIONS), dtype=np.float32)


@functools.lru_cache(maxsize=1)
def _hasher():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=_HASH_FEATURES,
        analyzer=lambda tokens: tokens,
        alternate_sign=False,
        norm="l2",
    )


@dataclass(frozen=True)
class FeatureBuilder:
    """Stateless: the same readings always give the same matrix."""

    word_weight: float = 1.0
    vector_weight: float = 1.0
    cue_weight: float = 3.0

    def _hasher(self):
        return _hasher()

    @property
    def dense_from(self) -> int:
        """The first column of the dense part (sentence vectors, cues); the words come first."""
        return _HASH_FEATURES

    @staticmethod
    def _tokens(reading: Reading) -> list:
        text = reading.text
        bigrams = [
            f"#{text[i : i + 2]}" for i in range(len(text) - 1) if not text[i : i + 2].isspace()
        ]
        return [f"w:{w}" for w in reading.words] + bigrams

    def matrix(self, readings: Sequence[Reading]):
        """One sparse row per reading (cached on the reading for this builder)."""
        from scipy import sparse

        missing = [r for r in readings if self not in r.rows]
        if missing:
            for reading, row in zip(missing, self._build(missing)):
                reading.rows[self] = row
        return sparse.vstack([r.rows[self] for r in readings], format="csr")

    def _build(self, readings: Sequence[Reading]):
        from scipy import sparse

        words = self._hasher().transform([self._tokens(r) for r in readings]) * self.word_weight
        vectors = np.stack([r.vectors.reshape(-1) for r in readings]) * self.vector_weight
        cues = np.asarray([r.cues for r in readings], dtype=np.float32).reshape(
            len(readings), len(FEATURE_NAMES)
        )
        # the cue columns on a common scale, then weighted: a handful of columns among
        # thousands must not be regularised away
        cues = cues / _CUE_SCALE * self.cue_weight
        matrix = sparse.hstack(
            [words, sparse.csr_matrix(vectors), sparse.csr_matrix(cues)], format="csr"
        )
        return [matrix[i] for i in range(matrix.shape[0])]
