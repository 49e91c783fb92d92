"""A reviewed conversation's transcript (ReviewTurn in docs/openapi.yaml): each message
masked; each customer message with what the assistant understood, the suggestions it
showed and what the agent did with each, and a supervisor's correction and ratings."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, TypedDict

from bot.labels import TECHNIQUES
from bot.log.pii import mask

FATES = ("used", "edited", "dismissed")  # a suggestion shown but none of these: "ignored"


class Analysis(TypedDict):
    intent: Optional[str]
    complaint_type: Optional[str]
    sentiment: Optional[str]
    score: Optional[float]
    stage: Optional[str]


class ShownSuggestion(TypedDict, total=False):
    id: str
    technique: str
    technique_label: Optional[str]
    text: str  # masked
    outcome: str  # used / edited / dismissed / ignored
    rating: Optional[Dict[str, Any]]  # a supervisor's verdict on it


class Turn(TypedDict, total=False):
    turn: int
    role: Optional[str]
    text: str  # masked
    ts: Optional[float]
    # a customer's message
    analysis: Optional[Analysis]
    suggestions: List[ShownSuggestion]
    correction: Optional[Dict[str, Any]]
    # an agent's reply
    agent: Optional[str]
    suggestion_id: Optional[str]
    technique_label: Optional[str]
    edited: Optional[bool]


class Feedback(TypedDict):
    """A conversation's corrections and suggestion ratings (bot/store/corrections.py)."""

    corrections: List[Dict[str, Any]]
    suggestion_ratings: List[Dict[str, Any]]


def _shown(
    events: Sequence[Mapping[str, Any]], suggestions: Mapping[str, Mapping[str, Any]]
) -> Dict[int, List[ShownSuggestion]]:
    """The suggestions shown after each customer message, with their fate."""
    fate = {e["suggestion_id"]: e["action"] for e in events if e["action"] in FATES}
    shown: Dict[int, List[ShownSuggestion]] = {}
    for event in events:
        if event["action"] == "shown":
            stored = suggestions.get(event["suggestion_id"]) or {}
            shown.setdefault(event["turn"], []).append(
                {
                    "id": event["suggestion_id"],
                    "technique": event["technique"],
                    "technique_label": TECHNIQUES.get(event["technique"]),
                    "text": mask(stored.get("text", "")),
                    "outcome": fate.get(event["suggestion_id"], "ignored"),
                }
            )
    return shown


def _understood(events: Sequence[Mapping[str, Any]]) -> Dict[int, Analysis]:
    return {
        event["turn"]: {
            "intent": event["intent"],
            "complaint_type": event["complaint_type"],
            "sentiment": event["sentiment"],
            "score": event["score"],
            "stage": event["stage"],
        }
        for event in events
        if event["action"] == "message"
    }


def turns(
    messages: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    suggestions: Mapping[str, Mapping[str, Any]],
    feedback: Feedback,
) -> List[Turn]:
    """The transcript (masked) from the stored messages, the conversation's outcome
    events, its stored suggestions and the supervisors' feedback on it."""
    shown = _shown(events, suggestions)
    understood = _understood(events)
    corrected = {c["turn"]: c for c in feedback["corrections"]}
    verdicts = {r["suggestion_id"]: r for r in feedback["suggestion_ratings"]}
    result: List[Turn] = []
    for index, message in enumerate(messages):
        turn: Turn = {
            "turn": index,
            "role": message.get("role"),
            "text": mask(message.get("text", "")),
            "ts": message.get("ts"),
        }
        if message.get("role") == "customer":
            turn["analysis"] = understood.get(index)
            turn["suggestions"] = [
                {**s, "rating": verdicts.get(s["id"])} for s in shown.get(index, [])
            ]
            turn["correction"] = corrected.get(index)
        else:
            turn.update(
                agent=message.get("agent"),
                suggestion_id=message.get("suggestion_id"),
                technique_label=message.get("technique_label"),
                edited=message.get("edited"),
            )
        result.append(turn)
    return result
