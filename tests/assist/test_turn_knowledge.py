"""The assist payload carries the knowledge articles for the customer's latest message.

(Beside tests/assist/test_turn.py, which another change edits at the same time.)
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.assist.replies import load_replies
from bot.assist.turn import TurnFacts, build_assist
from bot.knowledge import Article, KnowledgeIndex
from bot.policy import load_policy
from tests.conftest import ROOT

ARTICLES = (
    Article("warranty", "保固與維修", "保固期間內免費維修。", "消費者保護法第25條", ("保固",)),
    Article("invoice", "電子發票與統編", "結帳時填寫統編。", "統一發票使用辦法", ("統編",)),
)


def _words(text):
    """Stand-in for jieba: the article words the text contains."""
    return [w for w in ("保固", "統編", "維修", "發票") if w in text]


@pytest.fixture(scope="module")
def resources():
    return load_replies(ROOT / "data/replies"), load_policy(ROOT / "data/policy")


def _assist(resources, texts, knowledge):
    replies, policy = resources
    events = [
        {"event": "user", "text": t, "parse_data": {"text": t, "intent": {"name": "ask"}}}
        for t in texts
    ]
    facts = TurnFacts.from_tracker("c-k", {}, events[-1]["parse_data"], events)
    return build_assist(
        facts,
        "clarify",
        replies=replies,
        policy=policy,
        today=dt.date(2026, 11, 27),
        knowledge=knowledge,
    )


def test_the_latest_message_picks_the_article(resources):
    index = KnowledgeIndex.build(ARTICLES, _words, min_score=0.1)
    payload = _assist(resources, ["還在保固內嗎", "那我要打統編"], index).payload
    assert [k["id"] for k in payload["knowledge"]] == ["invoice"]
    (article,) = payload["knowledge"]
    assert article["title"] == "電子發票與統編" and article["source"] == "統一發票使用辦法"
    assert article["text"] == "結帳時填寫統編。" and article["score"] > 0


def test_no_article_fits_or_no_index_gives_an_empty_list(resources):
    index = KnowledgeIndex.build(ARTICLES, _words, min_score=0.1)
    assert _assist(resources, ["你好"], index).payload["knowledge"] == []
    assert _assist(resources, ["還在保固內嗎"], None).payload["knowledge"] == []
