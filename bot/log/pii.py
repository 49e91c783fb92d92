"""Personal data in free text, masked before anything is stored in the outcome log.

:func:`mask` replaces each piece of personal data a Taiwanese customer is likely to type
with a placeholder in Traditional Chinese, which supervisors read as is: mobile and
landline numbers, e-mail addresses, Luhn-valid card numbers, national ID and resident
certificate numbers, and street addresses. Order, invoice and tracking numbers, amounts,
dates and quantities are left alone. :func:`mask_value` does the same for every string in
a nested structure, and :func:`find` says what was found where.

Full-width characters (``０９１２``, ``＠``) are matched as their ASCII twins, and the
original span is replaced.
"""

from __future__ import annotations

import re
from typing import Any, Callable, List, Optional, Pattern, Tuple

PLACEHOLDERS = {
    "email": "[電子郵件]",
    "card": "[卡號]",
    "national_id": "[身分證號]",
    "mobile": "[手機]",
    "landline": "[電話]",
    "address": "[地址]",
}

# full-width ASCII and the ideographic space, plus dash look-alikes; one character for one,
# so an offset in the normalised text is the same offset in the original
_HALF_WIDTH = (
    {0xFF01 + i: 0x21 + i for i in range(94)}
    | {0x3000: 0x20}
    | dict.fromkeys(map(ord, "‐‑‒–—−"), 0x2D)
)

# e-mail: local part, @, a domain with at least one dot
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.A
)

# card: 13-19 digits starting 2-6 (the issuers' range), single spaces or dashes allowed,
# the whole run of digits on its own; _luhn_valid then keeps real card numbers only
_CARD = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][ -])[2-6](?:[ -]?\d){12,18}(?![0-9])(?![ -]\d)", re.A
)

# national ID A123456789 (second digit 1/2), resident certificate A812345678 (8/9)
# and the old resident certificate AB12345678 (second letter A-D)
_NATIONAL_ID = re.compile(r"(?<![0-9A-Za-z])[A-Z][1289A-D]\d{8}(?![0-9A-Za-z])", re.A | re.I)

# mobile: 09 and eight digits in any grouping; +886, (+886) or 886 instead of the 0
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|\(\+)?886\)?[ -]?0?|0)9(?:[ -]?\d){8}(?![0-9])", re.A
)

# landline: area code 02-08 (with 0 or +886, parentheses allowed) and the local number,
# then an extension; toll-free 0800/0809 are businesses, not people. _landline_valid counts
# the digits after the 0: eight or nine in Taiwan
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|\(\+)886\)?[ -]?\(?0?|\(0|0)(?!80[09])"
    r"(?P<number>[2-8]\d{0,2}\)?[ -]?\d{2,4}[ -]?\d{3,4})"
    r"(?:\s?(?:#|分機|轉|ext\.?)\s?\d{1,6})?(?![0-9])",
    re.A | re.I,
)

# street address: [city/county] [district] [village, neighbourhood] road [section] [lane]
# [alley] number 號 [floor] [之N]. A place-name character is any ideograph except the words
# that come just before an address (住在, 寄到, 地址是), so those stay outside the mask
_CITY = (
    r"(?:[台臺]北|新北|桃園|[台臺]中|[台臺]南|高雄|基隆|新竹|嘉義|苗栗|彰化|南投|雲林|屏東"
    r"|宜蘭|花蓮|[台臺]東|澎湖|金門|連江)[市縣]"
)
_NOT_NAME = "我你妳您他她們在住到是的了寄送往從去回請幫改為於跟與及或要想把給址家就都也還再那這"
_NAME = rf"(?:(?![{_NOT_NAME}])[\u4e00-\u9fff])"
_CN_NUM = r"[一二三四五六七八九十]"
_ADDRESS = re.compile(
    rf"(?:{_CITY})?(?:{_NAME}{{1,3}}[區鄉鎮市])?(?:{_NAME}{{1,3}}[里村])?(?:(?<!\d)\d+鄰)?"
    rf"{_NAME}{{1,3}}[東西南北]?{_CN_NUM}?(?:路|街|大道)"
    rf"(?:(?:{_CN_NUM}{{1,3}}|\d{{1,2}})段)?(?:\d+巷)?(?:\d+弄)?"
    rf"\s?\d+(?:[-之]\d+)?\s?號(?:\s?(?:\d+|{_CN_NUM}{{1,3}})\s?(?:樓|F))?(?:之\d+)?",
    re.A | re.I,
)


def _luhn_valid(match: re.Match) -> bool:
    digits = [int(c) for c in match.group() if c.isdigit()]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _landline_valid(match: re.Match) -> bool:
    return sum(c.isdigit() for c in match.group("number")) in (8, 9)


# tried in this order; a later span that overlaps an earlier one is dropped
_KINDS: Tuple[Tuple[str, Pattern[str], Optional[Callable[[re.Match], bool]]], ...] = (
    ("email", _EMAIL, None),
    ("card", _CARD, _luhn_valid),
    ("national_id", _NATIONAL_ID, None),
    ("mobile", _MOBILE, None),
    ("landline", _LANDLINE, _landline_valid),
    ("address", _ADDRESS, None),
)


def find(text: str) -> List[Tuple[str, int, int]]:
    """Each piece of personal data in ``text`` as ``(kind, start, end)``, in text order.

    Kinds are tried in the order of ``_KINDS``, and a span overlapping one already found
    is dropped, so the spans never overlap.
    """
    plain = text.translate(_HALF_WIDTH)
    spans: List[Tuple[str, int, int]] = []
    for kind, pattern, valid in _KINDS:
        for match in pattern.finditer(plain):
            start, end = match.span()
            if valid is not None and not valid(match):
                continue
            if any(start < taken_end and taken_start < end for _, taken_start, taken_end in spans):
                continue
            spans.append((kind, start, end))
    return sorted(spans, key=lambda span: span[1])


def mask(text: str) -> str:
    """``text`` with each piece of personal data replaced by its placeholder, e.g. ``[手機]``."""
    parts: List[str] = []
    position = 0
    for kind, start, end in find(text):
        parts += [text[position:start], PLACEHOLDERS[kind]]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def mask_value(value: Any) -> Any:
    """``value`` with every string inside dicts, lists and tuples masked; keys are kept."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(mask_value(item) for item in value)
    return value
