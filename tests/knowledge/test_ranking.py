"""BM25 ranking: with a plain word splitter (how the scores behave) and with the
project's jieba words on the real articles (what an agent gets)."""

from __future__ import annotations

import pytest

from bot.knowledge import Article, KnowledgeIndex, shared_index
from bot.knowledge.ranking import content_words
from tests.conftest import ROOT

ARTICLES = (
    Article("invoice", "發票", "發票 可以 存 載具 也 可以 打 統編", "統一發票使用辦法", ("統編",)),
    Article(
        "shipping", "運費", "運費 依 結帳 頁面 出貨 後 有 單號", "消費者保護法第18條", ("出貨",)
    ),
    Article("refund", "退款", "退款 退回 原 付款 方式 刷退 看 銀行", "消費者保護法第19條之2"),
)


def split(text: str):
    return text.split()


@pytest.fixture()
def index():
    return KnowledgeIndex.build(ARTICLES, split, min_score=0.5)


def test_the_article_sharing_the_rare_words_comes_first(index):
    found = index.search("我 要 打 統編")
    assert found[0]["id"] == "invoice"
    assert set(found[0]) == {"id", "title", "text", "source", "score"}
    assert found[0]["source"] == "統一發票使用辦法"
    assert [f["id"] for f in index.search("刷退 多久")] == ["refund"]


def test_nothing_is_shown_when_no_article_reaches_the_threshold(index):
    assert index.search("你好") == []
    assert index.search("") == [] and index.search("   ") == []
    strict = KnowledgeIndex.build(ARTICLES, split, min_score=50.0)
    assert strict.search("我 要 打 統編") == []


def test_a_second_article_only_when_it_fits_almost_as_well(index):
    both = index.search("統編 發票 運費 出貨")
    assert {f["id"] for f in both} == {"invoice", "shipping"}
    assert both[0]["score"] >= both[1]["score"]
    assert [f["id"] for f in index.search("統編 發票 載具 運費")] == ["invoice"]
    assert len(index.search("統編 運費 退款", limit=1)) == 1


def test_stopwords_and_punctuation_say_nothing():
    assert content_words(["我", "的", "，", "統編", "？", "VIP", " "]) == ["統編", "vip"]


def test_title_and_keywords_weigh_more_than_the_text(index):
    # "出貨" is shipping's keyword; "單號" only in its text: the keyword scores higher
    scores = dict((a.id, s) for a, s in index.scores("出貨"))
    assert scores["shipping"] > dict((a.id, s) for a, s in index.scores("單號"))["shipping"]


@pytest.fixture(scope="module")
def real():
    return shared_index(ROOT / "data/knowledge", ROOT / ".cache", ROOT / "data/dict/domain")


@pytest.mark.parametrize(
    "question, article",
    [
        ("网购不是有七天鉴赏期吗", "cooling_off"),  # Simplified reads as Traditional
        ("請問發票可以打統編嗎？", "invoice"),
        ("信用卡刷退大概多久會看到", "refund_timing"),
        ("我的點數什麼時候到期", "membership_points"),
        ("吹風機壞了，保固內可以免費維修嗎", "warranty"),
    ],
)
def test_the_real_articles_answer_customers_questions(real, question, article):
    assert real.search(question)[0]["id"] == article


def test_greetings_get_no_article(real):
    assert real.search("你好") == []
    assert real.search("謝謝，麻煩你了") == []


def test_the_index_is_built_once_per_process(real):
    assert shared_index(ROOT / "data/knowledge", ROOT / ".cache", ROOT / "data/dict/domain") is real
