"""Rasa graph component: "is this a complaint at all?" before "which type?".

Runs after the intent reader and before the sentiment reader and the FallbackClassifier.
Trained during ``rasa train`` from the intents of the training examples
(:mod:`bot.nlu.complaint_model`). For every message it

* adds ``"complaint": {"is_complaint", "probability", "type", "confidence",
  "uncertain", "candidates"}`` to the parse result (always; see docs/nlu.md), and
* rewrites the intent ranking so that it agrees: a message read as no complaint never
  keeps a complaint intent, and the confidences are calibrated (DIET's, before, were
  near 1.0 when wrong).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.complaint_model import ComplaintModel, resolve_intents
from bot.nlu.constants import COMPLAINT
from bot.nlu.reader_component import ReaderComponent
from bot.nlu.reading import reading_of

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ComplaintReader(ReaderComponent[ComplaintModel]):
    """The calibrated complaint gate and type reader, blended with the intent reader
    (which runs before it at prediction time; its ranking is blended in)."""

    code_modules = ("bot.nlu.complaint", "bot.nlu.complaint_model")
    when_missing = "No complaint reader in the Rasa model; the intents stand as read"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**ReaderComponent.get_default_config(), "intent_weight": 0.3}

    @classmethod
    def empty_model(cls, config: Dict[str, Any]) -> ComplaintModel:
        return ComplaintModel(intent_weight=config["intent_weight"])

    def save_model(self, directory: Path) -> None:
        self._model.to_disk(directory)

    @classmethod
    def load_model(cls, directory: Path, config: Dict[str, Any]) -> ComplaintModel:
        return ComplaintModel.from_disk(directory, intent_weight=config["intent_weight"])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        logger.info("Training the complaint reader on %d examples", len(examples))
        self._model = ComplaintModel.train(
            [reading_of(m, self._lexicon) for m in examples],
            [m.get(INTENT) for m in examples],
            c=self._config["c"],
            intent_weight=self._config["intent_weight"],
        )
        return self.persist()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            reading = self._model.read(reading_of(message, self._lexicon), ranking)
            message.set(COMPLAINT, reading.as_dict(), add_to_output=True)
            if not self._model.trained or not ranking:
                continue
            resolved = resolve_intents(ranking, reading)
            message.set(INTENT_RANKING_KEY, resolved, add_to_output=True)
            message.set(INTENT, resolved[0], add_to_output=True)
        return messages
