"""The fast fit is scikit-learn's logistic regression: same probabilities, same object."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from bot.nlu import logistic

SPARSE, DENSE = 400, 30


def _problem(classes: int, rows: int = 360, seed: int = 7):
    """Rows shaped like a reading's: a few hashed words, then a dense block."""
    rng = np.random.default_rng(seed)
    words = sparse.random(rows, SPARSE, density=0.03, random_state=seed, format="csr")
    dense = rng.normal(size=(rows, DENSE))
    matrix = sparse.hstack([words, sparse.csr_matrix(dense)], format="csr")
    truth = rng.normal(size=(matrix.shape[1], classes))
    scores = matrix @ truth + rng.normal(scale=0.5, size=(rows, classes))
    names = np.asarray([f"c{i}" for i in range(classes)])
    labels = names[scores.argmax(axis=1)]
    # an imbalanced class, so that "balanced" weights matter
    labels[: rows // 3] = names[0]
    return matrix, list(labels)


@pytest.mark.parametrize("classes", [2, 3, 7])
@pytest.mark.parametrize("class_weight", ["balanced", None])
def test_the_fit_gives_scikit_learns_probabilities(classes, class_weight):
    matrix, labels = _problem(classes)
    reference = LogisticRegression(
        C=3.0, max_iter=2000, class_weight=class_weight, solver="lbfgs"
    ).fit(matrix, np.asarray(labels))

    fitted = logistic.fit(matrix, labels, dense_from=SPARSE, c=3.0, class_weight=class_weight)

    assert list(fitted.classes_) == list(reference.classes_)
    assert fitted.coef_.shape == reference.coef_.shape
    assert np.abs(fitted.predict_proba(matrix) - reference.predict_proba(matrix)).max() < 2e-3
    assert (fitted.predict(matrix) == reference.predict(matrix)).mean() > 0.99


def test_the_fitted_model_is_a_plain_scikit_learn_model_after_pickling():
    matrix, labels = _problem(4)
    fitted = logistic.fit(matrix, labels, dense_from=SPARSE, c=1.0)

    restored = pickle.loads(pickle.dumps(fitted))

    assert isinstance(restored, LogisticRegression)
    np.testing.assert_allclose(restored.predict_proba(matrix[:5]), fitted.predict_proba(matrix[:5]))
    assert np.allclose(restored.predict_proba(matrix).sum(axis=1), 1.0)


def test_one_class_is_refused():
    matrix, _ = _problem(2, rows=20)
    with pytest.raises(ValueError, match="two classes"):
        logistic.fit(matrix, ["only"] * 20, dense_from=SPARSE)


@pytest.mark.parametrize("classes", [2, 5])
def test_the_readers_probabilities_are_the_models_predict_proba(classes):
    from bot.nlu.linear import LinearReader
    from bot.nlu.reading_features import FeatureBuilder, Reading

    rng = np.random.default_rng(classes)
    readings = [
        Reading(
            words=tuple(rng.choice(list("甲乙丙丁戊己"), size=3)),
            text="".join(rng.choice(list("甲乙丙丁戊己"), size=6)),
            vectors=rng.normal(size=(2, 512)).astype(np.float32),
            cues=tuple(float(x) for x in rng.integers(0, 2, size=17)),
        )
        for _ in range(120)
    ]
    labels = [f"c{i % classes}" for i in range(120)]
    reader = LinearReader.train(readings, labels, c=1.0)
    expected = reader._classifier.predict_proba(FeatureBuilder().matrix(readings))
    np.testing.assert_allclose(reader.probabilities(readings), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(reader.probabilities(readings[:1]), expected[:1], rtol=1e-12)
