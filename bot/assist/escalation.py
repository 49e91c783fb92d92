"""Whether a conversation has escalated: decided here, for every reader.

The NLU flags each message (:mod:`bot.nlu.escalation`: ``escalation: {flag, cues}`` in
the parse). A conversation has escalated once any of its messages was flagged, and stays
so. Whatever is known of a conversation — the latest parse, the analysis of an assist
payload, the tracker's slots, the conversation's record in Redis (``"1"``) — is read by
:func:`escalated`; :func:`escalating` is about one message only.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional


def escalating(reading: Mapping[str, Any]) -> bool:
    """Whether this message escalates: the NLU's flag in a parse or an analysis."""
    return bool((reading.get("escalation") or {}).get("flag"))


def escalated(*known: Optional[Mapping[str, Any]]) -> bool:
    """Whether the conversation has escalated, by any of what is known of it: a mapping
    whose ``escalated`` is true (slots, an analysis), or whose message escalates (a
    parse, an analysis). A stored record parses its own flag (bot/store)."""
    return any(
        item is not None and (item.get("escalated") is True or escalating(item)) for item in known
    )
