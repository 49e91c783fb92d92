"""Outcome events built in one place, for every route that logs them (schema in
:mod:`bot.log.schema`; :func:`bot.log.outcomes.make_event` adds the envelope)."""

from __future__ import annotations

import difflib
from typing import Any, Dict, Mapping, Optional

SUGGESTION_OUTCOMES = ("used", "edited", "dismissed")


def similarity(a: str, b: str) -> float:
    """How much of a suggestion's text the agent kept (0 to 1, three decimals)."""
    return round(difflib.SequenceMatcher(None, a, b).ratio(), 3)


def sent_as(suggestion: Mapping[str, Any], text: str) -> str:
    """What sending ``text`` did to the suggestion it came from: used, or edited."""
    return "edited" if text != suggestion["text"] else "used"


def suggestion_outcome(
    action: str,
    cid: str,
    agent: Optional[str],
    suggestion: Mapping[str, Any],
    final: Optional[str] = None,
) -> Dict[str, Any]:
    """The event of what the agent did with one suggestion (as stored with the
    conversation: id, text, technique, complaint type). ``edited`` needs the ``final``
    text the agent sent: it is kept (masked when stored) with its similarity."""
    if action not in SUGGESTION_OUTCOMES:
        raise ValueError(f"not a suggestion outcome: {action!r}")
    event: Dict[str, Any] = {
        "conversation_id": cid,
        "action": action,
        "agent": agent,
        "suggestion_id": suggestion["id"],
        "technique": suggestion["technique"],
        "complaint_type": suggestion.get("complaint_type"),
    }
    if action == "edited":
        if final is None:
            raise ValueError("an edited suggestion needs the text that was sent")
        event.update(similarity=similarity(suggestion["text"], final), text=final)
    return event
