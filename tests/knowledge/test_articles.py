"""Reading and checking the knowledge articles: the real folder, and files that are wrong."""

from __future__ import annotations

import pytest

from bot.knowledge import InvalidArticle, KnowledgeError, load_articles
from tests.conftest import ROOT

REQUIRED = {
    "return_exchange",
    "cooling_off",
    "warranty",
    "shipping",
    "refund_timing",
    "invoice",
    "membership_points",
    "privacy",
}

GOOD = """\
id: cooling_off
title: 網購七天鑑賞期／猶豫期
text: |-
  收到商品七天內可以解除購買。
  我們會在十五天內退款。
source: 消費者保護法第19條
keywords: [七天, 鑑賞期]
"""


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_projects_articles_load_and_each_names_its_source():
    articles = {a.id: a for a in load_articles(ROOT / "data/knowledge")}
    assert REQUIRED <= set(articles)
    for article in articles.values():
        assert article.title and article.text and article.source
        # a source is a Taiwanese rule, named: 法, 辦法, 要點, 準則 or 事項
        assert any(word in article.source for word in ("法", "要點", "準則", "事項")), article.id
        assert "\n" not in article.text


def test_lines_of_a_text_are_joined_without_spaces(tmp_path):
    write(tmp_path, "a.yml", GOOD)
    (article,) = load_articles(tmp_path)
    assert article.text == "收到商品七天內可以解除購買。我們會在十五天內退款。"
    assert article.keywords == ("七天", "鑑賞期")
    assert article.as_dict(1.23456)["score"] == 1.235


@pytest.mark.parametrize(
    "text, field",
    [
        (GOOD.replace("source: 消費者保護法第19條\n", ""), "source"),
        (GOOD.replace("title: 網購七天鑑賞期／猶豫期", "title: ''"), "title"),
        (GOOD.replace("text: |-", "text: 123\nx: |-"), "x"),
        (GOOD.replace("keywords:", "sources: 民法\nkeywords:"), "sources"),
        (GOOD.replace("id: cooling_off", "id: Cooling Off"), "id"),
        (GOOD.replace("keywords: [七天, 鑑賞期]", "keywords: 七天"), "keywords"),
        (GOOD.replace("  我們會在十五天內退款。", "  " + "很長" * 400), "text"),
        (GOOD.replace("title: 網購七天鑑賞期／猶豫期", "title: [a, b]"), "title"),
    ],
)
def test_a_wrong_field_names_the_file_and_the_field(tmp_path, text, field):
    path = write(tmp_path, "broken.yml", text)
    with pytest.raises(InvalidArticle) as caught:
        load_articles(tmp_path)
    assert caught.value.path == path
    assert caught.value.field == field
    assert str(path) in str(caught.value) and f"'{field}'" in str(caught.value)


def test_a_file_that_is_not_yaml_or_not_a_mapping_is_named(tmp_path):
    path = write(tmp_path, "a.yml", "id: [unclosed\n")
    with pytest.raises(InvalidArticle, match="not valid YAML") as caught:
        load_articles(tmp_path)
    assert caught.value.path == path and caught.value.field is None
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(InvalidArticle, match="mapping"):
        load_articles(tmp_path)


def test_two_files_may_not_share_an_id(tmp_path):
    write(tmp_path, "a.yml", GOOD)
    second = write(tmp_path, "b.yml", GOOD)
    with pytest.raises(InvalidArticle, match="already used") as caught:
        load_articles(tmp_path)
    assert caught.value.path == second and caught.value.field == "id"


def test_a_missing_or_empty_folder_is_an_error(tmp_path):
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_articles(tmp_path / "nowhere")
    with pytest.raises(KnowledgeError, match="no article"):
        load_articles(tmp_path)
