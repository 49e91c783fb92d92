"""A regularised logistic regression over :class:`~bot.nlu.reading_features.Reading`s.

The one learner behind the sentiment reader and the complaint reader. Logistic regression
gives probabilities that mean something (checked by ``make eval``'s reliability table),
trains in seconds on thousands of messages (:mod:`bot.nlu.logistic` fits it) and predicts
in well under a millisecond.
Persisted with :mod:`pickle` inside the Rasa model, as Rasa persists its own scikit-learn
classifier.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Dict, Sequence, Tuple

import numpy as np

from bot.nlu import logistic
from bot.nlu.polarity import FEATURE_NAMES
from bot.nlu.reading_features import FeatureBuilder, Reading


class NotTrained(RuntimeError):
    """The classifier has no model (no usable training data)."""


class StaleModel(RuntimeError):
    """The stored classifier was trained on other features than this code builds."""


class LinearReader:
    """Classes and their probabilities for readings."""

    def __init__(self, classifier=None, builder: FeatureBuilder | None = None) -> None:
        self._classifier = classifier
        self._builder = builder or FeatureBuilder()
        # the weights as a sparse row times them wants them: C-ordered (features, classes);
        # coef_.T is F-ordered, and scipy would copy all of it for every message
        self._weights = np.ascontiguousarray(classifier.coef_.T) if classifier is not None else None

    @property
    def trained(self) -> bool:
        return self._classifier is not None

    @property
    def classes(self) -> Tuple[str, ...]:
        if self._classifier is None:
            return ()
        return tuple(str(c) for c in self._classifier.classes_)

    @classmethod
    def train(
        cls,
        readings: Sequence[Reading],
        labels: Sequence[str],
        *,
        c: float = 1.0,
        class_weight: str | None = "balanced",
        builder: FeatureBuilder | None = None,
    ) -> "LinearReader":
        """Fit on readings with their labels; untrained if fewer than two classes."""
        builder = builder or FeatureBuilder()
        if len(set(labels)) < 2:
            return cls(None, builder)
        classifier = logistic.fit(
            builder.matrix(readings),
            labels,
            dense_from=builder.dense_from,
            c=c,
            class_weight=class_weight,
        )
        return cls(classifier, builder)

    def probabilities(self, readings: Sequence[Reading]) -> np.ndarray:
        """``(len(readings), len(classes))``; raises :class:`NotTrained`.

        What the classifier's ``predict_proba`` computes (a softmax of the scores, or the
        logistic of the one score for two classes), without its per-call input checks:
        they cost more than the product itself for one message."""
        from scipy.special import expit
        from sklearn.utils.extmath import softmax

        if self._classifier is None:
            raise NotTrained("no trained classifier")
        matrix = self._builder.matrix(readings)
        scores = np.asarray(matrix @ self._weights) + self._classifier.intercept_
        if scores.shape[1] == 1:
            positive = expit(scores[:, 0])
            return np.column_stack([1.0 - positive, positive])
        return softmax(scores, copy=False)

    def probability_map(self, reading: Reading) -> Dict[str, float]:
        row = self.probabilities([reading])[0]
        return {name: float(p) for name, p in zip(self.classes, row)}

    def to_file(self, path: Path) -> None:
        path.write_bytes(
            pickle.dumps(
                {
                    "classifier": self._classifier,
                    "builder": self._builder,
                    "cues": list(FEATURE_NAMES),
                }
            )
        )

    @classmethod
    def from_file(cls, path: Path) -> "LinearReader":
        """Load a stored reader; :class:`StaleModel` if it was built for other features."""
        if not path.exists():
            return cls(None)
        data = pickle.loads(path.read_bytes())
        if data.get("cues") != list(FEATURE_NAMES):
            raise StaleModel(
                f"{path.name} was trained with other message features than this code "
                "builds: retrain the model (make train)"
            )
        return cls(data["classifier"], data["builder"])
