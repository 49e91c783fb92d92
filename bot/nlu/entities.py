"""Rule-based entities: ``order_id``, ``amount``, ``product`` and ``date``.

:func:`extract` is pure: it reads a script-normalised text and returns spans whose
offsets are valid in the original text too (normalisation keeps offsets). Values are
normalised: amounts to an integer of NT$, order ids to upper case, products and dates to
their Traditional spelling (synonyms are mapped afterwards by Rasa's
EntitySynonymMapper).

:class:`RuleEntityExtractor` is the Rasa graph component: at training time it takes the
product names from the ``product`` lookup table and the entity synonyms of the training
data and stores them in the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.amounts import find_amounts
from bot.nlu.constants import NORMALIZED_TEXT
from bot.nlu.fingerprint import fingerprint
from bot.nlu.script import to_traditional

_ORDER_KEYWORD = (
    r"(?:訂單編號|訂單號碼|訂單號|訂單|單號|編號|代號|訂位代號|訂房代號|託運單號|"
    r"追蹤碼|order\s*(?:id|no\.?|number)?|#)"
)
# after a keyword: any code with at least three digits (HB7721, 58213377, A-00912)
_ORDER_AFTER_KEYWORD = re.compile(
    _ORDER_KEYWORD + r"\s*(?:是|為|:|：)?\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]{3,24})",
    re.IGNORECASE,
)
# anywhere: letters followed by many digits (TW20241103015), or a long run of digits
_ORDER_STANDALONE = re.compile(
    r"(?<![A-Za-z0-9])(?P<id>[A-Za-z]{1,4}-?\d{6,20}[A-Za-z0-9]*|\d{9,20})(?![A-Za-z0-9])"
)
_MOBILE = re.compile(r"09\d{8}")

_CN_NUM = "一二三四五六七八九十兩"
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*[日號])?"
    r"|(?<![\d/])\d{1,2}\s*[/月]\s*\d{1,2}(?:\s*[日號])?(?![\d/])"
    rf"|[{_CN_NUM}]{{1,3}}月[{_CN_NUM}]{{1,3}}[日號]"
    r"|(?:上上|上|這|本|下)?(?:個)?(?:週|周|禮拜|星期)[一二三四五六日天1-7末]"
    r"|(?<![\d])\d{1,2}\s*[號](?=[^碼]|$)"
    r"|大前天|前天|昨天|今天|明天|後天|昨晚|今早|今晚|昨天晚上|前幾天|上週|上周|上禮拜|上星期"
    r"|這週|這禮拜|上個月|這個月|上個禮拜|月初|月底|去年|前陣子|週末|周末"
)


@dataclass(frozen=True)
class EntitySpan:
    """One entity: ``entity`` found at ``[start, end)`` with a normalised ``value``."""

    entity: str
    start: int
    end: int
    value: Any

    def as_rasa(self, extractor: str) -> Dict[str, Any]:
        return {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "extractor": extractor,
            "confidence_entity": 1.0,
        }


def _order_ids(text: str) -> List[EntitySpan]:
    spans = []
    for m in _ORDER_AFTER_KEYWORD.finditer(text):
        code = m.group("id").rstrip("-")
        if sum(ch.isdigit() for ch in code) >= 3:
            spans.append(
                EntitySpan("order_id", m.start("id"), m.start("id") + len(code), code.upper())
            )
    for m in _ORDER_STANDALONE.finditer(text):
        code = m.group("id")
        if _MOBILE.fullmatch(code) or any(s.start <= m.start() < s.end for s in spans):
            continue  # a mobile number is not an order number
        spans.append(EntitySpan("order_id", m.start(), m.end(), code.upper()))
    return spans


def _products(text: str, pattern: re.Pattern | None) -> List[EntitySpan]:
    if pattern is None:
        return []
    return [EntitySpan("product", m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def _dates(text: str) -> List[EntitySpan]:
    return [EntitySpan("date", m.start(), m.end(), m.group().strip()) for m in _DATE.finditer(text)]


def product_pattern(names: Iterable[str]) -> re.Pattern | None:
    """A pattern matching any of ``names``, longest first (手機殼 before 手機)."""
    unique = sorted({to_traditional(n.strip()) for n in names if n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(re.escape(n) for n in unique), re.IGNORECASE)


def extract(normalized_text: str, products: re.Pattern | None = None) -> List[EntitySpan]:
    """All entities in a script-normalised text, without overlaps, left to right.

    Order ids win over amounts and dates that overlap them (20241103 inside an order
    number is not a date); amounts win over dates.
    """
    candidates = (
        _order_ids(normalized_text)
        + [EntitySpan("amount", a.start, a.end, a.value) for a in find_amounts(normalized_text)]
        + _products(normalized_text, products)
        + _dates(normalized_text)
    )
    chosen: List[EntitySpan] = []
    for span in candidates:  # earlier kinds have priority
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts order ids, amounts, products and dates by rule (see :func:`extract`)."""

    _FILE = "products.json"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"product_lookup": "product"}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        products: List[str] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._products = products or []
        self._pattern = product_pattern(self._products)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleEntityExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Retrain when the extraction rules change."""
        import bot.nlu.amounts
        import bot.nlu.entities

        return fingerprint([bot.nlu.entities, bot.nlu.amounts])

    def train(self, training_data: TrainingData) -> Resource:
        """Collect the product names (lookup table plus synonyms) and store them."""
        names: List[str] = []
        for table in training_data.lookup_tables:
            if table.get("name") == self._config["product_lookup"]:
                elements = table.get("elements")
                names.extend(elements if isinstance(elements, list) else [])
        names.extend(training_data.entity_synonyms.keys())
        names.extend(training_data.entity_synonyms.values())
        self._products = sorted({n for n in names if n})
        self._pattern = product_pattern(self._products)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self._FILE).write_text(
                json.dumps(self._products, ensure_ascii=False), encoding="utf-8"
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
    ) -> RuleEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                products = json.loads((directory / cls._FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            products = []
        return cls(config, model_storage, resource, products)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            normalized = message.get(NORMALIZED_TEXT) or to_traditional(text)
            spans = extract(normalized, self._pattern)
            entities = message.get(ENTITIES, []) + [
                s.as_rasa(self.__class__.__name__) for s in spans
            ]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
