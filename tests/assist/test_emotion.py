"""The feeling an agent may name, read from the customer's message."""

from __future__ import annotations

import pytest

from bot.assist.emotion import EMOTIONS, conversation_emotion, read_emotion


@pytest.mark.parametrize(
    "text, score, expected",
    [
        ("你們這樣處理我真的很生氣", -0.8, "angry"),
        ("對你們的服務非常不滿", -0.7, "angry"),
        ("期待很久結果這麼糟，好失望", -0.6, "disappointed"),
        ("小孩明天要用，我很擔心來不及修好", -0.5, "worried"),
        ("我在趕時間，可以快點處理嗎", -0.3, "hurried"),
        ("我明天就要出國，今天一定要拿到", -0.4, "hurried"),
        ("以後不會再買了，踩雷", -0.6, "disappointed"),
        ("耳机左边没声音，好失望", -0.5, "disappointed"),
        ("我的吹風機壞了", -0.5, None),
        ("", 0.0, None),
    ],
)
def test_cue_words_give_the_emotion(text, score, expected):
    assert read_emotion(text, score) == expected


def test_every_emotion_has_words_for_the_feeling_placeholder():
    assert set(EMOTIONS) == {"angry", "disappointed", "worried", "hurried"}
    assert all(word.startswith("很") for word in EMOTIONS.values())


def test_the_conversation_keeps_the_latest_emotion_shown():
    assert conversation_emotion([("好失望", -0.6), ("訂單編號 KF1", 0.0)]) == "disappointed"
    assert conversation_emotion([("好失望", -0.6), ("我很生氣", -0.9)]) == "angry"
    assert conversation_emotion([]) is None
