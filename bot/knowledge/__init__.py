"""Knowledge suggestions: the policy article that fits what the customer just asked.

Articles live in ``data/knowledge/`` (one YAML file each, docs/knowledge.md);
:func:`load_articles` reads and checks them, :class:`KnowledgeIndex` ranks them for a
customer message with BM25 over the project's jieba words, and :func:`shared_index`
gives the process one index, built on first use.

Exceptions::

    KnowledgeError          the folder cannot be read
    └── InvalidArticle      one file is wrong: names the file and the field
"""

from bot.knowledge.articles import Article, InvalidArticle, KnowledgeError, load_articles
from bot.knowledge.ranking import KnowledgeIndex, Words
from bot.knowledge.shared import jieba_words, preload, shared_index

__all__ = [
    "Article",
    "InvalidArticle",
    "KnowledgeError",
    "KnowledgeIndex",
    "Words",
    "jieba_words",
    "load_articles",
    "preload",
    "shared_index",
]
