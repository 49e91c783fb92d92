"""The question the customer asked, so the first suggestion answers it."""

from __future__ import annotations

import pytest

from bot.assist.question import QUESTIONS, read_question


@pytest.mark.parametrize(
    "text, expected",
    [
        ("訂單編號 KF20261102001，你們打算怎麼處理？", "how"),
        ("那現在怎麼辦", "how"),
        ("什麼時候才會寄出？", "when"),
        ("还要等多久", "when"),
        ("這個可以退嗎？", "return"),
        ("能不能退貨", "return"),
        ("你們要賠多少", "how_much"),
        ("謝謝你", None),
        ("", None),
    ],
)
def test_questions_are_read(text, expected):
    assert read_question(text) == expected
    assert expected is None or expected in QUESTIONS
