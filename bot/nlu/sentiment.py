"""Rasa graph component: the customer's sentiment on every message.

Trained during ``rasa train`` from the ``sentiment`` metadata of the training examples
(see docs/training-data.md) and persisted inside the Rasa model. It reads the words, the
sentence vectors and the polarity cues (:mod:`bot.nlu.sentiment_model`), never the
intent, and runs before the FallbackClassifier. Adds ``"sentiment": {"label", "score"}``
to the parse result, always, even for an empty message.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import METADATA
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.constants import SENTIMENT
from bot.nlu.reader_component import ReaderComponent
from bot.nlu.reading import reading_of
from bot.nlu.sentence_featurizer import SentenceEncoderFeaturizer
from bot.nlu.sentiment_model import SentimentModel, example_label

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentimentAnalyzer(ReaderComponent[SentimentModel]):
    """Classifies each message as negative, neutral or positive with a score."""

    code_modules = ("bot.nlu.sentiment", "bot.nlu.sentiment_model")
    when_missing = "No sentiment model in the Rasa model; every message is neutral"

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer, SentenceEncoderFeaturizer]

    @classmethod
    def empty_model(cls, config: Dict[str, Any]) -> SentimentModel:
        return SentimentModel()

    def save_model(self, directory: Path) -> None:
        self._model.to_disk(directory)

    @classmethod
    def load_model(cls, directory: Path, config: Dict[str, Any]) -> SentimentModel:
        return SentimentModel.from_disk(directory)

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
        return self.persist()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            sentiment = self._model.predict(reading_of(message, self._lexicon))
            message.set(SENTIMENT, sentiment.as_dict(), add_to_output=True)
        return messages
