"""Coaching per day and agent from the compact scorecards; the per-day aggregates keep the
last scorecard as the qa events are logged, the same as a scan of the stream."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.log import aggregates, qa
from bot.log.outcomes import OutcomeLog, make_event
from bot.log.views import OutcomeViews
from tests.helpers.qa import GOOD, qa_event
from tests.log.outcome_events import DAY0


def test_coaching_per_day_and_agent_from_parts():
    good, bad = qa.score(GOOD), qa.score(replace(GOOD, rating=1))
    events = [
        make_event(qa_event("c1", "agent1", good, "2026-11-20"), now=DAY0),
        make_event(qa_event("c2", "agent2", bad, "2026-11-21"), now=DAY0 + 86400),
        make_event(qa_event("c1", "agent1", bad, "2026-11-20"), now=DAY0 + 90000),  # later
    ]
    parts = qa.parts_from_events(events)
    shown = qa.coaching(parts, ["2026-11-20", "2026-11-21", "2026-11-22"])
    first = shown["days"][0]
    assert first["conversations"] == 1 and first["score_mean"] == bad.score  # the last wins
    assert first["criteria"]["customer_rating"] == {
        "met": 0,
        "not_met": 1,
        "not_applicable": 0,
        "rate": 0.0,
    }
    assert shown["days"][2]["score_mean"] is None
    assert [a["agent"] for a in shown["agents"]] == ["agent1", "agent2"]
    only = qa.coaching(parts, ["2026-11-20", "2026-11-21"], agent="agent2")
    assert [a["agent"] for a in only["agents"]] == ["agent2"]
    assert only["days"][0]["conversations"] == 0


async def test_the_aggregates_keep_the_last_scorecard_per_close_day(aioredis, tmp_path):
    log, views = OutcomeLog(aioredis, tmp_path), OutcomeViews(aioredis)
    good, bad = qa.score(GOOD), qa.score(replace(GOOD, rating=1))
    await log.append(qa_event("c1", "agent1", good, "2026-11-20"))
    record = await log.append(
        {
            **qa_event("c1", "agent1", bad, "2026-11-20"),
            "action": "qa_overridden",
            "agent": "super1",
            "criterion": "customer_rating",
            "met": False,
        }
    )
    assert await log._add(record) is False  # a retry changes nothing
    parts = await views.qa_parts(["2026-11-20", "2026-11-21"])
    assert parts == {"2026-11-20": {"c1": json.loads(bad.part("agent1"))}, "2026-11-21": {}}
    assert len(aggregates.facts(record)) == aggregates.FACTS
    events, _ = await log.read()
    assert qa.parts_from_events(events)["2026-11-20"] == parts["2026-11-20"]  # scan == aggregates
