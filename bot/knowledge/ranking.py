"""Ranking articles for a customer message: BM25 over words.

Each article is one document: its title and keywords (counted twice: they are the words
customers use for the topic) and its text. A message is scored against every article
with Okapi BM25 (k1 = 1.2, b = 0.75, the Lucene idf, which is never negative); articles
below ``min_score`` are not shown, so a greeting or a complaint about something no
article covers gets none. ``words`` turns a text into words: in production the
project's jieba segmenter (:func:`bot.knowledge.shared.jieba_words`); tests may pass
any function.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Sequence, Tuple

from bot.knowledge.articles import Article

Words = Callable[[str], List[str]]

K1 = 1.2
B = 0.75
FIELD_WEIGHT = 2  # title and keywords count twice
# Measured on tests/knowledge_own.yml with bench/knowledge_precision.py (docs/knowledge.md)
MIN_SCORE = 2.5
SECOND_WITHIN = 0.6  # a second article is shown only when it scores this close to the first

# words that say nothing about the topic of a question
STOPWORDS = frozenset(
    """的 了 我 你 妳 您 他 她 它 嗎 呢 吧 啊 阿 喔 哦 耶 呀 嘛 唷 欸 是 有 在 要 會 可以 請問 請
    想 想要 能 能不能 可不可以 怎麼 怎樣 如何 什麼 一下 這 那 這個 那個 這樣 那樣 就 也 都 還 和 跟
    與 或 及 把 被 讓 給 對 到 們 你們 我們 他們 一個 個 麻煩 謝謝 好 嗯 啦 還是 因為 所以 但是 可是
    然後 請問一下 一些 自己 現在 已經 剛剛 需要 應該 是不是 有沒有 的話""".split()
)


def content_words(words: Sequence[str]) -> List[str]:
    """Lower-cased words with letters or digits, without stopwords."""
    kept = []
    for word in words:
        word = word.strip().lower()
        if not word or word in STOPWORDS:
            continue
        if any(unicodedata.category(ch)[0] in "LN" for ch in word):
            kept.append(word)
    return kept


@dataclass(frozen=True)
class KnowledgeIndex:
    articles: Tuple[Article, ...]
    words: Words
    frequencies: Tuple[Counter, ...]
    lengths: Tuple[int, ...]
    idf: Dict[str, float]
    min_score: float = MIN_SCORE

    @classmethod
    def build(
        cls, articles: Sequence[Article], words: Words, min_score: float = MIN_SCORE
    ) -> "KnowledgeIndex":
        frequencies = []
        for article in articles:
            named = [article.title, *article.keywords]
            terms = content_words(words(" ".join(named))) * FIELD_WEIGHT
            terms += content_words(words(article.text))
            frequencies.append(Counter(terms))
        count = len(frequencies)
        containing = Counter(term for freq in frequencies for term in freq)
        idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in containing.items()}
        return cls(
            articles=tuple(articles),
            words=words,
            frequencies=tuple(frequencies),
            lengths=tuple(sum(freq.values()) for freq in frequencies),
            idf=idf,
            min_score=min_score,
        )

    def scores(self, text: str) -> List[Tuple[Article, float]]:
        """Every article with its BM25 score for ``text``, best first."""
        query = set(content_words(self.words(text)))
        average = sum(self.lengths) / max(len(self.lengths), 1)
        scored = []
        for article, freq, length in zip(self.articles, self.frequencies, self.lengths):
            score = 0.0
            for term in query:
                tf = freq.get(term, 0)
                if tf:
                    norm = tf + K1 * (1 - B + B * length / average)
                    score += self.idf[term] * tf * (K1 + 1) / norm
            scored.append((article, score))
        scored.sort(key=lambda pair: -pair[1])
        return scored

    def search(self, text: str, limit: int = 2) -> List[Dict[str, Any]]:
        """The articles that fit ``text``, best first: ``[{"id", "title", "text",
        "source", "score"}]``, empty when none scores ``min_score``."""
        if not text or not text.strip():
            return []
        ranked = self.scores(text)
        if not ranked or ranked[0][1] < self.min_score:
            return []
        top = ranked[0][1]
        return [
            article.as_dict(score)
            for article, score in ranked[:limit]
            if score >= self.min_score and score >= top * SECOND_WITHIN
        ]
