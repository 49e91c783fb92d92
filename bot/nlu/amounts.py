"""Money amounts written by customers, normalised to an integer number of NT$.

Handles Arabic and Chinese numerals and their mixes as Taiwanese customers write them:
``NT$1,250``, ``1250塊``, ``三百五十元``, ``一千兩百五十元``, ``兩千``, ``1.5萬``,
``三千五`` (colloquial for 3,500), ``兩萬三``, ``一百零五``.
:func:`find_amounts` locates them in a text; :func:`parse_number` reads one numeral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "貳": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_CN_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

# an Arabic number (1,250 / 1250 / 1.5), optionally followed by Chinese units (1萬2, 3千5)
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMERAL = rf"(?:(?:{_ARABIC})(?:[{_CN_CHARS}]+(?:\d+[{_CN_CHARS}]*)?)?|[{_CN_CHARS}]+)"
_CURRENCY_BEFORE = r"(?:NT\$|NTD|TWD|US\$|\$|新台幣|新臺幣|台幣|臺幣)"
_CURRENCY_AFTER = r"(?:塊錢|塊|元|圓|塊半|NTD|TWD|NT)"
# words after a bare numeral that show it counts something other than money
_NOT_MONEY_AFTER = (
    "個件次天年月日號分秒歲台臺支隻張份杯碗盒箱包瓶公斤克人位間層樓倍趟週周組條雙顆片度"
    "小時公里坪折成%％點"
)

# a bare Arabic number right after a money verb is money too: 我要退1250, 刷了3999
_MONEY_VERB = (
    r"(?:退|付了?|扣了?|收了?|刷了?|賠|補|花了?|要價|費用|金額|總共|共|價格|價錢|多收|多扣)"
)

_AMOUNT_RE = re.compile(
    rf"{_MONEY_VERB}(?P<n0>{_ARABIC})(?![\d.])"
    rf"|(?P<before>{_CURRENCY_BEFORE})\s*(?P<n1>{_NUMERAL})(?:多)?\s*(?:{_CURRENCY_AFTER})?"
    rf"|(?P<n2>{_NUMERAL})(?:多)?\s*(?P<after>{_CURRENCY_AFTER})"
    rf"|(?P<n3>{_NUMERAL})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AmountMatch:
    """An amount found in a text: ``text[start:end]`` reads as ``value`` NT$."""

    start: int
    end: int
    value: int


def _parse_chinese(numeral: str) -> int | None:
    total, section, number = 0, 0, 0
    last_unit = 0
    saw_zero = False
    for ch in numeral:
        if ch in _DIGITS:
            number = _DIGITS[ch]
            saw_zero = saw_zero or number == 0
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            section += (number or (1 if unit == 10 else 0) or 1) * unit
            number, last_unit, saw_zero = 0, unit, False
        elif ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            section += number
            total += (section or 1) * unit
            section, number, last_unit, saw_zero = 0, 0, unit, False
        else:
            return None
    # colloquial shorthand: 三千五 = 3500, 兩萬三 = 23000 (no 零 in between)
    if number and last_unit >= 100 and not saw_zero:
        number *= last_unit // 10
    return total + section + number


def parse_number(numeral: str) -> int | None:
    """Read an Arabic, Chinese or mixed numeral as an integer; None if it is not one.

    >>> parse_number("一千兩百五十"), parse_number("1.5萬"), parse_number("三千五")
    (1250, 15000, 3500)
    """
    numeral = numeral.replace(",", "").strip()
    if not numeral:
        return None
    match = re.match(r"(\d+(?:\.\d+)?)(.*)$", numeral)
    if not match:
        return _parse_chinese(numeral)
    try:
        head = Decimal(match.group(1))
    except InvalidOperation:
        return None
    rest = match.group(2)
    if not rest:
        return int(head)
    unit_char, tail = rest[0], rest[1:]
    unit = _BIG_UNITS.get(unit_char) or _SMALL_UNITS.get(unit_char)
    if unit is None:
        return None
    value = head * unit
    if tail:
        tail_value = parse_number(tail) if tail[0].isdigit() else _parse_chinese(tail)
        if tail_value is None:
            return None
        if len(tail) == 1 and tail_value < 10:  # 1萬2 = 12000, 3千5 = 3500
            tail_value *= unit // 10
        value += tail_value
    return int(value)


def _is_money_numeral(numeral: str) -> bool:
    """A bare numeral counts as money only when it is big enough to say so (兩千, 1萬)."""
    return any(u in numeral for u in "百千萬万億亿佰仟")


def find_amounts(text: str) -> list[AmountMatch]:
    """All money amounts in ``text`` (already script-normalised), left to right."""
    found: list[AmountMatch] = []
    for m in _AMOUNT_RE.finditer(text):
        numeral = m.group("n0") or m.group("n1") or m.group("n2") or m.group("n3")
        if m.group("n3"):
            after = text[m.end() : m.end() + 1]
            before = text[m.start() - 1 : m.start()] if m.start() else ""
            if (
                not _is_money_numeral(numeral)
                or (after and after in _NOT_MONEY_AFTER)
                or numeral[0] in "萬万億亿"
                or before.isalnum()
                and before.isascii()
            ):
                continue
        value = parse_number(numeral)
        if value is None or value <= 0:
            continue
        start = m.start("n0") if m.group("n0") else m.start()  # the verb is not money
        found.append(AmountMatch(start, m.end(), value))
    return found
