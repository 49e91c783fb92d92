"""The reply library: the agent searches every reply template and knowledge article.

A pure search. :meth:`ReplyLibrary.build` puts the templates of ``data/replies/``
(:mod:`bot.assist.replies`) and the articles of ``data/knowledge/`` into one BM25 index
(:class:`bot.knowledge.ranking.KnowledgeIndex`, with the knowledge index's own words:
the NLU's jieba segmentation, never a second tokenizer). A template is indexed by its
technique and stage labels (as its title) and its text, each placeholder read as what it
stands for (``{order_id}`` as 訂單編號), so 「訂單編號」 finds the templates that ask for it.

:meth:`ReplyLibrary.search` filters by technique and stage, ranks for the words ``q``
(an empty ``q`` lists everything the filters keep, in file order, templates first) and
fills each template with the conversation's details (the placeholder values of
:func:`bot.assist.suggest.details_from` and the turn); a placeholder that is not known is
shown as a readable gap, 〔訂單編號〕, for the agent to complete, never as ``{order_id}``.

A knowledge article is a plain explanation: its technique is ``clear_explanation`` and it
has no stage, so a stage filter leaves articles out.

Exceptions::

    LibraryError            a search the library cannot answer
    ├── UnknownTechnique    the technique filter is not one of TECHNIQUES
    ├── UnknownStage        the stage filter is not one of STAGES
    ├── QueryTooLong        q is longer than MAX_QUERY characters
    └── InvalidSnippet      an agent's snippet is empty, too long or has a wrong {slot}

An agent's own saved snippets (kind ``snippet``, stored per agent: bot/store/snippets.py)
are searched too, before the rest: the ones sharing a word with ``q`` (scored by the idf
of the shared words in the library's index), or all of them when ``q`` is empty. They have
no technique or stage, so a technique or stage filter leaves them out. A snippet may use
the templates' placeholders ({customer} …), filled the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.assist.emotion import EMOTIONS
from bot.assist.replies import PLACEHOLDERS, Replies, Template
from bot.assist.suggest import details_from
from bot.assist.summary import said_from_slots
from bot.knowledge import Article, KnowledgeIndex
from bot.knowledge.ranking import content_words
from bot.labels import STAGES, TECHNIQUES

MAX_QUERY = 50  # characters
MAX_RESULTS = 20
MAX_SNIPPET = 300  # characters of an agent's snippet
KNOWLEDGE_TECHNIQUE = "clear_explanation"
ANY_STAGE = "any"  # a template that answers a question at every stage (answers.yml)
# what each placeholder stands for, shown in its place when the conversation does not say
SLOT_LABELS = {
    "customer": "顧客稱呼",
    "product": "商品名稱",
    "order_id": "訂單編號",
    "amount": "金額",
    "date": "日期",
    "agent": "客服姓名",
    "problem": "顧客遇到的問題",
    "impact": "造成的影響",
    "request": "顧客的要求",
    "feeling": "顧客的心情",
    "options": "可提供的方案",
    "remedy": "接下來的處理",
    "gesture": "補償的心意",
    "item": "商品或服務",
    "booking": "訂單或預約",
    "ref": "訂單編號或聯絡電話",
    "moments": "發生的時機",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class LibraryError(ValueError):
    """A search the library cannot answer; the message says why, in a sentence."""


class UnknownTechnique(LibraryError):
    def __init__(self, technique: str) -> None:
        self.technique = technique
        super().__init__(f"technique must be one of {sorted(TECHNIQUES)}, not {technique!r}")


class UnknownStage(LibraryError):
    def __init__(self, stage: str) -> None:
        self.stage = stage
        super().__init__(f"stage must be one of {sorted(STAGES)}, not {stage!r}")


class QueryTooLong(LibraryError):
    def __init__(self, length: int) -> None:
        self.length = length
        super().__init__(f"q is {length} characters long (at most {MAX_QUERY})")


class InvalidSnippet(LibraryError):
    """An agent's snippet cannot be kept; ``reason`` is one of ``empty``, ``long``,
    ``placeholder``, ``brace`` and the message says more."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class Snippet:
    id: str
    text: str


def check_snippet(text: object) -> str:
    """The snippet's text, stripped; raises :class:`InvalidSnippet`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidSnippet("empty", "a snippet needs some text")
    text = text.strip()
    if len(text) > MAX_SNIPPET:
        raise InvalidSnippet("long", f"a snippet is at most {MAX_SNIPPET} characters")
    names = set(_PLACEHOLDER.findall(text))
    if names - PLACEHOLDERS:
        raise InvalidSnippet(
            "placeholder", f"unknown placeholder(s) {sorted(names - PLACEHOLDERS)}"
        )
    rest = _PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise InvalidSnippet("brace", "a brace that is not a placeholder")
    return text


@dataclass(frozen=True)
class Query:
    q: str = ""
    technique: Optional[str] = None
    stage: Optional[str] = None
    limit: int = MAX_RESULTS

    def checked(self) -> "Query":
        """The query with blank filters as None; a bad filter or a long q raises."""
        technique = (self.technique or "").strip() or None
        stage = (self.stage or "").strip() or None
        if technique is not None and technique not in TECHNIQUES:
            raise UnknownTechnique(technique)
        if stage is not None and stage not in STAGES:
            raise UnknownStage(stage)
        if len(self.q) > MAX_QUERY:
            raise QueryTooLong(len(self.q))
        return Query(self.q.strip(), technique, stage, max(1, min(self.limit, MAX_RESULTS)))


@dataclass(frozen=True)
class Result:
    id: str
    kind: str  # "template" | "knowledge" | "snippet"
    technique: Optional[str]  # None for a snippet
    stage: Optional[str]  # None for an article; "any" for a template of every stage
    text: str  # filled; unknown details as 〔…〕
    title: Optional[str] = None  # an article's title
    missing: Tuple[str, ...] = ()  # the placeholders the conversation did not fill
    score: float = 0.0

    def as_dict(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "technique": self.technique,
            "technique_label": TECHNIQUES[self.technique] if self.technique else None,
            "stage": self.stage,
            "stage_label": STAGES.get(self.stage) if self.stage else None,
            "text": self.text,
            "missing": list(self.missing),
            "score": self.score,
        }
        if self.title is not None:
            body["title"] = self.title
        return body


def gap(name: str) -> str:
    """The readable gap shown for an unknown placeholder: 〔訂單編號〕."""
    return f"〔{SLOT_LABELS.get(name, name)}〕"


def fill(text: str, details: Mapping[str, str]) -> Tuple[str, Tuple[str, ...]]:
    """``text`` with every known placeholder filled and every other one a readable gap;
    also the names of the unknown ones, in order of appearance."""
    missing: List[str] = []

    def one(match: "re.Match[str]") -> str:
        name = match.group(1)
        value = (details.get(name) or "").strip()
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return gap(name)

    return _PLACEHOLDER.sub(one, text), tuple(missing)


def _entity(entities: Any, name: str) -> Optional[Any]:
    """The last value of entity ``name`` among the turn's entities."""
    found = None
    for entity in entities if isinstance(entities, list) else ():
        if isinstance(entity, Mapping) and entity.get("entity") == name:
            found = entity.get("value") if entity.get("value") not in ("", None) else found
    return found


def _amount(value: Any) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.replace(",", "").isdigit():
        return float(value.replace(",", ""))
    return None


def details_from_assist(
    payload: Mapping[str, Any],
    agent: Optional[str] = None,
    words: Optional[Mapping[str, str]] = None,
) -> Dict[str, str]:
    """The placeholder values a conversation's latest assist payload (as stored with the
    conversation, docs/openapi.yaml Assist) knows: the customer's title, the order and
    its product, the amount and date the customer named, what they said (problem, impact,
    request) and the emotion read; ``agent`` is the caller's name and ``words`` the
    business's words (:meth:`Replies.words`)."""
    analysis = payload.get("analysis") or {}
    context = payload.get("context") or {}
    customer = context.get("customer") or {}
    order = context.get("order") or {}
    entities = analysis.get("entities")
    products = order.get("products") or []
    product = products[0] if products and isinstance(products[0], str) else None
    date = _entity(entities, "date")
    details = dict(words or {})
    details.update(
        details_from(
            customer=customer.get("title"),
            product=product or _entity(entities, "product"),
            order_id=order.get("id") or _entity(entities, "order_id"),
            amount=_amount(_entity(entities, "amount")),
            date=date if isinstance(date, str) else None,
            agent=agent,
        )
    )
    details.update(said_from_slots(analysis.get("customer_said") or {}).details())
    emotion = analysis.get("emotion")
    if emotion in EMOTIONS:
        details["feeling"] = EMOTIONS[emotion]
    return details


@dataclass(frozen=True)
class _Entry:
    kind: str
    template: Optional[Template] = None
    article: Optional[Article] = None

    @property
    def technique(self) -> str:
        return self.template.technique if self.template else KNOWLEDGE_TECHNIQUE

    @property
    def stage(self) -> Optional[str]:
        return self.template.stage if self.template else None

    def keeps(self, query: Query) -> bool:
        if query.technique is not None and self.technique != query.technique:
            return False
        if query.stage is not None and self.stage not in (query.stage, ANY_STAGE):
            return False
        return True

    def result(self, details: Mapping[str, str], score: float) -> Result:
        if self.template is not None:
            text, missing = fill(self.template.text, details)
            return Result(
                self.template.id, "template", self.technique, self.stage, text, None, missing, score
            )
        assert self.article is not None
        return Result(
            self.article.id,
            "knowledge",
            self.technique,
            None,
            self.article.text,
            self.article.title,
            (),
            score,
        )


def _document(template: Template, key: str) -> Article:
    """A template as the index reads it: labels for title, placeholders as their meaning."""
    text = _PLACEHOLDER.sub(lambda m: SLOT_LABELS.get(m.group(1), ""), template.text)
    labels = [TECHNIQUES[template.technique], STAGES.get(template.stage, "")]
    return Article(key, " ".join(label for label in labels if label), text, "")


@dataclass(frozen=True)
class ReplyLibrary:
    entries: Tuple[_Entry, ...]
    index: KnowledgeIndex  # over the entries, in the same order

    @classmethod
    def build(cls, replies: Replies, knowledge: KnowledgeIndex) -> "ReplyLibrary":
        """Every template, then every article of ``knowledge``, ranked with its words."""
        entries: List[_Entry] = []
        documents: List[Article] = []
        for n, template in enumerate(replies.templates):
            entries.append(_Entry("template", template=template))
            documents.append(_document(template, f"t{n}"))
        for n, article in enumerate(knowledge.articles):
            entries.append(_Entry("knowledge", article=article))
            documents.append(Article(f"k{n}", article.title, article.text, "", article.keywords))
        index = KnowledgeIndex.build(documents, knowledge.words, min_score=0.0)
        return cls(tuple(entries), index)

    def _snippets(
        self, query: Query, snippets: Sequence[Snippet], details: Mapping[str, str]
    ) -> List[Result]:
        """The agent's snippets for this query (none under a technique or stage filter)."""
        if query.technique is not None or query.stage is not None:
            return []
        if not query.q:
            chosen = [(snippet, 0.0) for snippet in snippets]
        else:
            words = set(content_words(self.index.words(query.q)))
            unseen = max(self.index.idf.values(), default=1.0)  # a word no template has
            chosen = []
            for snippet in snippets:
                shared = words & set(content_words(self.index.words(snippet.text)))
                if shared:
                    chosen.append((snippet, sum(self.index.idf.get(w, unseen) for w in shared)))
            chosen.sort(key=lambda pair: -pair[1])
        results = []
        for snippet, score in chosen:
            text, missing = fill(snippet.text, details)
            results.append(
                Result(snippet.id, "snippet", None, None, text, None, missing, round(score, 3))
            )
        return results

    def search(
        self,
        query: Query,
        details: Optional[Mapping[str, str]] = None,
        snippets: Sequence[Snippet] = (),
    ) -> List[Result]:
        """At most ``query.limit`` results, best first (the agent's ``snippets`` before
        the library); raises :class:`LibraryError`."""
        query = query.checked()
        details = details or {}
        own = self._snippets(query, snippets, details)[: query.limit]
        kept = [n for n, entry in enumerate(self.entries) if entry.keeps(query)]
        if not query.q:
            chosen: Sequence[Tuple[int, float]] = [(n, 0.0) for n in kept]
        else:
            position = {document.id: n for n, document in enumerate(self.index.articles)}
            allowed = set(kept)
            scored = [
                (position[document.id], score) for document, score in self.index.scores(query.q)
            ]
            # best first; equal scores in file order (the sort is stable)
            chosen = [(n, score) for n, score in scored if n in allowed and score > 0]
        rest = query.limit - len(own)
        return own + [
            self.entries[n].result(details, round(score, 3)) for n, score in chosen[:rest]
        ]
