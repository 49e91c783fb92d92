"""The KPI function as it was before the aggregates (git c9dfe29, bot/log/review.py, since
renamed bot/log/kpis.py): the full scan the aggregates must agree with, kept verbatim as
the tests' reference."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any, Callable, Dict, Mapping, Sequence

from bot.log.kpis import (
    OUTCOMES,
    OWNER_ACTIONS,
    SENTIMENTS,
    USED,
    _acceptance,
    _rate,
    _times,
    day_of,
    summarize,
)


def kpis(
    events: Sequence[Mapping[str, Any]],
    days: Sequence[str],
    daily_budget: Callable[[str], int],
) -> Dict[str, Any]:
    """The KPI figures over ``events`` for the Taiwan days ``days`` (each day listed even
    when empty). ``daily_budget(agent)`` is an agent's daily compensation budget."""
    summaries = summarize(events)
    by_day: Dict[str, Dict[str, Any]] = {
        d: {
            "complaints": Counter(),
            "scores": [],
            "sentiments": Counter(),
            "spent": 0,
            "agents": set(),
        }
        for d in days
    }
    by_technique: Dict[str, Counter] = defaultdict(Counter)
    by_complaint: Dict[str, Counter] = defaultdict(Counter)
    for event in events:
        bucket = by_day.get(day_of(event["ts"]))
        action = event["action"]
        # the budgets in play that day: the agents at work, and approvers who spent theirs
        if bucket is not None and event.get("agent") and action in (*OWNER_ACTIONS, "approved"):
            bucket["agents"].add(event["agent"])
        if action == "message" and bucket is not None:
            bucket["scores"].append(float(event["score"]))
            bucket["sentiments"][event["sentiment"]] += 1
        elif action in ("shown", "dismissed", *USED):
            by_technique[event["technique"]][action] += 1
            by_complaint[event.get("complaint_type") or "none"][action] += 1
        elif action in ("granted", "approved") and bucket is not None:
            bucket["spent"] += int(event["cost"])
    for summary in summaries.values():
        if summary.complaint_type and summary.day in by_day:
            by_day[summary.day]["complaints"][summary.complaint_type] += 1
    conversations = list(summaries.values())
    closed = [s for s in conversations if s.outcome != "open"]
    ratings = [s.rating for s in conversations if s.rating is not None]
    return {
        "days": [
            {
                "day": d,
                "complaints": dict(sorted(b["complaints"].items())),
                "messages": len(b["scores"]),
                "sentiment_mean": round(statistics.fmean(b["scores"]), 3) if b["scores"] else None,
                "sentiments": {label: b["sentiments"][label] for label in SENTIMENTS},
                "spent": b["spent"],
                "budget": sum(daily_budget(agent) for agent in sorted(b["agents"])),
            }
            for d, b in by_day.items()
        ],
        "acceptance_by_technique": _acceptance(by_technique),
        "acceptance_by_complaint_type": _acceptance(by_complaint),
        "conversations": len(conversations),
        "escalation_rate": _rate(sum(s.escalated for s in conversations), len(conversations)),
        "resolution": {
            "closed": len(closed),
            **{r: _rate(sum(s.outcome == r for s in closed), len(closed)) for r in OUTCOMES[:3]},
        },
        "satisfaction": {
            "count": len(ratings),
            "mean": round(statistics.fmean(ratings), 2) if ratings else None,
            "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
        },
        "first_response": _times(
            [s.first_response_s for s in closed if s.first_response_s is not None]
        ),
        "handle_time": _times([s.handle_time_s for s in closed if s.handle_time_s is not None]),
        "compensation": {
            "spent": sum(d["spent"] for d in by_day.values()),
            "budget": sum(
                sum(daily_budget(agent) for agent in b["agents"]) for b in by_day.values()
            ),
        },
    }
