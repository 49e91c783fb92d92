"""The question the customer asked in their latest message: a pure reading.

``how`` (你們打算怎麼處理), ``when`` (什麼時候、多久), ``return`` (可以退嗎), ``how_much``
(多少、賠多少). The first suggestion of the turn answers it (bot/assist/suggest.py,
templates with ``answers``).
"""

from __future__ import annotations

import re
from typing import Optional

from bot.nlu.script import to_traditional

QUESTIONS = {
    "how": "怎麼處理",
    "when": "什麼時候",
    "return": "可以退嗎",
    "how_much": "多少",
}
_PATTERNS = (
    (
        "return",
        re.compile(
            "(?:可以|能|可不可以|能不能|能否)(?:退|換)|退(?:貨|款|費|錢)?(?:嗎|呢)|怎麼退|退得了嗎"
        ),
    ),
    ("how_much", re.compile("多少錢|賠多少|退多少|補償多少|多少|金額是")),
    ("when", re.compile("什麼時候|何時|多久|幾天|幾點|要等到|還要等")),
    (
        "how",
        re.compile(
            "怎麼處理|如何處理|打算怎麼|要怎麼|怎麼辦|怎麼解決|如何解決|處理方式|給個說法|"
            "給我一個說法|給我一個交代|要不要處理|處不處理|能做什麼|可以怎麼"
        ),
    ),
)


def read_question(text: str) -> Optional[str]:
    """The kind of question asked (``how``, ``when``, ``return``, ``how_much``) or None."""
    if not text:
        return None
    text = to_traditional(text)
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return None
