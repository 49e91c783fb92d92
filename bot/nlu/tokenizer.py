"""Rasa's JiebaTokenizer, made to read Traditional Chinese.

Differences from :class:`rasa.nlu.tokenizers.jieba_tokenizer.JiebaTokenizer`:

* the main dictionary is the Traditional one derived from jieba's own
  (:mod:`bot.nlu.dictionary`), not jieba's Simplified ``dict.txt``;
* the domain dictionaries in ``dictionary_path`` are loaded on top of it;
* the text is normalised to Traditional (:func:`bot.nlu.script.to_traditional`) before
  segmentation, so Simplified input yields the same tokens as Traditional input. The
  normalisation keeps the length, so token offsets point into the original text;
* segmentation uses a ``jieba.Tokenizer`` owned by the component, not jieba's global
  one, and whitespace is not turned into tokens.

Both dictionaries are copied into the trained model, so a model never depends on the
machine's cache.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import deep_container_fingerprint, get_text_hash

from bot.nlu.constants import NORMALIZED_TEXT
from bot.nlu.dictionary import traditional_dictionary
from bot.nlu.fingerprint import fingerprint
from bot.nlu.script import to_traditional
from bot.nlu.segmenter import build_segmenter

logger = logging.getLogger(__name__)

_MAIN = "main_dict.txt"
_USER_DIR = "user"


def segment(segmenter: Any, text: str) -> List[Token]:
    """Tokens of ``text`` (normalised to Traditional), with offsets into ``text``."""
    return _segment_normalized(segmenter, to_traditional(text))


def _segment_normalized(segmenter: Any, normalized: str) -> List[Token]:
    # to_traditional keeps every character in place, so these offsets hold for the
    # original text as well
    return [
        _Token(word, start, end)
        for word, start, end in segmenter.tokenize(normalized)
        if word.strip()
    ]


class _Token(Token):
    """Rasa's token with a fingerprint that costs one hash (Rasa's: seven and two JSON
    dumps). Rasa's training cache hashes every token of every example at each step."""

    def fingerprint(self) -> str:
        data = deep_container_fingerprint(self.data) if self.data else ""
        fields = json.dumps([self.text, self.start, self.end, self.lemma, data], default=str)
        return get_text_hash(fields)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class TraditionalJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer with a Traditional main dictionary and script normalisation."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Rasa's JiebaTokenizer options plus where the derived dictionary is cached."""
        return {**JiebaTokenizer.get_default_config(), "cache_dir": ".cache"}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        main_dictionary: Path | None = None,
        user_dictionaries: List[Path] | None = None,
        segmenter: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._main_dictionary = main_dictionary
        self._user_dictionaries = user_dictionaries or []
        self._segmenter = segmenter

    @staticmethod
    def _user_dictionary_files(path: str | None) -> List[Path]:
        if not path:
            return []
        return sorted(p for p in Path(path).glob("*.txt") if p.is_file())

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TraditionalJiebaTokenizer:
        """Create the component for training: derive (or reuse) the dictionary."""
        main = traditional_dictionary(Path(config["cache_dir"]))
        user = cls._user_dictionary_files(config["dictionary_path"])
        return cls(config, model_storage, resource, main, user, build_segmenter(main, user))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when this code, the normalisation or a domain dictionary changes."""
        import bot.nlu.dictionary
        import bot.nlu.script
        import bot.nlu.segmenter
        import bot.nlu.tokenizer

        return fingerprint(
            [bot.nlu.tokenizer, bot.nlu.segmenter, bot.nlu.script, bot.nlu.dictionary],
            cls._user_dictionary_files(config.get("dictionary_path")),
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Copy both dictionaries into the model."""
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Write the main and domain dictionaries to the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            shutil.copy2(self._main_dictionary, directory / _MAIN)
            (directory / _USER_DIR).mkdir(exist_ok=True)
            for path in self._user_dictionaries:
                shutil.copy2(path, directory / _USER_DIR / path.name)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TraditionalJiebaTokenizer:
        """Load the dictionaries stored in the model and build the segmenter."""
        with model_storage.read_from(resource) as directory:
            user = sorted((directory / _USER_DIR).glob("*.txt"))
            segmenter = build_segmenter(directory / _MAIN, user)
        return cls(config, model_storage, resource, segmenter=segmenter)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Tokenize the attribute's text; for the message text keep the normalised copy."""
        normalized = to_traditional(message.get(attribute) or "")
        if attribute == TEXT:
            message.set(NORMALIZED_TEXT, normalized)
        return self._apply_token_pattern(_segment_normalized(self._segmenter, normalized))
