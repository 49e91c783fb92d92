"""Outcome events drawn by hypothesis, and the check that the aggregates give what the full
scan gives on them (shared by the tests of the aggregates, the views and the rebuild)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

from hypothesis import strategies as st

from bot.log import kpis
from bot.log.outcomes import OutcomeLog
from bot.log.views import OutcomeViews
from tests.log import scan_reference

FIRST = dt.date(2026, 11, 20)
LAST = dt.date(2026, 11, 23)
DAY0 = kpis.day_start(FIRST)
SPAN_MS = ((LAST - FIRST).days + 1) * 86_400_000
CIDS = ("c1", "c2", "c3")
AGENTS = ("agent1", "agent2", "agent3", "super1")
TYPES = ("complaint_defect", "complaint_price_error", "complaint_delay")
TECHNIQUES = ("empathy", "apology", "clarifying_question")
BUDGETS = {"agent1": 3000, "agent2": 2500, "agent3": 3000, "super1": 50000}
PERIODS = [
    *((day, day) for day in (FIRST + dt.timedelta(days=n) for n in range(4))),
    (FIRST, LAST),
    (FIRST + dt.timedelta(days=1), FIRST + dt.timedelta(days=2)),
    (FIRST, FIRST + dt.timedelta(days=1)),
]
FILTERS: List[Dict[str, str]] = [
    {},
    {"agent": "agent1"},
    {"agent": "super1"},
    {"complaint_type": "complaint_defect"},
    {"sentiment": "negative"},
    {"outcome": "open"},
    {"outcome": "resolved"},
    {"agent": "agent2", "sentiment": "neutral"},
    {"agent": "agent1", "complaint_type": "complaint_price_error", "outcome": "open"},
]

_type = st.sampled_from((None, *TYPES))
_score = st.one_of(
    st.floats(-1, 1, allow_nan=False),
    st.integers(-10_000, 10_000).map(lambda n: n / 10_000),  # as the model rounds them
    st.sampled_from((0, -0.8, 0.1, 0.5)),
)
_cost = st.one_of(st.integers(0, 2000), st.floats(0, 2000, allow_nan=False))
_seconds = st.one_of(st.none(), st.integers(0, 5000), st.floats(0, 5000, allow_nan=False))
_option = {"option_id": st.sampled_from(("coupon_200", "refund")), "cost": _cost}
_fate = {"suggestion_id": st.sampled_from("abc"), "technique": st.sampled_from(TECHNIQUES)}
_approval = {
    **_option,
    "approval_id": st.sampled_from(("x", "y")),
    "requested_by": st.sampled_from(AGENTS),
}

ACTIONS = {
    "message": {
        "turn": st.integers(0, 30),
        "intent": _type,
        "complaint_type": _type,
        "sentiment": st.sampled_from(kpis.SENTIMENTS),
        "score": _score,
        "stage": st.sampled_from((None, "clarify")),
    },
    "escalation": {"turn": st.integers(0, 30), "cues": st.just(["消基會"])},
    "shown": {
        "turn": st.integers(0, 30),
        **_fate,
        "complaint_type": _type,
        "stage": st.just("clarify"),
    },
    "used": {**_fate, "complaint_type": _type},
    "edited": {
        **_fate,
        "complaint_type": _type,
        "similarity": st.floats(0, 1),
        "text": st.just("好的"),
    },
    "dismissed": {**_fate, "complaint_type": _type},
    "offered": _option,
    "accepted": _option,
    "declined": _option,
    "granted": _option,
    "approval_requested": {
        **_option,
        "approval_id": st.just("x"),
        "approver": st.just("super1"),
    },
    "approved": _approval,
    "denied": _approval,
    "closed": {
        "resolution": st.sampled_from(kpis.OUTCOMES[:3]),
        "compensation": st.just([]),
        "compensation_cost": _cost,
        "handle_time_s": _seconds,
        "first_response_s": _seconds,
    },
    "rated": {"rating": st.integers(1, 5)},
    "corrected": {
        "turn": st.integers(0, 30),
        "complaint_type": _type,
        "sentiment": st.sampled_from((None, *kpis.SENTIMENTS)),
    },
    "suggestion_rated": {
        "suggestion_id": st.sampled_from("abc"),
        "verdict": st.sampled_from(("good", "bad")),
    },
}


# what decides a summary comes up more often than the rest
_WEIGHTED = (*sorted(ACTIONS), "message", "message", "corrected", "closed", "rated", "shown")


@st.composite
def event(draw) -> Dict[str, Any]:  # noqa: ANN001
    action = draw(st.sampled_from(_WEIGHTED))
    at = draw(st.one_of(st.integers(0, SPAN_MS - 1), st.sampled_from((0, 1000, 86_399_999))))
    return {
        "action": action,
        "conversation_id": draw(st.sampled_from(CIDS)),
        "agent": draw(st.sampled_from((None, *AGENTS))),
        "ts": round(DAY0 + at / 1000, 3),
        **draw(st.fixed_dictionaries(ACTIONS[action])),
    }


def events(max_size: int = 80) -> st.SearchStrategy[List[Dict[str, Any]]]:
    """Events of 3 conversations over 4 Taiwan days, oldest first (ties kept); any length
    up to ``max_size`` is as likely (hypothesis alone prefers short lists)."""
    sized = st.integers(0, max_size).flatmap(lambda n: st.lists(event(), min_size=n, max_size=n))
    return sized.map(lambda found: sorted(found, key=_ts))


def _ts(event: Dict[str, Any]) -> float:
    return event["ts"]


def budget(agent: str) -> int:
    return BUDGETS.get(agent, 0)


def _same_figures(got: Dict[str, Any], expected: Dict[str, Any]) -> None:
    """Equal, but for a day's mean sentiment: a float sum summed in another order may land
    on the other side of a rounding edge (±0.001), nothing more."""
    for mine, theirs in zip(got["days"], expected["days"]):
        a, b = mine.pop("sentiment_mean"), theirs.pop("sentiment_mean")
        assert (a is None) == (b is None) and (a is None or abs(a - b) <= 0.0010001), (a, b)
    assert got == expected


async def check_against_scan(
    log: OutcomeLog, views: OutcomeViews, periods: Optional[list] = None
) -> None:
    """For each period: the KPIs (all, and each agent's) and the filtered review lists from
    the aggregates equal what the old full scan of the stream computes."""
    for start, end in periods or PERIODS:
        days = kpis.date_range(start, end)
        until = kpis.day_start(end + dt.timedelta(days=1))
        scanned, _ = await log.read(kpis.day_start(start), until)  # as the routes did
        counted = await views.tally(days)
        assert counted is not None, "the aggregates are not live"
        _same_figures(kpis.figures(counted, budget), scan_reference.kpis(scanned, days, budget))
        for agent in AGENTS:
            mine = await views.tally(days, agent)
            expected = scan_reference.kpis(kpis.only_agent(scanned, agent), days, budget)
            _same_figures(kpis.figures(mine, budget), expected)
        everyone = kpis.summarize(scanned).values()
        for filters in FILTERS:
            listed = await views.summaries(days, **filters)
            expected_list = [s.as_dict() for s in kpis.select(everyone, **filters)]
            assert [s.as_dict() for s in listed] == expected_list, filters
