"""Conversation summaries and KPIs from outcome events (pure)."""

from __future__ import annotations

import datetime as dt

from bot.log import kpis

DAY = kpis.day_start(dt.date(2026, 11, 20))  # 00:00 in Taiwan


def ev(action, cid="c1", t=60.0, agent="agent1", **fields):
    return {"action": action, "conversation_id": cid, "agent": agent, "ts": DAY + t, **fields}


def message(turn, score, cid="c1", complaint="complaint_defect", t=60.0, agent="agent1"):
    label = "negative" if score < -0.2 else "positive" if score > 0.2 else "neutral"
    return ev(
        "message",
        cid,
        t,
        agent,
        turn=turn,
        intent=complaint,
        complaint_type=complaint,
        sentiment=label,
        score=score,
        stage="clarify",
    )


def shown(sid, technique, cid="c1", complaint="complaint_defect", agent="agent1", t=60.0):
    return ev(
        "shown",
        cid,
        t,
        agent=agent,
        turn=0,
        suggestion_id=sid,
        technique=technique,
        complaint_type=complaint,
        stage="clarify",
    )


def fate(action, sid, technique, cid="c1", complaint="complaint_defect", agent="agent1"):
    return ev(
        action, cid, agent=agent, suggestion_id=sid, technique=technique, complaint_type=complaint
    )


EVENTS = [
    message(0, -0.8),
    ev("escalation", turn=0, cues=["消基會"]),
    shown("a", "empathy"),
    shown("b", "clarifying_question"),
    shown("c", "active_listening"),
    fate("used", "a", "empathy"),
    fate("dismissed", "b", "clarifying_question"),
    message(2, 0.1),
    shown("d", "empathy"),
    fate("edited", "d", "empathy"),
    ev("granted", option_id="coupon_200", cost=120),
    ev(
        "approved",
        agent="super1",
        option_id="refund",
        cost=600,
        approval_id="x",
        requested_by="agent1",
    ),
    ev(
        "closed",
        t=900.0,
        resolution="resolved",
        compensation=["coupon_200"],
        compensation_cost=720,
        handle_time_s=840.0,
        first_response_s=30.0,
    ),
    ev("rated", agent=None, rating=4),
    # a second conversation, another agent, another day
    message(0, -0.3, cid="c2", complaint="complaint_price_error", t=86400 + 60, agent="agent2"),
    shown(
        "e", "empathy", cid="c2", complaint="complaint_price_error", agent="agent2", t=86400 + 90
    ),
    ev(
        "closed",
        cid="c2",
        t=86400 + 600,
        agent="agent2",
        resolution="referred",
        compensation=[],
        compensation_cost=0,
        handle_time_s=540.0,
        first_response_s=90.0,
    ),
]


def test_a_conversation_summary_collects_what_happened():
    summary = kpis.summarize(EVENTS)["c1"]
    assert summary.agent == "agent1"  # the approver does not take the conversation over
    assert summary.complaint_type == "complaint_defect"
    assert summary.sentiment == "neutral" and summary.lowest_score == -0.8
    assert summary.escalated and summary.outcome == "resolved" and summary.rating == 4
    assert summary.compensation_cost == 720
    assert summary.suggestions == {"shown": 4, "used": 1, "edited": 1, "dismissed": 1}


def test_filters_combine():
    summaries = kpis.summarize(EVENTS).values()
    assert [s.conversation_id for s in kpis.select(summaries)] == ["c2", "c1"]
    assert [s.conversation_id for s in kpis.select(summaries, outcome="referred")] == ["c2"]
    assert kpis.select(summaries, agent="agent1", complaint_type="complaint_price_error") == []
    assert [s.conversation_id for s in kpis.select(summaries, sentiment="neutral")] == ["c1"]


def test_kpis_over_two_days():
    days = kpis.date_range(dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    figures = kpis.kpis(EVENTS, days, {"agent1": 3000, "agent2": 3000, "super1": 50000}.get)
    first, second, third = figures["days"]
    assert first["complaints"] == {"complaint_defect": 1}
    assert second["complaints"] == {"complaint_price_error": 1}
    assert third["messages"] == 0 and third["sentiment_mean"] is None
    assert first["sentiment_mean"] == -0.35 and first["spent"] == 720
    assert first["budget"] == 53000  # agent1 and the approving supervisor worked that day
    empathy = figures["acceptance_by_technique"]["empathy"]
    assert empathy == {"shown": 3, "used": 1, "edited": 1, "dismissed": 0, "acceptance": 0.667}
    assert figures["acceptance_by_complaint_type"]["complaint_price_error"]["acceptance"] == 0.0
    assert figures["escalation_rate"] == 0.5
    assert figures["resolution"] == {
        "closed": 2,
        "resolved": 0.5,
        "referred": 0.5,
        "unresolved": 0.0,
    }
    assert (
        figures["satisfaction"]["mean"] == 4 and figures["satisfaction"]["distribution"]["4"] == 1
    )
    assert figures["first_response"] == {"count": 2, "median_s": 60.0, "mean_s": 60.0}
    assert figures["handle_time"]["median_s"] == 690.0


def test_an_agent_sees_only_their_conversations():
    mine = kpis.only_agent(EVENTS, "agent2")
    assert {e["conversation_id"] for e in mine} == {"c2"}


def test_csv_rows_carry_every_figure():
    days = kpis.date_range(dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    rows = kpis.kpi_rows(kpis.kpis(EVENTS, days, lambda agent: 3000))
    assert rows[0] == ["section", "key", "measure", "value"]
    assert ["day", "2026-11-20", "complaints_complaint_defect", 1] in rows
    assert ["acceptance_by_technique", "empathy", "acceptance", 0.667] in rows
    assert ["satisfaction", "4", "ratings", 1] in rows
    assert all(len(row) == 4 for row in rows)


def test_a_supervisors_decision_correction_or_rating_does_not_take_the_conversation():
    events = [
        *EVENTS[:3],
        ev(
            "approved",
            agent="super1",
            option_id="refund",
            cost=600,
            approval_id="y",
            requested_by="agent1",
        ),
        ev("corrected", agent="super1", turn=0, complaint_type=None, sentiment="negative"),
        ev("suggestion_rated", agent="super1", suggestion_id="a", verdict="bad"),
    ]
    assert kpis.summarize(events)["c1"].agent == "agent1"
    assert {e["conversation_id"] for e in kpis.only_agent(events, "agent1")} == {"c1"}
