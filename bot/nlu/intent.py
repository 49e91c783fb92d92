"""Rasa graph component: the intent, from the same reading as the complaint and sentiment readers.

A regularised logistic regression (:mod:`bot.nlu.linear`) over the words, character
bigrams, the two sentence vectors and the polarity cues of each message, trained on every
intent of ``data/nlu``. It replaced DIET (see docs/nlu.md, "Why not DIET"): on the held-out
set it is as accurate, it trains in one to two minutes instead of most of an hour on the
grown data, and its probabilities are calibrated, not near 1.0 when wrong. Sets ``intent`` and
``intent_ranking`` (the ten most likely) like any Rasa intent classifier.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.fingerprint import fingerprint
from bot.nlu.linear import LinearReader
from bot.nlu.polarity import Lexicon
from bot.nlu.reading import load_lexicon, reading_of
from bot.nlu.sentence_featurizer import SentenceEncoderFeaturizer

logger = logging.getLogger(__name__)
_MODEL_FILE = "intent.pkl"
_LEXICON_FILE = "lexicon.json"
RANKING_LENGTH = 10


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentReader(GraphComponent):
    """Logistic regression over the message's reading, all intents."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"lexicon_file": "data/dict/sentiment_lexicon.yml", "c": 3.0}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        reader: LinearReader | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._reader = reader or LinearReader()
        self._lexicon = lexicon or Lexicon()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentReader:
        return cls(config, model_storage, resource, lexicon=load_lexicon(config["lexicon_file"]))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        import bot.nlu.intent
        import bot.nlu.linear
        import bot.nlu.polarity
        import bot.nlu.reading
        import bot.nlu.reading_features

        return fingerprint(
            [
                bot.nlu.intent,
                bot.nlu.linear,
                bot.nlu.polarity,
                bot.nlu.reading,
                bot.nlu.reading_features,
            ],
            [Path({**cls.get_default_config(), **config}["lexicon_file"])],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        logger.info("Training the intent reader on %d examples", len(examples))
        self._reader = LinearReader.train(
            [reading_of(m, self._lexicon) for m in examples],
            [m.get(INTENT) for m in examples],
            c=self._config["c"],
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._reader.to_file(directory / _MODEL_FILE)
            (directory / _LEXICON_FILE).write_text(
                json.dumps(self._lexicon.as_dict(), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentReader:
        try:
            with model_storage.read_from(resource) as directory:
                reader = LinearReader.from_file(directory / _MODEL_FILE)
                lexicon = Lexicon.from_dict(
                    json.loads((directory / _LEXICON_FILE).read_text(encoding="utf-8"))
                )
        except (ValueError, FileNotFoundError):
            logger.warning("No intent reader in the Rasa model; no intents")
            reader, lexicon = LinearReader(), Lexicon()
        return cls(config, model_storage, resource, reader, lexicon)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._reader.trained:
            return messages
        readings = [reading_of(m, self._lexicon) for m in messages]
        for message, row in zip(messages, self._reader.probabilities(readings)):
            order = np.argsort(-row)[:RANKING_LENGTH]
            ranking = [
                {"name": self._reader.classes[i], "confidence": float(row[i])} for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
