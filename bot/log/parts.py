"""Conversations' day parts → summaries and KPI tallies (pure; :mod:`bot.log.aggregates`).

A part is what one conversation did on one Taiwan day, kept by the aggregation script in
short keys: ``c`` conversation, ``d`` day, ``s`` ts of its first event and ``e`` that
event's stream entry, ``a`` its agent (last named on the agent's own events), ``m`` the
complaint type of its first typed message, ``k`` of its last correction, ``se`` the last
sentiment, ``lo`` the lowest score, ``n`` customer messages, ``es`` escalated, ``o`` /
``h`` / ``f`` resolution, handle and first-response time of its last close, ``r`` the last
rating, ``co`` compensation granted or approved, ``g`` shown/used/edited/dismissed; and,
in the conversation's own copy, ``x``: its counts for one agent's KPIs. Numbers that must
come back exactly (``s``, ``lo``, ``h``, ``f``, ``x.ss``) are kept as the log's JSON text.

The parts of a period's days, oldest first, merge into what :func:`bot.log.kpis.summarize`
makes of the period's events: last of what is last, first of what is first, sums of the
rest. Decoding many parts makes many small objects; the cyclic garbage collector, which
these never need, is paused meanwhile (:func:`gc_paused`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
from collections import Counter, defaultdict
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

from bot.log.kpis import ConversationSummary, DayTally, Tally

SUGGESTIONS = ("shown", "used", "edited", "dismissed")  # the order of ``g``
Part = Dict[str, Any]
Parts = Dict[str, List[Tuple[str, Part]]]  # conversation id → (day, part), oldest day first


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while decoding (a third of the time, measured)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _number(text: str) -> Any:
    """A number the log wrote as JSON (or null), read back as json.loads would (faster)."""
    if "." in text:
        return float(text)
    if text == "null":
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)  # 1e+20, Infinity


def _entry(entry: str) -> Tuple[int, int]:
    ms, _, seq = entry.partition("-")
    return int(ms), int(seq or 0)


def _one(cid: str, day: str, part: Part) -> ConversationSummary:
    """The summary of a conversation with one part in the period (most of them)."""
    get = part.get
    low = get("lo")
    closed = "o" in part
    return ConversationSummary(
        cid,
        get("a"),
        _number(part["s"]),
        day,
        get("k") or get("m"),
        get("se"),
        None if low is None else float(low),
        part["n"],
        "es" in part,
        part["o"] if closed else "open",
        get("r"),
        part["co"],
        _number(part["h"]) if closed else None,
        _number(part["f"]) if closed else None,
        dict(zip(SUGGESTIONS, part["g"])),
    )


class Closing(NamedTuple):
    """What the KPIs need of a conversation (:class:`bot.log.kpis.Closing`), made
    without the whole summary: most of the KPI page's time is making these."""

    day: str
    complaint_type: Optional[str]
    escalated: bool
    outcome: str
    rating: Optional[int]
    handle_time_s: Optional[float]
    first_response_s: Optional[float]


def closing(cid: str, parts: Sequence[Tuple[str, Part]]) -> Closing:
    if len(parts) > 1:
        s = merge(cid, parts)
        return Closing(
            s.day,
            s.complaint_type,
            s.escalated,
            s.outcome,
            s.rating,
            s.handle_time_s,
            s.first_response_s,
        )
    day, part = parts[0]
    get = part.get
    closed = "o" in part
    return Closing(
        day,
        get("k") or get("m"),
        "es" in part,
        part["o"] if closed else "open",
        get("r"),
        _number(part["h"]) if closed else None,
        _number(part["f"]) if closed else None,
    )


def merge(cid: str, parts: Sequence[Tuple[str, Part]]) -> ConversationSummary:
    """One conversation's summary over the days of ``parts`` (oldest day first)."""
    first_day, first = parts[0]
    if len(parts) == 1:
        return _one(cid, first_day, first)
    summary = ConversationSummary(cid, started=_number(first["s"]), day=first_day)
    corrected = typed = None
    for _, part in parts:
        if "a" in part:
            summary.agent = part["a"]
        if "k" in part:
            corrected = part["k"]  # the last correction wins
        if typed is None and "m" in part:
            typed = part["m"]  # else the first typed message
        if "se" in part:
            summary.sentiment = part["se"]
        if "lo" in part:
            low = float(part["lo"])
            if summary.lowest_score is None or low < summary.lowest_score:
                summary.lowest_score = low
        summary.customer_messages += part["n"]
        summary.escalated = summary.escalated or "es" in part
        if "o" in part:
            summary.outcome = part["o"]
            summary.handle_time_s = _number(part["h"])
            summary.first_response_s = _number(part["f"])
        if "r" in part:
            summary.rating = part["r"]
        summary.compensation_cost += part["co"]
        for action, count in zip(SUGGESTIONS, part["g"]):
            summary.suggestions[action] += count
    summary.complaint_type = corrected or typed
    return summary


def group(found: Iterable[Part]) -> Parts:
    """Parts, in any order → each conversation's parts, oldest day first."""
    parts: Parts = {}
    for part in found:
        parts.setdefault(part["c"], []).append((part["d"], part))
    for by_day in parts.values():
        if len(by_day) > 1:
            by_day.sort(key=_day)
    return parts


def _day(item: Tuple[str, Part]) -> str:
    return item[0]


def summaries(parts: Parts) -> List[ConversationSummary]:
    """The merged summaries, in order of first appearance in the log (as the scan)."""
    order = sorted(parts, key=lambda cid: _entry(parts[cid][0][1]["e"]))
    return [merge(cid, parts[cid]) for cid in order]


def day_tally(fields: Mapping[str, str], agents: Iterable[str]) -> DayTally:
    """A day's counts over every conversation (``agents``: a list, or {} when empty)."""
    day = DayTally(agents=set(agents))
    for name, value in fields.items():
        if name == "messages":
            day.messages = int(value)
        elif name == "score_total":
            day.score_total = float(value)
        elif name == "spent":
            day.spent = int(value)
        elif name.startswith("sentiment:"):
            day.sentiments[name.split(":", 1)[1]] = int(value)
    return day


def everyone_tally(days: Sequence[str], found: Sequence[bytes]) -> Tally:
    """The KPI tally from the days' replies of ``DAYS_LUA`` (parts, counts, agents)."""
    by_day: Dict[str, DayTally] = {}
    counts: Dict[str, Dict[str, Counter]] = {
        "technique": defaultdict(Counter),
        "complaint": defaultdict(Counter),
    }
    for n, day in enumerate(days):
        fields = json.loads(found[3 * n + 1])
        by_day[day] = day_tally(fields, json.loads(found[3 * n + 2]))
        for name, value in fields.items():
            kind, _, rest = name.partition(":")
            if kind in counts:
                key, _, action = rest.rpartition(":")
                counts[kind][key][action] += int(value)
    parts = group(part for day_parts in found[0::3] for part in json.loads(day_parts))
    conversations = [closing(cid, p) for cid, p in parts.items()]  # in no particular order
    return Tally(by_day, counts["technique"], counts["complaint"], conversations)


def agent_tally(days: Sequence[str], parts: Parts, agent: str) -> Tally:
    """One agent's KPI tally: the conversations that are theirs over the period, from
    their own counts (``x``), as the scan counts ``only_agent``'s events."""
    mine = {cid: p for cid, p in parts.items() if merge(cid, p).agent == agent}
    by_day = {day: DayTally() for day in days}
    scores: Dict[str, List[float]] = defaultdict(list)
    by_technique: Dict[str, Counter] = defaultdict(Counter)
    by_complaint: Dict[str, Counter] = defaultdict(Counter)
    for conversation in mine.values():
        for day, part in conversation:
            own, bucket = part["x"], by_day[day]
            bucket.messages += part["n"]
            scores[day].append(float(own["ss"]))
            bucket.sentiments.update(own["sn"])
            bucket.spent += part["co"]
            bucket.agents.update(own["ag"])
            for technique, counted in own["t"].items():
                by_technique[technique].update(counted)
            for complaint, counted in own["c"].items():
                by_complaint[complaint].update(counted)
    for day, values in scores.items():
        by_day[day].score_total = math.fsum(values)
    return Tally(by_day, by_technique, by_complaint, summaries(mine))
