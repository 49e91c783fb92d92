"""The knowledge precision bench: its figures on a tiny set, and the table it prints."""

from __future__ import annotations

import pytest

import bench.knowledge_precision as bench
from bot.knowledge import Article, KnowledgeIndex
from tests.conftest import ROOT

ARTICLES = (
    Article("invoice", "發票", "發票 統編", "統一發票使用辦法"),
    Article("shipping", "運費", "運費 出貨", "消費者保護法第18條"),
)


def test_the_figures_count_right_wrong_and_empty_answers():
    index = KnowledgeIndex.build(ARTICLES, str.split, min_score=0.1)
    result = bench.measure(
        index,
        [
            ("統編", "invoice"),  # right
            ("運費", "invoice"),  # wrong
            ("你好", "none"),  # rightly empty
            ("出貨", "none"),  # answered, but nothing should have been
            ("天氣", "shipping"),  # left empty, but an article fits
        ],
    )
    assert result.questions == 5
    assert result.top1 == pytest.approx(2 / 5)
    assert result.precision_answered == pytest.approx(1 / 3)
    assert result.answered == pytest.approx(3 / 5)
    assert result.none_left_empty == pytest.approx(1 / 2)
    assert ("天氣", "shipping", "none") in result.misses and len(result.misses) == 3


def test_the_command_prints_a_table_for_a_question_file(tmp_path, capsys):
    questions = tmp_path / "q.yml"
    questions.write_text(
        "questions:\n"
        "  - {text: 請問發票可以打統編嗎, article: invoice}\n"
        "  - {text: 你好, article: none}\n",
        encoding="utf-8",
    )
    assert bench.main([str(questions), "--folder", str(ROOT / "data/knowledge")]) == 0
    rows = {
        label.strip(): value
        for label, value in (
            line.rsplit("  ", 1) for line in capsys.readouterr().out.splitlines()[2:]
        )
    }
    assert rows == {
        "questions": "2",
        "top-1 precision": "100.0%",
        "precision when answered": "100.0%",
        "answered": "50.0%",
        "none left empty": "100.0%",
    }


@pytest.mark.skipif(
    not (ROOT / "tests/knowledge_questions.yml").exists(), reason="the blind set is not here"
)
def test_the_blind_question_set_keeps_a_floor():
    from bot.knowledge import shared_index

    index = shared_index(ROOT / "data/knowledge", ROOT / ".cache", ROOT / "data/dict/domain")
    result = bench.measure(index, bench.read_questions(ROOT / "tests/knowledge_questions.yml"))
    assert result.top1 >= bench.BLIND_FLOOR, bench.table(result, "the blind set")
