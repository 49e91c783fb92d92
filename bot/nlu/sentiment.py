"""Rasa graph component: the customer's sentiment on every message.

Trained during ``rasa train`` from the ``sentiment`` metadata of the training examples
(see docs/training-data.md) and persisted inside the Rasa model. It runs after the
intent classifier, whose prediction is one of its features, and before the
FallbackClassifier. Adds
``"sentiment": {"label", "score"}`` to the parse result (DESIGN.md §4), always, even for
an empty message.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_yaml_file

from bot.nlu.constants import SENTIMENT
from bot.nlu.fingerprint import fingerprint
from bot.nlu.sentiment_model import (
    PolarityLexicon,
    SentimentExample,
    SentimentModel,
    example_label,
)

logger = logging.getLogger(__name__)


def _example(message: Message, training: bool = False) -> SentimentExample:
    words = tuple(t.text for t in message.get(TOKENS_NAMES[TEXT], []))
    intent = message.get(INTENT)
    if isinstance(intent, dict):  # at run time: DIET's prediction
        intent = intent.get("name")
    label = example_label(message.get(METADATA)) if training else None
    return SentimentExample(words, intent or None, label)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentimentAnalyzer(GraphComponent):
    """Classifies each message as negative, neutral or positive with a score."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[str]:
        return ["spacy"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "lexicon_file": "data/dict/sentiment_lexicon.yml",
            "epochs": 20,
            "dropout": 0.2,
            "seed": 42,
            "architecture": "bow",
            "ngram_size": 2,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: SentimentModel | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model or SentimentModel(None)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentimentAnalyzer:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when the sentiment model code changes."""
        import bot.nlu.sentiment
        import bot.nlu.sentiment_model

        return fingerprint(
            [bot.nlu.sentiment, bot.nlu.sentiment_model],
            [Path({**cls.get_default_config(), **config}["lexicon_file"])],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [_example(m, training=True) for m in training_data.intent_examples]
        examples = [e for e in examples if e.label]
        logger.info("Training sentiment on %d labelled examples", len(examples))
        lexicon = PolarityLexicon.from_dict(read_yaml_file(self._config["lexicon_file"]) or {})
        self._model = SentimentModel.train(
            examples,
            lexicon,
            epochs=self._config["epochs"],
            dropout=self._config["dropout"],
            seed=self._config["seed"],
            architecture=self._config["architecture"],
            ngram_size=self._config["ngram_size"],
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._model.to_disk(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentimentAnalyzer:
        try:
            with model_storage.read_from(resource) as directory:
                model = SentimentModel.from_disk(directory)
        except ValueError:
            logger.warning("No sentiment model in the Rasa model; every message is neutral")
            model = SentimentModel(None)
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            sentiment = self._model.predict(_example(message))
            message.set(SENTIMENT, sentiment.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
