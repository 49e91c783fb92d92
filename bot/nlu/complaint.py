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

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.complaint_model import ComplaintModel, resolve_intents
from bot.nlu.constants import COMPLAINT
from bot.nlu.fingerprint import fingerprint
from bot.nlu.polarity import Lexicon
from bot.nlu.reading import load_lexicon, reading_of
from bot.nlu.sentence_featurizer import SentenceEncoderFeaturizer

logger = logging.getLogger(__name__)
_LEXICON_FILE = "lexicon.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ComplaintReader(GraphComponent):
    """The calibrated complaint gate and type reader, blended with the intent reader."""

    @classmethod
    def required_components(cls) -> List[Type]:
        # the intent reader runs before it at prediction time; its ranking is blended in
        return [SentenceEncoderFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"lexicon_file": "data/dict/sentiment_lexicon.yml", "c": 3.0, "intent_weight": 0.3}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: ComplaintModel | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model or ComplaintModel(intent_weight=config["intent_weight"])
        self._lexicon = lexicon or Lexicon()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ComplaintReader:
        return cls(config, model_storage, resource, lexicon=load_lexicon(config["lexicon_file"]))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        import bot.nlu.complaint
        import bot.nlu.complaint_model
        import bot.nlu.linear
        import bot.nlu.polarity
        import bot.nlu.reading
        import bot.nlu.reading_features

        return fingerprint(
            [
                bot.nlu.complaint,
                bot.nlu.complaint_model,
                bot.nlu.linear,
                bot.nlu.polarity,
                bot.nlu.reading,
                bot.nlu.reading_features,
            ],
            [Path({**cls.get_default_config(), **config}["lexicon_file"])],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        logger.info("Training the complaint reader on %d examples", len(examples))
        self._model = ComplaintModel.train(
            [reading_of(m, self._lexicon) for m in examples],
            [m.get(INTENT) for m in examples],
            c=self._config["c"],
            intent_weight=self._config["intent_weight"],
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
    ) -> ComplaintReader:
        try:
            with model_storage.read_from(resource) as directory:
                model = ComplaintModel.from_disk(directory, intent_weight=config["intent_weight"])
                lexicon = Lexicon.from_dict(
                    json.loads((directory / _LEXICON_FILE).read_text(encoding="utf-8"))
                )
        except (ValueError, FileNotFoundError):
            logger.warning("No complaint reader in the Rasa model; the intents stand as read")
            model, lexicon = ComplaintModel(intent_weight=config["intent_weight"]), Lexicon()
        return cls(config, model_storage, resource, model, lexicon)

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

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
