"""The reply library's search: filters, ranking, filling, readable gaps and bad searches;
with a plain word splitter (how it behaves) and with the real templates, articles and
jieba words (what an agent gets)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.assist.library import (
    MAX_QUERY,
    MAX_RESULTS,
    MAX_SNIPPET,
    InvalidSnippet,
    Query,
    QueryTooLong,
    ReplyLibrary,
    Snippet,
    UnknownStage,
    UnknownTechnique,
    check_snippet,
    details_from_assist,
    fill,
)
from bot.assist.replies import Template, load_replies
from bot.assist.suggest import details_from
from bot.knowledge import Article, KnowledgeIndex, shared_index
from tests.conftest import ROOT


def template(tid, stage, technique, text, names=()):
    return Template(tid, "any", stage, technique, text, frozenset(), frozenset(names))


TEMPLATES = (
    template(
        "t.sorry", "acknowledge", "empathy", "{customer} 真的 很 抱歉 造成 困擾", ["customer"]
    ),
    template(
        "t.order",
        "clarify",
        "clarifying_question",
        "方便 提供 {order_id} 嗎 我 來 查",
        ["order_id"],
    ),
    template("t.refund", "propose", "clear_explanation", "{product} 可以 辦理 退款", ["product"]),
    template("t.any", "any", "clear_explanation", "退款 會 退回 原 付款 方式"),
)
ARTICLES = (
    Article("refund_timing", "退款 時間", "退款 大約 七 到 十四 天 入帳", "消保法", ("刷退",)),
    Article("invoice", "發票", "發票 可以 打 統編", "統一發票使用辦法"),
)


def split(text: str):
    return text.split()


@pytest.fixture(scope="module")
def real_replies():
    return load_replies(ROOT / "data/replies")


@pytest.fixture()
def library(real_replies):
    replies = dataclasses.replace(real_replies, templates=TEMPLATES)
    return ReplyLibrary.build(replies, KnowledgeIndex.build(ARTICLES, split))


def ids(results):
    return [r.id for r in results]


def test_an_empty_query_lists_what_the_filters_keep_in_file_order(library):
    assert ids(library.search(Query())) == [
        "t.sorry",
        "t.order",
        "t.refund",
        "t.any",
        "refund_timing",
        "invoice",
    ]
    # articles explain: clear_explanation, and no stage (a stage filter leaves them out)
    assert ids(library.search(Query(technique="clear_explanation"))) == [
        "t.refund",
        "t.any",
        "refund_timing",
        "invoice",
    ]
    # a template of every stage ("any", answers.yml) is kept by every stage filter
    assert ids(library.search(Query(stage="propose"))) == ["t.refund", "t.any"]
    assert ids(library.search(Query(technique="empathy", stage="propose"))) == []
    assert ids(library.search(Query(limit=2))) == ["t.sorry", "t.order"]


def test_words_rank_what_shares_them_and_drop_the_rest(library):
    found = library.search(Query(q="刷退 退款"))
    # the article with the rare word 刷退 and the word in its title first; 發票 not at all
    assert found[0].id == "refund_timing" and found[0].kind == "knowledge"
    assert found[0].title == "退款 時間" and found[0].technique == "clear_explanation"
    assert found[0].stage is None
    assert set(ids(found)) == {"refund_timing", "t.refund", "t.any"}
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)
    assert ids(library.search(Query(q="統編"))) == ["invoice"]
    assert library.search(Query(q="天氣")) == []
    # filters apply to ranked results too
    assert ids(library.search(Query(q="退款", stage="propose"))) == ["t.refund", "t.any"]


def test_a_placeholder_is_searched_by_what_it_stands_for(library):
    assert ids(library.search(Query(q="訂單編號"))) == ["t.order"]
    # the technique's label is searchable as the template's title
    assert ids(library.search(Query(q="同理心"))) == ["t.sorry"]


def test_templates_are_filled_and_unknown_details_are_readable_gaps(library):
    details = details_from(customer="王先生", order_id="A1234", amount=1280.0)
    by_id = {r.id: r for r in library.search(Query(), details)}
    assert (
        by_id["t.sorry"].text == "王先生 真的 很 抱歉 造成 困擾" and by_id["t.sorry"].missing == ()
    )
    assert by_id["t.order"].text == "方便 提供 A1234 嗎 我 來 查"
    assert by_id["t.refund"].text == "〔商品名稱〕 可以 辦理 退款"
    assert by_id["t.refund"].missing == ("product",)
    unfilled = {r.id: r for r in library.search(Query())}
    assert unfilled["t.order"].text == "方便 提供 〔訂單編號〕 嗎 我 來 查"
    assert all("{" not in r.text and "}" not in r.text for r in unfilled.values())
    # an article is its text as written
    assert by_id["invoice"].text == "發票 可以 打 統編" and by_id["invoice"].missing == ()


def test_fill_names_each_gap_once_and_ignores_blank_values():
    text, missing = fill("{a}與{b}，再說{a}", {"b": "好", "a": "  "})
    assert text == "〔a〕與好，再說〔a〕" and missing == ("a",)


def test_a_bad_search_is_a_named_error(library):
    with pytest.raises(UnknownTechnique) as error:
        library.search(Query(technique="shouting"))
    assert "shouting" in str(error.value)
    with pytest.raises(UnknownStage):
        library.search(Query(stage="later"))
    with pytest.raises(QueryTooLong) as error:
        library.search(Query(q="退" * (MAX_QUERY + 1)))
    assert error.value.length == MAX_QUERY + 1
    assert library.search(Query(q="退" * MAX_QUERY)) is not None
    # blank filters are no filters
    assert len(library.search(Query(technique=" ", stage=""))) == len(TEMPLATES) + len(ARTICLES)


def test_the_real_library_with_jieba_words(real_replies):
    knowledge = shared_index(ROOT / "data/knowledge", ROOT / ".cache", ROOT / "data/dict/domain")
    library = ReplyLibrary.build(real_replies, knowledge)
    assert len(library.entries) == len(real_replies.templates) + len(knowledge.articles)
    everything = library.search(Query(limit=1000))
    assert len(everything) == MAX_RESULTS
    assert all("{" not in r.text for r in everything)

    found = library.search(Query(q="七天鑑賞期"))
    assert found[0].id == "cooling_off" and found[0].kind == "knowledge"

    sorry = library.search(Query(q="抱歉", technique="empathy"))
    assert sorry and all(r.technique == "empathy" and "抱歉" in r.text for r in sorry[:3])

    asks = library.search(Query(q="訂單編號", technique="clarifying_question"))
    assert asks and all(r.kind == "template" for r in asks)
    filled = library.search(
        Query(q="訂單編號", technique="clarifying_question"),
        {**details_from(order_id="A1234"), **real_replies.words(None)},
    )
    assert all("{" not in r.text for r in filled)
    templates = real_replies.by_id()
    named = [r for r in filled if "order_id" in templates[r.id].placeholders]
    assert all("A1234" in r.text and "order_id" not in r.missing for r in named)
    # the business words are always known: no gap for {ref}
    assert all("ref" not in r.missing for r in filled)


def test_a_stored_assist_payload_gives_the_details_it_knows():
    payload = {
        "analysis": {
            "entities": [
                {"entity": "amount", "value": 1280},
                {"entity": "product", "value": "充電線"},
                {"entity": "date", "value": "11月20日"},
            ],
            "customer_said": {"impact": {"text": "您明天要出差", "source": "我明天要出差"}},
            "emotion": "hurried",
        },
        "context": {
            "customer": {"title": "陳先生", "tier": "金卡"},
            "order": {"id": "A777", "products": ["藍牙耳機"], "value": 999},
        },
    }
    details = details_from_assist(payload, agent="小美", words={"ref": "訂單編號"})
    assert details == {
        "ref": "訂單編號",
        "customer": "陳先生",
        "product": "藍牙耳機",  # the order's, before the one named
        "order_id": "A777",
        "amount": "NT$1,280",
        "date": "11月20日",
        "agent": "小美",
        "impact": "您明天要出差",
        "feeling": "很著急",
    }
    # nothing known: only the business words; odd stored values are left out
    odd = {"analysis": {"entities": [{"entity": "amount", "value": "很多"}], "emotion": "x"}}
    assert details_from_assist(odd, words={"ref": "訂單編號"}) == {"ref": "訂單編號"}
    assert details_from_assist({}) == {}


SNIPPETS = (
    Snippet("sn-1", "{customer} 您好 退款 已經 幫 您 申請"),
    Snippet("sn-2", "我們 週末 不 出貨"),
)


def test_the_agents_snippets_come_first_when_they_share_a_word(library):
    found = library.search(Query(q="退款"), details_from(customer="李小姐"), SNIPPETS)
    assert found[0].id == "sn-1" and found[0].kind == "snippet"
    assert found[0].text == "李小姐 您好 退款 已經 幫 您 申請"
    assert found[0].technique is None and found[0].stage is None and found[0].score > 0
    assert "sn-2" not in ids(found) and "refund_timing" in ids(found)
    assert found[0].as_dict()["technique_label"] is None
    # an empty q lists them all first, unfilled ones with a gap
    listed = library.search(Query(), None, SNIPPETS)
    assert ids(listed)[:2] == ["sn-1", "sn-2"] and listed[0].text.startswith("〔顧客稱呼〕")
    # they have no technique or stage: a filter leaves them out
    assert "sn-1" not in ids(library.search(Query(technique="clear_explanation"), None, SNIPPETS))
    assert "sn-1" not in ids(library.search(Query(stage="propose"), None, SNIPPETS))
    # the limit counts them
    assert ids(library.search(Query(limit=3), None, SNIPPETS)) == ["sn-1", "sn-2", "t.sorry"]


def test_a_snippet_is_checked_before_it_is_kept():
    assert check_snippet("  {customer}您好  ") == "{customer}您好"
    bad = {
        "": "empty",
        "   ": "empty",
        None: "empty",
        12: "empty",
        "x" * (MAX_SNIPPET + 1): "long",
        "{nobody}您好": "placeholder",
        "用 {} 括號": "brace",
    }
    for text, reason in bad.items():
        with pytest.raises(InvalidSnippet) as error:
            check_snippet(text)
        assert error.value.reason == reason
