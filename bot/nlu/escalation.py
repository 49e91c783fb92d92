"""Rasa graph component: flags escalating disputes on every message.

Runs after the intent classifier and :class:`bot.nlu.sentiment.SentimentAnalyzer` and
adds ``"escalation": {"flag", "cues"}`` to the parse result (docs/design.md#parse-output).
The cue lexicon is read from ``cues_file`` at training time and stored in the model. No
state is kept between messages: repetition across turns is the dialogue's job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_yaml_file

from bot.nlu.constants import ESCALATION, NORMALIZED_TEXT, SENTIMENT
from bot.nlu.escalation_rules import CueLexicon, detect
from bot.nlu.fingerprint import fingerprint
from bot.nlu.script import to_traditional


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EscalationDetector(GraphComponent):
    """Combines escalation cues with the message's sentiment and intent."""

    _FILE = "escalation_cues.json"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"cues_file": "data/dict/escalation_cues.yml"}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: CueLexicon | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = lexicon or CueLexicon()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EscalationDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when the rules or the cue file change."""
        import bot.nlu.escalation
        import bot.nlu.escalation_rules

        return fingerprint(
            [bot.nlu.escalation, bot.nlu.escalation_rules],
            [Path({**cls.get_default_config(), **config}["cues_file"])],
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Read the cue lexicon and store it in the model."""
        path = Path(self._config["cues_file"])
        self._lexicon = CueLexicon.from_dict(read_yaml_file(path) or {})
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self._FILE).write_text(
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
    ) -> EscalationDetector:
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / cls._FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, CueLexicon.from_dict(data))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(NORMALIZED_TEXT) or to_traditional(message.get(TEXT) or "")
            sentiment = message.get(SENTIMENT) or {}
            intent = message.get(INTENT) or {}
            escalation = detect(
                text,
                float(sentiment.get("score", 0.0)),
                self._lexicon,
                intent.get("name"),
                float(intent.get("confidence") or 0.0),
            )
            message.set(ESCALATION, escalation.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
