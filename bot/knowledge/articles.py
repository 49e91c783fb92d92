"""Knowledge articles: reading and checking ``data/knowledge/*.yml``.

One file per article, edited by supervisors::

    id: cooling_off                 # lower-case letters, digits and _; unique
    title: 網購七天鑑賞期／猶豫期
    text: |-                        # what the agent may paste; lines are joined as they
      收到商品的隔天起算七天內……       # are (no space is put between Chinese sentences)
    source: 消費者保護法第19條         # the rule it rests on
    keywords: [七天, 鑑賞期]          # optional: words customers use for it

A wrong file fails the load with :class:`InvalidArticle`, which names the file and the
field, so a supervisor's typo is found when the server starts, not by a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

FIELDS = frozenset({"id", "title", "text", "source", "keywords"})
MAX_TEXT = 600  # characters: a few sentences an agent can paste, not a whole regulation
MAX_TITLE = 40
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class KnowledgeError(ValueError):
    """The knowledge folder cannot be used (missing, or holds no article)."""


class InvalidArticle(KnowledgeError):
    """One article file is wrong; ``path`` and ``field`` say where."""

    def __init__(self, path: Path, field: Optional[str], problem: str) -> None:
        self.path = path
        self.field = field
        self.problem = problem
        where = f"{path}: field '{field}'" if field else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    source: str
    keywords: Tuple[str, ...] = ()

    def as_dict(self, score: float) -> Dict[str, Any]:
        """The article as the assist payload carries it (docs/openapi.yaml Knowledge)."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "score": round(score, 3),
        }


def _string(path: Path, data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if value is None:
        raise InvalidArticle(path, name, "is missing")
    if not isinstance(value, str):
        raise InvalidArticle(path, name, "must be text")
    # a block of lines is one paragraph: Chinese sentences need no space between them
    joined = "".join(line.strip() for line in value.splitlines())
    if not joined:
        raise InvalidArticle(path, name, "is empty")
    if len(joined) > limit:
        raise InvalidArticle(path, name, f"is {len(joined)} characters long (at most {limit})")
    return joined


def _keywords(path: Path, value: Any) -> Tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        raise InvalidArticle(path, "keywords", "must be a list of words")
    return tuple(k.strip() for k in value)


def read_article(path: Path) -> Article:
    """One article file, checked."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidArticle(path, None, f"not valid YAML ({error})") from error
    except UnicodeDecodeError as error:
        raise InvalidArticle(path, None, "not UTF-8 text") from error
    if not isinstance(data, dict):
        raise InvalidArticle(path, None, "expected a mapping of fields at the top")
    unknown = sorted(str(name) for name in data if name not in FIELDS)
    if unknown:
        raise InvalidArticle(
            path, unknown[0], f"is not a known field ({', '.join(sorted(FIELDS))})"
        )
    article_id = data.get("id")
    if not isinstance(article_id, str) or not _ID.match(article_id):
        raise InvalidArticle(
            path, "id", "must be lower-case letters, digits and _ (e.g. cooling_off)"
        )
    return Article(
        id=article_id,
        title=_string(path, data, "title", MAX_TITLE),
        text=_string(path, data, "text", MAX_TEXT),
        source=_string(path, data, "source", MAX_TEXT),
        keywords=_keywords(path, data.get("keywords")),
    )


def load_articles(folder: Path) -> Tuple[Article, ...]:
    """Every article in ``folder`` (``*.yml``, ``*.yaml``), in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KnowledgeError(f"{folder}: the knowledge folder does not exist")
    paths = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    articles = []
    seen: Dict[str, Path] = {}
    for path in paths:
        article = read_article(path)
        if article.id in seen:
            raise InvalidArticle(
                path, "id", f"'{article.id}' is already used by {seen[article.id]}"
            )
        seen[article.id] = path
        articles.append(article)
    if not articles:
        raise KnowledgeError(f"{folder}: no article (*.yml) in the knowledge folder")
    return tuple(articles)
