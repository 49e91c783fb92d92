"""Polarity cues read from the words: contrast, concession, negation and intensity.

Pure functions over a Traditional-normalised message (:func:`bot.nlu.script.to_traditional`).
They do not decide the sentiment on their own: :func:`cues` returns numbers that the
trained sentiment and complaint models weigh (see :mod:`bot.nlu.sentiment_model`).

* **Which part carries the verdict.** 「雖然貴，但是很好吃」 is praise, 「外型漂亮，就是電池普通」
  is praise with a reservation, 「還可以，總之不會再買」 is not. :func:`verdict_clause` finds
  the part a reader weighs most: after a summary marker (總之, 整體來說), else after the last
  turn (但是, 可是, 不過), else before a reservation (就是, 只是, 唯一缺點).
* **Negation.** A cue right after 不 / 沒 / 沒有 / 不是 / 不太 flips: 「不是很好」 is negative,
  「沒有不滿意」 (不滿意 negated) positive.
* **Intensity.** 超 / 很 / 非常 / 太 before a cue, and 「!!!」, make it count more.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Sequence, Tuple

SUMMARY_MARKERS = (
    "總之",
    "總的來說",
    "總體來說",
    "整體來說",
    "整體而言",
    "整體上",
    "整體",
    "總結",
    "總而言之",
    "綜合來說",
    "綜上",
)
TURN_MARKERS = ("但是", "可是", "然而", "不過", "但", "卻", "偏偏", "結果")
RESERVATION_MARKERS = (
    "唯一的缺點",
    "唯一缺點",
    "美中不足",
    "小缺點",
    "缺點是",
    "就是",
    "只是",
    "只不過",
)
# 就是 / 只是 open a reservation only at the start of a clause (「…，就是有點小」), not inside
# one (「就是很爛」).
_CLAUSE_START_ONLY = ("就是", "只是", "只不過")
NEGATORS = ("沒有", "不是", "不太", "不怎麼", "並不", "並沒有", "從來沒", "從沒", "沒", "不", "別")
INTENSIFIERS = (
    "非常",
    "超級",
    "特別",
    "真的",
    "實在",
    "有夠",
    "十分",
    "極",
    "超",
    "很",
    "太",
    "好",
    "爆",
)
# A negator this far before a cue (in characters) still negates it: 「不是很好」.
_NEGATION_REACH = 3
_CLAUSE_BREAK = re.compile(r"[，,。．.！!？?；;、\n~～…]+")
_NUMBERED = re.compile(r"(?:^|[\s，,。；;])(?:[0-9０-９]+|[一二三四五六七八九十])[、.．)）]")

FEATURE_NAMES = (
    "pos_verdict",
    "neg_verdict",
    "pos_rest",
    "neg_rest",
    "negated_pos",
    "negated_neg",
    "intensity",
    "exclamations",
    "questions",
    "has_turn",
    "has_reservation",
    "has_summary",
    "numbered_points",
    "log_length",
    "lexicon_score",
    "problems",
    "negated_problems",
)


@dataclass(frozen=True)
class Lexicon:
    """Polarity cue words (Traditional forms), longest matched first."""

    negative: Tuple[str, ...] = ()
    positive: Tuple[str, ...] = ()
    # words that report something wrong, whatever the tone: 壞了, 收不到, 少了, 當機
    problem: Tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping) -> "Lexicon":
        return cls(
            tuple(str(w) for w in data.get("negative") or ()),
            tuple(str(w) for w in data.get("positive") or ()),
            tuple(str(w) for w in data.get("problem") or ()),
        )

    def as_dict(self) -> dict:
        return {
            "negative": list(self.negative),
            "positive": list(self.positive),
            "problem": list(self.problem),
        }


@dataclass(frozen=True)
class Hit:
    """One cue found in the text: where, which polarity (+1/-1, after negation), how strong."""

    start: int
    end: int
    polarity: int
    negated: bool
    weight: float


def _find_last(text: str, markers: Sequence[str]) -> Tuple[int, int] | None:
    best = None
    for marker in markers:
        at = text.rfind(marker)
        if at > 0 and (best is None or at > best[0]):
            best = (at, at + len(marker))
    return best


def _find_first(text: str, markers: Sequence[str]) -> Tuple[int, int] | None:
    best = None
    for marker in markers:
        at = text.find(marker)
        while at > 0 and marker in _CLAUSE_START_ONLY and not _CLAUSE_BREAK.match(text[at - 1]):
            at = text.find(marker, at + 1)
        if at > 0 and (best is None or at < best[0]):
            best = (at, at + len(marker))
    return best


def verdict_span(text: str) -> Tuple[int, int]:
    """The ``[start, end)`` span of ``text`` a reader weighs most (the whole text if none)."""
    summary = _find_last(text, SUMMARY_MARKERS)
    if summary and summary[1] < len(text):
        return summary[1], len(text)
    turn = _find_last(text, TURN_MARKERS)
    if turn and turn[1] < len(text):
        return turn[1], len(text)
    reservation = _find_first(text, RESERVATION_MARKERS)
    if reservation:
        return 0, reservation[0]
    return 0, len(text)


def verdict_clause(text: str) -> str:
    """The words of the part that carries the verdict (see the module docstring)."""
    start, end = verdict_span(text)
    clause = text[start:end].strip(" ，,。！!？?；;、~～")
    return clause or text


def _negated(text: str, start: int) -> bool:
    window = text[max(0, start - _NEGATION_REACH) : start]
    window = _CLAUSE_BREAK.split(window)[-1]
    return any(negator in window for negator in NEGATORS)


def _intense(text: str, start: int) -> bool:
    window = text[max(0, start - 2) : start]
    return any(word in window for word in INTENSIFIERS)


@functools.lru_cache(maxsize=8)
def _ordered(lexicon: Lexicon) -> Tuple[Tuple[str, int], ...]:
    return tuple(
        sorted(
            [(w, -1) for w in lexicon.negative if w] + [(w, 1) for w in lexicon.positive if w],
            key=lambda cue: -len(cue[0]),
        )
    )


def find_cues(text: str, lexicon: Lexicon) -> List[Hit]:
    """Non-overlapping cue hits, longest cue first, with negation and intensity applied."""
    cues = [cue for cue in _ordered(lexicon) if cue[0] in text]
    taken = [False] * len(text)
    hits: List[Hit] = []
    for word, polarity in cues:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                negated = _negated(text, start)
                weight = 1.5 if _intense(text, start) else 1.0
                hits.append(Hit(start, end, -polarity if negated else polarity, negated, weight))
            start = text.find(word, end)
    return sorted(hits, key=lambda hit: hit.start)


@functools.lru_cache(maxsize=8)
def _problems_only(lexicon: Lexicon) -> Lexicon:
    return Lexicon(negative=lexicon.problem)


def _sum(hits: Iterable[Hit], polarity: int) -> float:
    return sum(hit.weight for hit in hits if hit.polarity == polarity)


def cues(text: str, lexicon: Lexicon) -> Tuple[float, ...]:
    """The numbers named in :data:`FEATURE_NAMES` for one Traditional-normalised text."""
    start, end = verdict_span(text)
    hits = find_cues(text, lexicon)
    inside = [h for h in hits if start <= h.start < end]
    outside = [h for h in hits if not start <= h.start < end]
    pos_v, neg_v = _sum(inside, 1), _sum(inside, -1)
    pos_r, neg_r = _sum(outside, 1), _sum(outside, -1)
    # the verdict counts twice as much as the rest
    raw = 2.0 * (pos_v - neg_v) + (pos_r - neg_r)
    problems = find_cues(text, _problems_only(lexicon))
    return (
        pos_v,
        neg_v,
        pos_r,
        neg_r,
        float(sum(1 for h in hits if h.negated and h.polarity < 0)),
        float(sum(1 for h in hits if h.negated and h.polarity > 0)),
        float(sum(1 for h in hits if h.weight > 1.0)),
        float(min(text.count("!") + text.count("！"), 6)),
        float(min(text.count("?") + text.count("？"), 6)),
        float(_find_last(text, TURN_MARKERS) is not None),
        float(_find_first(text, RESERVATION_MARKERS) is not None),
        float(_find_last(text, SUMMARY_MARKERS) is not None),
        float(min(len(_NUMBERED.findall(text)), 6)),
        math.log1p(len(text)),
        math.tanh(raw / 2.0),
        float(min(sum(1 for h in problems if not h.negated), 4)),
        float(min(sum(1 for h in problems if h.negated), 4)),
    )
