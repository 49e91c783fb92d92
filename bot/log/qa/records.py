"""A closed conversation and its current scorecard, from what the project stores (pure):
the transcript, the outcome events, the stored suggestions and options, the qa events."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

from bot.log.qa.model import ClosedConversation, Compensation, Message, Reading, Scorecard

QA_ACTIONS = ("qa_scored", "qa_overridden")


def conversation_from_records(
    cid: str,
    agent: Optional[str],
    messages: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    suggestions: Mapping[str, Mapping[str, Any]],
    options: Mapping[str, Mapping[str, Any]],
    resolution: Optional[str],
    rating: Optional[int],
) -> ClosedConversation:
    """A :class:`ClosedConversation` from the transcript (``kefu:conv:<id>:messages``),
    the conversation's outcome events, its stored suggestions and options."""
    built = tuple(
        Message(
            role=str(m.get("role")),
            text=str(m.get("text") or ""),
            ts=float(m.get("ts") or 0),
            technique=m.get("technique") if m.get("suggestion_id") else None,
            stage=(suggestions.get(m.get("suggestion_id") or "") or {}).get("stage"),
            edited=bool(m.get("edited")),
        )
        for m in messages
    )
    readings: Dict[int, Reading] = {}
    corrected: Dict[int, str] = {}
    offers: Dict[str, Dict[str, Any]] = {}
    for event in events:
        action = event["action"]
        if action == "message":
            readings[event["turn"]] = Reading(
                event["turn"], event.get("stage"), event["sentiment"], float(event["score"])
            )
        elif action == "corrected" and event.get("sentiment"):
            corrected[event["turn"]] = event["sentiment"]  # a supervisor's reading wins
        elif "option_id" in event and action in (
            "offered",
            "accepted",
            "granted",
            "approval_requested",
            "approved",
            "denied",
        ):
            offer = offers.setdefault(event["option_id"], {"cost": int(event["cost"])})
            if action == "offered":
                offer.setdefault("offered_at", event["ts"])
            elif action == "accepted":
                offer.setdefault("accepted_at", event["ts"])
            elif action == "granted":
                offer["granted"] = True
            else:
                offer["approval"] = {
                    "approval_requested": "requested",
                    "approved": "approved",
                    "denied": "denied",
                }[action]
    for turn, sentiment in corrected.items():
        if turn in readings:
            readings[turn] = replace(readings[turn], sentiment=sentiment)
    compensation = tuple(
        Compensation(
            option_id=oid,
            label=str((options.get(oid) or {}).get("label") or oid),
            cost=offer["cost"],
            within_authority=(options.get(oid) or {}).get("within_authority"),
            offered_at=offer.get("offered_at"),
            accepted_at=offer.get("accepted_at"),
            granted=offer.get("granted", False),
            approval=offer.get("approval"),
        )
        for oid, offer in offers.items()
    )
    return ClosedConversation(
        cid,
        agent,
        built,
        tuple(sorted(readings.values(), key=lambda r: r.turn)),
        compensation,
        resolution,
        rating,
    )


def latest(events: Iterable[Mapping[str, Any]]) -> Optional[Tuple[Scorecard, str]]:
    """The conversation's current scorecard and its day, from its qa events (the last)."""
    found = None
    for event in events:
        if event["action"] in QA_ACTIONS:
            found = event
    if found is None:
        return None
    return Scorecard.from_dict(found), found["day"]
