"""The process's index: the NLU's words, built once, preloaded in the background."""

from __future__ import annotations

import logging
import shutil

import pytest

from bot.knowledge import InvalidArticle, jieba_words, preload, shared_index
from tests.conftest import ROOT

CACHE = ROOT / ".cache"
DICTIONARIES = ROOT / "data/dict/domain"


@pytest.fixture(scope="module")
def words():
    return jieba_words(CACHE, DICTIONARIES)


def test_words_are_the_nlus_traditional_segmentation(words):
    assert words("网购七天鉴赏期") == words("網購七天鑑賞期")
    assert "統編" in words("我要打統編")  # a word of the domain dictionary stays whole


def test_a_preload_builds_the_index_the_turns_then_use(tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data/knowledge", folder)
    preload(folder, CACHE, DICTIONARIES).join(60)
    index = shared_index(folder, CACHE, DICTIONARIES)
    assert shared_index(folder, CACHE, DICTIONARIES) is index
    assert index.search("發票可以打統編嗎")[0]["id"] == "invoice"


def test_a_wrong_article_is_logged_by_the_preload_and_raised_at_use(tmp_path, caplog):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "bad.yml").write_text("id: bad\ntitle: 壞\ntext: 內容\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="bot.knowledge.shared"):
        preload(folder, CACHE, DICTIONARIES).join(60)
    assert "bad.yml" in caplog.text and "'source'" in caplog.text
    with pytest.raises(InvalidArticle, match="source"):
        shared_index(folder, CACHE, DICTIONARIES)
