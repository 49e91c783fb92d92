"""Coaching: scorecards per agent and per criterion over time (pure), from the compact
scorecards the per-day aggregates keep (:meth:`~bot.log.qa.model.Scorecard.part`)."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence

from bot.log.qa.model import CRITERIA, Scorecard
from bot.log.qa.records import QA_ACTIONS


def coaching(
    parts: Mapping[str, Mapping[str, Mapping[str, Any]]],
    days: Sequence[str],
    agent: Optional[str] = None,
) -> Dict[str, Any]:
    """``parts``: day → conversation id → its compact scorecard (:meth:`Scorecard.part`).
    Per day and per agent: conversations, the mean score and, per criterion, how many met,
    not met and not applicable, with the rate met over the applicable."""

    def blank() -> Dict[str, Any]:
        return {"scores": [], "criteria": {c.id: [0, 0, 0] for c in CRITERIA}}

    def add(bucket: Dict[str, Any], part: Mapping[str, Any]) -> None:
        if part.get("s") is not None:
            bucket["scores"].append(part["s"])
        bucket.setdefault("n", 0)
        bucket["n"] += 1
        for criterion, met in (part.get("i") or {}).items():
            if criterion in bucket["criteria"]:
                bucket["criteria"][criterion][0 if met is True else 1 if met is False else 2] += 1

    def shown(bucket: Dict[str, Any]) -> Dict[str, Any]:
        scores = bucket["scores"]
        return {
            "conversations": bucket.get("n", 0),
            "score_mean": round(sum(scores) / len(scores), 1) if scores else None,
            "criteria": {
                cid: {
                    "met": met,
                    "not_met": unmet,
                    "not_applicable": na,
                    "rate": round(met / (met + unmet), 3) if met + unmet else None,
                }
                for cid, (met, unmet, na) in bucket["criteria"].items()
            },
        }

    by_day = {day: blank() for day in days}
    by_agent: Dict[str, Dict[str, Any]] = {}
    for day in days:
        for part in (parts.get(day) or {}).values():
            owner = part.get("a") or ""
            if agent is not None and owner != agent:
                continue
            add(by_day[day], part)
            add(by_agent.setdefault(owner, blank()), part)
    return {
        "days": [{"day": day, **shown(by_day[day])} for day in days],
        "agents": [{"agent": a or None, **shown(b)} for a, b in sorted(by_agent.items())],
        "criteria": [{"id": c.id, "label": c.label} for c in CRITERIA],
    }


def parts_from_events(events: Iterable[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """What the aggregates keep, from the stream (while they are rebuilt): day → conversation
    id → its last compact scorecard."""
    parts: Dict[str, Dict[str, Any]] = {}
    for event in events:
        if event["action"] in QA_ACTIONS:
            card = Scorecard.from_dict(event)
            parts.setdefault(event["day"], {})[event["conversation_id"]] = json.loads(
                card.part(event.get("owner"))
            )
    return parts
