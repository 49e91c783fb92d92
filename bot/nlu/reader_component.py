"""What the three readers (intent, complaint, sentiment) share as Rasa graph components.

Each reads a message through :func:`bot.nlu.reading.reading_of` (the words, character
bigrams, the two sentence vectors and the polarity cues of the lexicon) and keeps a
trained model beside the lexicon it was trained with, inside the Rasa model. A subclass
says which model it keeps (:meth:`empty_model`, :meth:`save_model`, :meth:`load_model`),
which of our modules its training depends on (:attr:`code_modules`, fingerprinted with
the reading's own modules and the lexicon file, so editing any of them retrains it) and
what it does with a message (``train``, ``process``).
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any, ClassVar, Dict, Generic, List, Optional, Tuple, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.fingerprint import fingerprint
from bot.nlu.polarity import Lexicon
from bot.nlu.reading import load_lexicon
from bot.nlu.sentence_featurizer import SentenceEncoderFeaturizer

logger = logging.getLogger(__name__)

Model = TypeVar("Model")
Reader = TypeVar("Reader", bound="ReaderComponent")
_LEXICON_FILE = "lexicon.json"
# what every reading depends on, besides the reader's own modules
READING_MODULES = (
    "bot.nlu.reader_component",
    "bot.nlu.linear",
    "bot.nlu.polarity",
    "bot.nlu.reading",
    "bot.nlu.reading_features",
)


class ReaderComponent(GraphComponent, Generic[Model]):
    """A trained reader of messages and its lexicon, persisted in the Rasa model."""

    code_modules: ClassVar[Tuple[str, ...]] = ()
    when_missing: ClassVar[str] = "No trained reader in the Rasa model"

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
        model: Optional[Model] = None,
        lexicon: Optional[Lexicon] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model: Model = model if model is not None else self.empty_model(config)
        self._lexicon = lexicon or Lexicon()

    # what a subclass keeps

    @classmethod
    def empty_model(cls, config: Dict[str, Any]) -> Model:
        raise NotImplementedError

    def save_model(self, directory: Path) -> None:
        raise NotImplementedError

    @classmethod
    def load_model(cls, directory: Path, config: Dict[str, Any]) -> Model:
        raise NotImplementedError

    # the graph component's life

    @classmethod
    def create(
        cls: Type[Reader],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Reader:
        return cls(config, model_storage, resource, lexicon=load_lexicon(config["lexicon_file"]))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the reader's code, the reading's code or the lexicon changes."""
        modules = [importlib.import_module(name) for name in (*cls.code_modules, *READING_MODULES)]
        lexicon = Path({**cls.get_default_config(), **config}["lexicon_file"])
        return fingerprint(modules, [lexicon])

    def persist(self) -> Resource:
        """The trained model and the lexicon it read with, into the Rasa model."""
        with self._model_storage.write_to(self._resource) as directory:
            self.save_model(directory)
            (directory / _LEXICON_FILE).write_text(
                json.dumps(self._lexicon.as_dict(), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls: Type[Reader],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Reader:
        try:
            with model_storage.read_from(resource) as directory:
                model = cls.load_model(directory, config)
                lexicon = Lexicon.from_dict(
                    json.loads((directory / _LEXICON_FILE).read_text(encoding="utf-8"))
                )
        except (ValueError, FileNotFoundError):
            logger.warning(cls.when_missing)
            model, lexicon = cls.empty_model(config), Lexicon()
        return cls(config, model_storage, resource, model, lexicon)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
