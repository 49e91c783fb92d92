"""Rasa graph component: the customer's sentiment on every message.

Trained during ``rasa train`` from the ``sentiment`` metadata of the training examples
(see docs/training-data.md) and persisted inside the Rasa model. It reads the words, the
sentence vectors and the polarity cues (:mod:`bot.nlu.sentiment_model`), never the
intent, and runs before the FallbackClassifier. Adds ``"sentiment": {"label", "score"}``
to the parse result, always, even for an empty message.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import METADATA
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.constants import SENTIMENT
from bot.nlu.fingerprint import fingerprint
from bot.nlu.polarity import Lexicon
from bot.nlu.reading import load_lexicon, reading_of
from bot.nlu.sentence_featurizer import SentenceEncoderFeaturizer
from bot.nlu.sentiment_model import SentimentModel, example_label

logger = logging.getLogger(__name__)
_LEXICON_FILE = "lexicon.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentimentAnalyzer(GraphComponent):
    """Classifies each message as negative, neutral or positive with a score."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer, SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"lexicon_file": "data/dict/sentiment_lexicon.yml", "c": 3.0}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: SentimentModel | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model or SentimentModel()
        self._lexicon = lexicon or Lexicon()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentimentAnalyzer:
        return cls(config, model_storage, resource, lexicon=load_lexicon(config["lexicon_file"]))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when the sentiment code or the lexicon changes."""
        import bot.nlu.linear
        import bot.nlu.polarity
        import bot.nlu.reading
        import bot.nlu.reading_features
        import bot.nlu.sentiment
        import bot.nlu.sentiment_model

        return fingerprint(
            [
                bot.nlu.sentiment,
                bot.nlu.sentiment_model,
                bot.nlu.linear,
                bot.nlu.polarity,
                bot.nlu.reading,
                bot.nlu.reading_features,
            ],
            [Path({**cls.get_default_config(), **config}["lexicon_file"])],
        )

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [
            (reading_of(m, self._lexicon), example_label(m.get(METADATA)))
            for m in training_data.intent_examples
        ]
        pairs = [(r, y) for r, y in pairs if y]
        logger.info("Training sentiment on %d labelled examples", len(pairs))
        self._model = SentimentModel.train(
            [r for r, _ in pairs], [y for _, y in pairs], c=self._config["c"]
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._model.to_disk(directory)
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
    ) -> SentimentAnalyzer:
        try:
            with model_storage.read_from(resource) as directory:
                model = SentimentModel.from_disk(directory)
                lexicon = Lexicon.from_dict(
                    json.loads((directory / _LEXICON_FILE).read_text(encoding="utf-8"))
                )
        except (ValueError, FileNotFoundError):
            logger.warning("No sentiment model in the Rasa model; every message is neutral")
            model, lexicon = SentimentModel(), Lexicon()
        return cls(config, model_storage, resource, model, lexicon)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            sentiment = self._model.predict(reading_of(message, self._lexicon))
            message.set(SENTIMENT, sentiment.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
