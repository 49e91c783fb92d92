"""A reading's feature row is exactly what scikit-learn's hashing and scipy's hstack
built before (the trained models read these columns), and one row costs no stacking."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from bot.nlu.polarity import FEATURE_NAMES
from bot.nlu.reading_features import _CUE_SCALE, FeatureBuilder, Reading, hashed_words

HASHER = HashingVectorizer(
    n_features=2**15, analyzer=lambda tokens: tokens, alternate_sign=False, norm="l2"
)


def _reference(builder: FeatureBuilder, readings):
    """The rows as FeatureBuilder built them before: one HashingVectorizer and hstack."""
    words = HASHER.transform([builder._tokens(r) for r in readings]) * builder.word_weight
    vectors = np.stack([r.vectors.reshape(-1) for r in readings]) * builder.vector_weight
    cues = np.asarray([r.cues for r in readings], dtype=np.float32).reshape(
        len(readings), len(FEATURE_NAMES)
    )
    cues = cues / _CUE_SCALE * builder.cue_weight
    return sparse.hstack([words, sparse.csr_matrix(vectors), sparse.csr_matrix(cues)], format="csr")


def _reading(text: str, seed: int) -> Reading:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(2, 512)).astype(np.float32)
    vectors[1, :100] = 0.0  # an empty verdict clause leaves zeros
    cues = tuple(float(x) for x in rng.integers(0, 3, size=len(FEATURE_NAMES)))
    return Reading(
        words=tuple(text.split()), text=text.replace(" ", ""), vectors=vectors, cues=cues
    )


TEXTS = st.text(
    alphabet=st.sampled_from(list("你好訂單退款沒有壞了謝謝 abc!？😀\u3000") + [" "]), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), seed=st.integers(0, 1000))
def test_rows_are_exactly_the_hashing_vectorizers_and_hstacks(texts, seed):
    builder = FeatureBuilder(word_weight=1.5)
    readings = [_reading(t, seed + i) for i, t in enumerate(texts)]
    ours = builder.matrix(readings)
    theirs = _reference(builder, readings)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.float64
    assert (ours != theirs).nnz == 0
    assert ours.nnz == theirs.nnz  # no explicit zeros stored


def test_repeated_tokens_count_as_sklearn_counts_them():
    tokens = ["w:退款", "w:退款", "#退款", "w:a"] * 3
    columns, values = hashed_words(tokens)
    expected = HASHER.transform([tokens])
    assert list(columns) == list(expected.indices)
    assert np.allclose(values, expected.data, rtol=0, atol=1e-15)
    assert [len(part) for part in hashed_words([])] == [0, 0]


def test_one_reading_is_its_cached_row_without_stacking():
    builder = FeatureBuilder()
    reading = _reading("我 的 訂單 還沒 到", 1)
    row = builder.matrix([reading])
    assert row is builder.matrix([reading]) is reading.rows[builder]
    assert row.shape == (1, builder.dense_from + 2 * 512 + len(FEATURE_NAMES))


def test_a_readings_fingerprint_sees_every_number_and_word():
    reading = _reading("外型 很 漂亮", seed=3)
    same = _reading("外型 很 漂亮", seed=3)
    assert reading.fingerprint() == same.fingerprint()
    # a number in the middle of a vector: str() of the array would not show it
    nudged = reading.vectors.copy()
    nudged[0, 256] += 1e-3
    changed = [
        Reading(words=reading.words, text=reading.text, vectors=nudged, cues=reading.cues),
        Reading(
            words=("外型很", "漂亮"), text=reading.text, vectors=reading.vectors, cues=reading.cues
        ),
        Reading(
            words=reading.words, text="外型很漂亮!", vectors=reading.vectors, cues=reading.cues
        ),
        Reading(words=reading.words, text=reading.text, vectors=reading.vectors, cues=(0.0,) * 17),
    ]
    assert len({reading.fingerprint(), *(r.fingerprint() for r in changed)}) == 5


def test_sentence_vectors_are_an_array_whose_fingerprint_sees_every_number():
    from rasa.shared.utils.io import deep_container_fingerprint

    from bot.nlu.reading_features import SentenceVectors

    plain = _reading("好", seed=1).vectors
    vectors = plain.copy().view(SentenceVectors)
    np.testing.assert_array_equal(np.asarray(vectors), plain)
    assert type(np.asarray(vectors)) is np.ndarray
    nudged = vectors.copy()
    nudged[1, 300] += 1e-3
    # what Rasa's training cache calls on a message's data
    assert deep_container_fingerprint(vectors) == deep_container_fingerprint(
        plain.copy().view(SentenceVectors)
    )
    assert deep_container_fingerprint(vectors) != deep_container_fingerprint(nudged)
    assert str(np.asarray(vectors)) == str(np.asarray(nudged))  # why str() would not do
