"""Rasa's FallbackClassifier, which also falls back when a message has no words at all.

An intent classifier classifies whatever features it gets: three angry emoji or a row of
punctuation can come out as a confident complaint type. A message with no letter, digit or
Chinese character carries a feeling (the sentiment component still reads it) but no
complaint type, so the honest intent is ``nlu_fallback``.
"""

from __future__ import annotations

import unicodedata

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


def has_words(text: str) -> bool:
    """True if ``text`` has at least one letter, digit or CJK character."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class WordlessFallbackClassifier(FallbackClassifier):
    """FallbackClassifier that also predicts ``nlu_fallback`` for wordless messages."""

    def _should_fallback(self, message: Message) -> bool:
        return not has_words(message.get(TEXT) or "") or super()._should_fallback(message)
