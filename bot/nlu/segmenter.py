"""The project's jieba segmenter: one construction for the NLU and the knowledge index.

Pure of Rasa (the action server imports it without loading Rasa or TensorFlow). The
segmenter is a ``jieba.Tokenizer`` of its own over the Traditional main dictionary
(:mod:`bot.nlu.dictionary`) with the domain dictionaries on top; text is normalised to
Traditional (:func:`bot.nlu.script.to_traditional`) by the callers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, List


def build_segmenter(main_dictionary: Path, user_dictionaries: List[Path]) -> Any:
    """Create and initialise a ``jieba.Tokenizer`` over the given dictionaries."""
    import jieba

    segmenter = jieba.Tokenizer(dictionary=str(main_dictionary))
    # jieba names its prefix-dict cache after the dictionary's path; name it after the
    # content so a model unpacked to a new temporary folder reuses the cache.
    digest = hashlib.sha256(main_dictionary.read_bytes()).hexdigest()[:16]
    segmenter.cache_file = f"kefu-jieba-{digest}.cache"
    segmenter.initialize()
    for path in user_dictionaries:
        segmenter.load_userdict(str(path))
    return segmenter
