"""Rasa glue: the :class:`~bot.nlu.reading_features.Reading` of a Rasa message.

Built once per message and kept on it (``kefu_reading``), so the intent, complaint and sentiment
readers share the words, the sentence vectors and the polarity cues.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.io import read_yaml_file

from bot.nlu.constants import NORMALIZED_TEXT, SENTENCE_VECTORS
from bot.nlu.polarity import Lexicon, cues
from bot.nlu.reading_features import Reading, empty_vectors
from bot.nlu.script import to_traditional

_READING = "kefu_reading"


def load_lexicon(path: str | Path) -> Lexicon:
    return Lexicon.from_dict(read_yaml_file(str(path)) or {})


def reading_of(message: Message, lexicon: Lexicon) -> Reading:
    """The message's reading (computed on first use, then cached on the message)."""
    cached = message.get(_READING)
    if isinstance(cached, Reading):
        return cached
    text = message.get(NORMALIZED_TEXT) or to_traditional(message.get(TEXT) or "")
    vectors = message.get(SENTENCE_VECTORS)
    reading = Reading(
        words=tuple(t.text for t in message.get(TOKENS_NAMES[TEXT], []) or []),
        text=text,
        vectors=np.asarray(vectors) if vectors is not None else empty_vectors(),
        cues=cues(text, lexicon),
    )
    message.set(_READING, reading)
    return reading
