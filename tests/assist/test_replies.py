"""The reply files are checked; a supervisor's mistake is named in a sentence."""

from __future__ import annotations

import shutil

import pytest

from bot.assist.replies import RepliesError, load_replies
from tests.conftest import ROOT


@pytest.fixture()
def folder(tmp_path):
    target = tmp_path / "replies"
    shutil.copytree(ROOT / "data/replies", target)
    return target


def test_shipped_templates_load_with_unique_ids_and_texts(folder):
    replies = load_replies(folder)
    assert len(replies.templates) >= 300
    assert len({t.text for t in replies.templates}) == len(replies.templates)


def _add(folder, entry: str) -> None:
    path = folder / "general.yml"
    path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")


@pytest.mark.parametrize(
    "entry, message",
    [
        ("  - {id: x.1, stage: later, technique: empathy, text: 好}\n", "stage must be"),
        ("  - {id: x.1, stage: close, technique: hugging, text: 好}\n", "technique must be"),
        (
            "  - {id: x.1, stage: close, technique: empathy, text: '{name}您好'}\n",
            "unknown placeholder",
        ),
        ("  - {id: x.1, stage: close, technique: empathy, text: '您好{'}\n", "brace"),
        ("  - {id: x.1, stage: close, technique: empathy, text: ''}\n", "text is empty"),
        (
            "  - {id: x.1, stage: close, technique: empathy, sentiment: [angry], text: 好}\n",
            "sentiment",
        ),
        (
            "  - {id: general.close.empathy.01, stage: close, technique: empathy, text: 好}\n",
            "used twice",
        ),
    ],
)
def test_a_broken_template_is_named(folder, entry, message):
    _add(folder, entry)
    with pytest.raises(RepliesError, match=message):
        load_replies(folder)


def test_strategy_must_list_every_stage(folder):
    path = folder / "strategy.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  refer: [", "  later: ["), encoding="utf-8"
    )
    with pytest.raises(RepliesError, match="strategy.yml"):
        load_replies(folder)
