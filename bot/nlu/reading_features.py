"""What the sentiment and complaint readers see of a message: one feature matrix.

Pure numpy/scipy. A :class:`Reading` is the input of one message: its jieba words, its
Traditional-normalised text, the two sentence vectors of :mod:`bot.nlu.sentence_featurizer`
(whole message, verdict clause) and the polarity cues of :mod:`bot.nlu.polarity`.
:class:`FeatureBuilder` turns readings into one sparse matrix: hashed words and
character bigrams (the words customers use), the dense vectors (what the message means,
also in wordings never seen), and the cues (contrast, negation, intensity).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Dict, Sequence, Tuple

import numpy as np

from bot.nlu.encoder import DIMENSIONS

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

    def fingerprint(self) -> str:
        """A hash of everything the readers see, for Rasa's training cache.

        Rasa hashes ``str()`` of an object without this method: for a reading that prints
        the arrays, slowly, and only six of their 1,024 numbers."""
        return _digest(json.dumps([self.words, self.text, self.cues]), self.vectors)


class SentenceVectors(np.ndarray):
    """The two sentence vectors as a message keeps them: an array with a fingerprint.

    Rasa's training cache hashes the message's data; for a plain array it hashes ``str()``
    (slow, and six of the 1,024 numbers). Made with ``np.stack(...).view(SentenceVectors)``.
    """

    def fingerprint(self) -> str:
        return _digest("", self)


def _digest(text: str, array: np.ndarray) -> str:
    digest = hashlib.md5(text.encode("utf-8"))  # noqa: S324 - a cache key, as Rasa's
    digest.update(str((array.dtype.str, array.shape)).encode("ascii"))
    digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def empty_vectors() -> np.ndarray:
    return np.zeros((2, DIMENSIONS), dtype=np.float32)


def hashed_words(tokens: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
    """The columns and values scikit-learn's ``HashingVectorizer(n_features=2**15,
    alternate_sign=False, norm="l2")`` gives these tokens (sorted columns, counts, then
    scaled to unit length), without its per-call checks: a third of reading a message."""
    from sklearn.utils import murmurhash3_32

    counts: Dict[int, float] = {}
    for token in tokens:
        h = murmurhash3_32(token, seed=0)
        # as sklearn's _hashing_fast: abs(INT_MIN) overflows, so it is placed apart
        column = (
            (2147483647 - (_HASH_FEATURES - 1)) % _HASH_FEATURES
            if h == -2147483648
            else abs(h) % _HASH_FEATURES
        )
        counts[column] = counts.get(column, 0.0) + 1.0
    columns = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
    values = np.fromiter((counts[c] for c in columns), dtype=np.float64, count=len(counts))
    norm = np.sqrt(values @ values)
    return columns, values / norm if norm > 0 else values


@dataclass(frozen=True)
class FeatureBuilder:
    """Stateless: the same readings always give the same matrix."""

    word_weight: float = 1.0
    vector_weight: float = 1.0
    cue_weight: float = 3.0

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

        for reading in readings:
            if self not in reading.rows:
                reading.rows[self] = self._row(reading)
        if len(readings) == 1:
            return readings[0].rows[self]
        return sparse.vstack([r.rows[self] for r in readings], format="csr")

    def _row(self, reading: Reading):
        """The reading's row: hashed words, then the sentence vectors and the cues (their
        zeros not stored), float64 as one ``scipy.sparse.hstack`` of the three gave it."""
        from scipy import sparse

        words, weights = hashed_words(self._tokens(reading))
        vectors = reading.vectors.reshape(-1) * self.vector_weight
        # the cue columns on a common scale, then weighted: a handful of columns among
        # thousands must not be regularised away
        cues = np.asarray(reading.cues, dtype=np.float32) / _CUE_SCALE * self.cue_weight
        dense = np.concatenate([vectors, cues]).astype(np.float64)
        (kept,) = np.nonzero(dense)
        columns = np.concatenate([words, kept + _HASH_FEATURES]).astype(np.int32)
        values = np.concatenate([weights * self.word_weight, dense[kept]])
        width = _HASH_FEATURES + dense.shape[0]
        return sparse.csr_matrix(
            (values, columns, np.asarray([0, len(columns)], dtype=np.int32)), shape=(1, width)
        )
