"""How the customer feels, in the words an agent may name: a pure reading of one message.

:func:`read_emotion` finds cue words (生氣/不滿 → angry, 失望 → disappointed, 擔心 →
worried, 趕時間/急 → in a hurry) and uses the NLU's sentiment score only to tell strong
anger from plain negativity; with no cue it says nothing (``None``), and no template
that names a feeling is then suggested (docs/replies.md, ``emotions``).
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, Optional, Tuple

from bot.nlu.script import to_traditional

EMOTIONS: Dict[str, str] = {
    "angry": "很生氣",
    "disappointed": "很失望",
    "worried": "很擔心",
    "hurried": "很著急",
}
_CUES: Tuple[Tuple[str, re.Pattern, re.Pattern], ...] = (
    # (emotion, a word that names it, softer signs of it)
    (
        "angry",
        re.compile("生氣|氣死|火大|不爽|不滿|憤怒|很氣|超氣|氣炸"),
        re.compile(
            "離譜|誇張|太扯|扯爛|無言|傻眼|差勁|過分|不負責任|欺負|敷衍|騙|爛透|"
            "消基會|消保|律師|提告|投訴|申訴|[!！]{2,}|給我一個交代|說清楚"
        ),
    ),
    (
        "disappointed",
        re.compile("失望|心寒|傷心|難過|遺憾"),
        re.compile("可惜|期待|不會再|再也不|不推|踩雷|避雷|心累|唉|算了|差評|白期待|雷"),
    ),
    (
        "worried",
        re.compile("擔心|焦慮|緊張|不安|害怕"),
        re.compile("怎麼辦|會不會|安全|受傷|怕|不知道該"),
    ),
    (
        "hurried",
        re.compile("趕時間|很急|著急|急著|心急|急用"),
        re.compile("趕快|盡快|馬上|今天就|明天就|來不及|快點|今天下班前|之前一定要|急"),
    ),
)
_ORDER = ("angry", "hurried", "worried", "disappointed")


def read_emotion(text: str, sentiment_score: float = 0.0) -> Optional[str]:
    """``angry``, ``disappointed``, ``worried``, ``hurried`` or None (no sign of one)."""
    if not text:
        return None
    text = to_traditional(text)
    scores: Dict[str, int] = {}
    for emotion, named, signs in _CUES:
        score = 3 * len(named.findall(text)) + len(signs.findall(text))
        if score:
            scores[emotion] = score
    if not scores:
        return None
    if "angry" in scores and sentiment_score <= -0.6:
        scores["angry"] += 1
    best = max(scores.values())
    return next(e for e in _ORDER if scores.get(e) == best)


def conversation_emotion(readings: Iterable[Tuple[str, float]]) -> Optional[str]:
    """The latest emotion the customer showed: ``(text, sentiment score)`` in order."""
    found = None
    for text, score in readings:
        found = read_emotion(text, score) or found
    return found
