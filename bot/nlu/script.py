"""Script normalisation: Simplified (and mixed) Chinese to Taiwan Traditional.

The conversion is *length-preserving*: character ``i`` of the result always comes from
character ``i`` of the input, so token and entity offsets computed on the normalised
text refer to the original text unchanged. Control characters become spaces for the
same reason.
"""

from __future__ import annotations

import functools
import unicodedata

# OpenCC's s2tw follows the Ministry of Education's forms (臺); customers write 台.
_TAIWAN_FIXUPS = str.maketrans({"臺": "台"})


@functools.lru_cache(maxsize=1)
def _converter():  # heavy-ish (dictionary load): created on first use
    from opencc import OpenCC

    return OpenCC("s2tw")


def _clean_controls(text: str) -> str:
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" else ch for ch in text
    )


def to_traditional(text: str) -> str:
    """Return ``text`` in Taiwan Traditional characters, same length, same offsets.

    Phrase-level conversion is tried first (it resolves 头发→頭髮, 干净→乾淨); when a
    phrase rule would change the length, each character is converted on its own.
    """
    if not text:
        return ""
    cleaned = _clean_controls(text)
    converted = _converter().convert(cleaned)
    if len(converted) != len(cleaned):
        converted = "".join(c if len(c := _converter().convert(ch)) == 1 else ch for ch in cleaned)
    return converted.translate(_TAIWAN_FIXUPS)
