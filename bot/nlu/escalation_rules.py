"""Escalation detection (客訴或糾紛惡化): cues in the message combined with sentiment.

Pure logic over typed inputs. A :class:`CueLexicon` comes from
``data/dict/escalation_cues.yml``; :func:`detect` returns an :class:`Escalation` whose
``cues`` name every signal found, as ``kind:matched text``:

* words of the lexicon (``authority:消基會``, ``manager:找主管``, ``repeat:第三次`` …);
* anger in the writing itself: ``punctuation:!!!`` (three or more ! or ?),
  ``caps:WHAT`` (shouting in capitals, known acronyms excepted);
* ``intent:complaint_escalation`` when the intent classifier is confident of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Tuple

_PUNCTUATION = re.compile(r"[!！]{3,}|[?？]{3,}|(?:[!！][?？]|[?？][!！]){2,}")
_CAPS_WORD = re.compile(r"(?<![A-Za-z])[A-Z]{3,}(?![A-Za-z])")
_ACRONYMS = frozenset(
    "NCC PTT APP LINE ATM VIP USB SMS NTD TWD COD DIY LED PDF CEO GPS OTP QR IOS MRT HSR "
    "THSR SIM ESIM WIFI DHL UPS EMS KTV SPA BBQ PVC FAQ API".split()
)
INTENT_CUE_CONFIDENCE = 0.6
POSITIVE_SCORE = 0.3  # a clearly happy message mentioning PTT or a manager is not a threat


@dataclass(frozen=True)
class CueLexicon:
    """Cue words by strength and kind, and the score below which anger is strong."""

    strong: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    medium: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    weak: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    strong_negative: float = -0.5

    @classmethod
    def from_dict(cls, data: Mapping) -> "CueLexicon":
        def kinds(key: str) -> Dict[str, Tuple[str, ...]]:
            raw = data.get(key) or {}
            if not isinstance(raw, Mapping):
                raise ValueError(f"'{key}' in the escalation cues must map kinds to word lists")
            return {str(k): tuple(str(w) for w in (v or [])) for k, v in raw.items()}

        return cls(
            strong=kinds("strong"),
            medium=kinds("medium"),
            weak=kinds("weak"),
            strong_negative=float(data.get("strong_negative", -0.5)),
        )

    def as_dict(self) -> dict:
        return {
            "strong": {k: list(v) for k, v in self.strong.items()},
            "medium": {k: list(v) for k, v in self.medium.items()},
            "weak": {k: list(v) for k, v in self.weak.items()},
            "strong_negative": self.strong_negative,
        }


@dataclass(frozen=True)
class Escalation:
    """Whether the dispute is escalating, and the signals that say so."""

    flag: bool
    cues: Tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"flag": self.flag, "cues": list(self.cues)}


def _contains(text: str, lowered: str, word: str) -> bool:
    """Chinese cues match anywhere; Latin letters and digits only as a whole word, so
    the hotline 1999 does not fire inside NT$1999 or 1999元, nor IG inside BIG."""
    if not (word.isascii() and word.replace(" ", "").isalnum()):
        return word.lower() in lowered
    # a number next to $ , . 元 塊 is money, not a hotline
    pattern = rf"(?<![A-Za-z0-9$.,]){re.escape(word)}(?![A-Za-z0-9.,元塊])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _find_words(text: str, kinds: Mapping[str, Tuple[str, ...]]) -> List[str]:
    lowered = text.lower()
    return [
        f"{kind}:{word}"
        for kind, words in kinds.items()
        for word in words
        if _contains(text, lowered, word)
    ]


def _writing_cues(text: str) -> List[str]:
    cues = [f"punctuation:{m.group()}" for m in _PUNCTUATION.finditer(text)][:1]
    shouted = [w for w in _CAPS_WORD.findall(text) if w not in _ACRONYMS]
    if shouted:
        cues.append(f"caps:{shouted[0]}")
    return cues


def detect(
    normalized_text: str,
    sentiment_score: float,
    lexicon: CueLexicon,
    intent: str | None = None,
    intent_confidence: float = 0.0,
) -> Escalation:
    """Decide the escalation flag for one script-normalised message.

    strong cue and not clearly positive → flag; medium cue and a negative score → flag;
    weak cues (repetition, !!!, capitals) → flag when the score is at or below
    ``lexicon.strong_negative`` or when there are two of them; a confident
    ``complaint_escalation`` intent → flag.
    """
    strong = _find_words(normalized_text, lexicon.strong)
    medium = _find_words(normalized_text, lexicon.medium)
    weak = _find_words(normalized_text, lexicon.weak) + _writing_cues(normalized_text)
    intent_cue = (
        ["intent:complaint_escalation"]
        if intent == "complaint_escalation" and intent_confidence >= INTENT_CUE_CONFIDENCE
        else []
    )
    negative = sentiment_score < 0
    flag = bool(
        (strong and sentiment_score < POSITIVE_SCORE)
        or intent_cue
        or (medium and (negative or weak))
        or (weak and (sentiment_score <= lexicon.strong_negative or len(weak) >= 2))
    )
    return Escalation(flag, tuple(strong + medium + weak + intent_cue))
