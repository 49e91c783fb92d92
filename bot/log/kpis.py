"""What supervisors read from the outcome log (pure): the per-conversation summaries of the
review list, and the KPIs.

Input: outcome events (schema version 1, :mod:`bot.log.schema`), oldest first, or the
same figures counted as the events were logged (:mod:`bot.log.views`). Days are
Taiwan days (UTC+8). A conversation belongs to the last agent named on its own agent's
events (:data:`OWNER_ACTIONS`), not to a supervisor who approved, corrected or rated.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Set,
)

TAIWAN = dt.timezone(dt.timedelta(hours=8))
OUTCOMES = ("resolved", "referred", "unresolved", "open")
SENTIMENTS = ("negative", "neutral", "positive")
USED = ("used", "edited")
# what the conversation's own agent does; a supervisor's decisions, corrections and
# ratings do not make the conversation theirs
OWNER_ACTIONS = frozenset(
    {
        "message",
        "escalation",
        "shown",
        "used",
        "edited",
        "dismissed",
        "offered",
        "accepted",
        "declined",
        "granted",
        "approval_requested",
        "closed",
    }
)


def day_of(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, TAIWAN).date().isoformat()


def day_start(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), TAIWAN).timestamp()


@dataclass
class ConversationSummary:
    conversation_id: str
    agent: Optional[str] = None
    started: float = 0.0
    day: str = ""
    complaint_type: Optional[str] = None
    sentiment: Optional[str] = None  # of the last customer message
    lowest_score: Optional[float] = None
    customer_messages: int = 0
    escalated: bool = False
    outcome: str = "open"
    rating: Optional[int] = None
    compensation_cost: int = 0
    handle_time_s: Optional[float] = None
    first_response_s: Optional[float] = None
    suggestions: Dict[str, int] = field(
        default_factory=lambda: {"shown": 0, "used": 0, "edited": 0, "dismissed": 0}
    )

    def as_dict(self) -> Dict[str, Any]:
        """As ``dataclasses.asdict`` (fields in order, the counts copied), several times faster."""
        return {**vars(self), "suggestions": dict(self.suggestions)}


def summarize(events: Iterable[Mapping[str, Any]]) -> Dict[str, ConversationSummary]:
    """One summary per conversation, in order of first appearance."""
    result: Dict[str, ConversationSummary] = {}
    for event in events:
        cid = event["conversation_id"]
        summary = result.get(cid)
        if summary is None:
            summary = result[cid] = ConversationSummary(cid, started=event["ts"])
            summary.day = day_of(event["ts"])
        action = event["action"]
        if event.get("agent") and action in OWNER_ACTIONS:
            summary.agent = event["agent"]
        if action == "message":
            summary.customer_messages += 1
            summary.sentiment = event["sentiment"]
            score = float(event["score"])
            if summary.lowest_score is None or score < summary.lowest_score:
                summary.lowest_score = score
            if event.get("complaint_type") and summary.complaint_type is None:
                summary.complaint_type = event["complaint_type"]
        elif action == "escalation":
            summary.escalated = True
        elif action in summary.suggestions:
            summary.suggestions[action] += 1
        elif action in ("granted", "approved"):
            summary.compensation_cost += int(event["cost"])
        elif action == "closed":
            summary.outcome = event["resolution"]
            summary.handle_time_s = event.get("handle_time_s")
            summary.first_response_s = event.get("first_response_s")
        elif action == "rated":
            summary.rating = int(event["rating"])
        elif action == "corrected" and event.get("complaint_type"):
            summary.complaint_type = event["complaint_type"]
    return result


def select(
    summaries: Iterable[ConversationSummary],
    *,
    agent: Optional[str] = None,
    complaint_type: Optional[str] = None,
    sentiment: Optional[str] = None,
    outcome: Optional[str] = None,
) -> List[ConversationSummary]:
    """The summaries matching every filter given (None: any), newest first."""
    checks: List[Callable[[ConversationSummary], bool]] = []
    if agent:
        checks.append(lambda s: s.agent == agent)
    if complaint_type:
        checks.append(lambda s: s.complaint_type == complaint_type)
    if sentiment:
        checks.append(lambda s: s.sentiment == sentiment)
    if outcome:
        checks.append(lambda s: s.outcome == outcome)
    chosen = [s for s in summaries if all(check(s) for check in checks)]
    return sorted(chosen, key=lambda s: s.started, reverse=True)


def only_agent(events: Sequence[Mapping[str, Any]], agent: str) -> List[Mapping[str, Any]]:
    """The events of the conversations that belong to ``agent``."""
    owners = {cid: s.agent for cid, s in summarize(events).items()}
    return [e for e in events if owners.get(e["conversation_id"]) == agent]


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 3) if whole else None


def _times(values: List[float]) -> Dict[str, Optional[float]]:
    if not values:
        return {"count": 0, "median_s": None, "mean_s": None}
    return {
        "count": len(values),
        "median_s": round(statistics.median(values), 1),
        "mean_s": round(statistics.fmean(values), 1),
    }


def _acceptance(counter: Mapping[str, Counter]) -> Dict[str, Dict[str, Any]]:
    return {
        key: {
            "shown": c["shown"],
            "used": c["used"],
            "edited": c["edited"],
            "dismissed": c["dismissed"],
            "acceptance": _rate(c["used"] + c["edited"], c["shown"]),
        }
        for key, c in sorted(counter.items())
    }


@dataclass
class DayTally:
    """One Taiwan day's event counts (the complaints are filled from the conversations)."""

    messages: int = 0
    score_total: float = 0.0  # the sum of the messages' scores (math.fsum in the scan)
    sentiments: Counter = field(default_factory=Counter)
    spent: int = 0
    agents: Set[str] = field(default_factory=set)  # whose daily budgets were in play


class Closing(Protocol):
    """What the KPIs need of a conversation (a :class:`ConversationSummary` has it)."""

    day: str
    complaint_type: Optional[str]
    escalated: bool
    outcome: str
    rating: Optional[int]
    handle_time_s: Optional[float]
    first_response_s: Optional[float]


@dataclass
class Tally:
    """What the KPIs are computed from: counted by a scan of the events (:func:`tally`) or
    read from the aggregates kept as events are logged (:mod:`bot.log.views`)."""

    days: Dict[str, DayTally]
    by_technique: Dict[str, Counter]
    by_complaint: Dict[str, Counter]
    conversations: Sequence[Closing]

    def agents(self) -> Set[str]:
        return set().union(*(day.agents for day in self.days.values()))


def tally(events: Sequence[Mapping[str, Any]], days: Sequence[str]) -> Tally:
    """The full scan: every event of the period, oldest first."""
    by_day = {d: DayTally() for d in days}
    scores: Dict[str, List[float]] = {d: [] for d in days}
    by_technique: Dict[str, Counter] = defaultdict(Counter)
    by_complaint: Dict[str, Counter] = defaultdict(Counter)
    for event in events:
        day = day_of(event["ts"])
        bucket = by_day.get(day)
        action = event["action"]
        # the budgets in play that day: the agents at work, and approvers who spent theirs
        if bucket is not None and event.get("agent") and action in (*OWNER_ACTIONS, "approved"):
            bucket.agents.add(event["agent"])
        if action == "message" and bucket is not None:
            scores[day].append(float(event["score"]))
            bucket.sentiments[event["sentiment"]] += 1
        elif action in ("shown", "dismissed", *USED):
            by_technique[event["technique"]][action] += 1
            by_complaint[event.get("complaint_type") or "none"][action] += 1
        elif action in ("granted", "approved") and bucket is not None:
            bucket.spent += int(event["cost"])
    for day, values in scores.items():
        by_day[day].messages = len(values)
        by_day[day].score_total = math.fsum(values)  # as statistics.fmean sums
    return Tally(by_day, by_technique, by_complaint, list(summarize(events).values()))


def kpis(
    events: Sequence[Mapping[str, Any]],
    days: Sequence[str],
    daily_budget: Callable[[str], int],
) -> Dict[str, Any]:
    """The KPI figures over ``events`` for the Taiwan days ``days`` (each day listed even
    when empty). ``daily_budget(agent)`` is an agent's daily compensation budget."""
    return figures(tally(events, days), daily_budget)


def figures(counted: Tally, daily_budget: Callable[[str], int]) -> Dict[str, Any]:
    """The KPI figures from a :class:`Tally` (the response of ``GET /kpis``)."""
    complaints: Dict[str, Counter] = {d: Counter() for d in counted.days}
    for summary in counted.conversations:
        if summary.complaint_type and summary.day in complaints:
            complaints[summary.day][summary.complaint_type] += 1
    conversations = counted.conversations
    closed = [s for s in conversations if s.outcome != "open"]
    ratings = [s.rating for s in conversations if s.rating is not None]
    return {
        "days": [
            {
                "day": d,
                "complaints": dict(sorted(complaints[d].items())),
                "messages": b.messages,
                "sentiment_mean": round(b.score_total / b.messages, 3) if b.messages else None,
                "sentiments": {label: b.sentiments[label] for label in SENTIMENTS},
                "spent": b.spent,
                "budget": sum(daily_budget(agent) for agent in sorted(b.agents)),
            }
            for d, b in counted.days.items()
        ],
        "acceptance_by_technique": _acceptance(counted.by_technique),
        "acceptance_by_complaint_type": _acceptance(counted.by_complaint),
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
            "spent": sum(b.spent for b in counted.days.values()),
            "budget": sum(
                sum(daily_budget(agent) for agent in b.agents) for b in counted.days.values()
            ),
        },
    }


def kpi_rows(figures: Mapping[str, Any]) -> List[List[Any]]:
    """The same figures as CSV rows: section, key, measure, value."""
    rows: List[List[Any]] = [["section", "key", "measure", "value"]]
    for day in figures["days"]:
        for measure in ("messages", "sentiment_mean", "spent", "budget"):
            rows.append(["day", day["day"], measure, day[measure]])
        for label, count in day["sentiments"].items():
            rows.append(["day", day["day"], f"sentiment_{label}", count])
        for complaint, count in day["complaints"].items():
            rows.append(["day", day["day"], f"complaints_{complaint}", count])
    for section in ("acceptance_by_technique", "acceptance_by_complaint_type"):
        for key, values in figures[section].items():
            for measure, value in values.items():
                rows.append([section, key, measure, value])
    rows.append(["overall", "", "conversations", figures["conversations"]])
    rows.append(["overall", "", "escalation_rate", figures["escalation_rate"]])
    for section in ("resolution", "first_response", "handle_time", "compensation"):
        for measure, value in figures[section].items():
            rows.append([section, "", measure, value])
    satisfaction = figures["satisfaction"]
    rows.append(["satisfaction", "", "count", satisfaction["count"]])
    rows.append(["satisfaction", "", "mean", satisfaction["mean"]])
    for score, count in satisfaction["distribution"].items():
        rows.append(["satisfaction", score, "ratings", count])
    return rows


def date_range(start: dt.date, end: dt.date) -> List[str]:
    """Every day from ``start`` to ``end`` inclusive, as ISO dates."""
    return [(start + dt.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
