"""A returning customer's past case summaries in the turn's alerts (bot/assist/turn.py)."""

from __future__ import annotations

import datetime as dt

from bot.assist.replies import load_replies
from bot.assist.turn import TurnFacts, build_assist
from bot.policy import load_policy
from bot.store.profiles import Customer
from tests.conftest import ROOT

PAST = (
    {
        "conversation_id": "c-9",
        "closed_at": 1795000000.0,
        "text": "服務或產品問題或瑕疵：壺壞了（已解決結案）",
    },
    {
        "conversation_id": "c-8",
        "closed_at": 1790000000.0,
        "text": "誤會或溝通不良：運費說法不一（未解決結案）",
    },
    {"conversation_id": "c-7", "closed_at": 1780000000.0, "text": "最舊的一次"},
)


def _alerts(customer, cid="c-1"):
    latest = {
        "text": "我買的吹風機壞了",
        "intent": {"name": "complaint_defect", "confidence": 0.9},
        "sentiment": {"label": "negative", "score": -0.4},
        "entities": [],
    }
    facts = TurnFacts.from_tracker(cid, {"complaint_type": "complaint_defect"}, latest)
    assist = build_assist(
        facts,
        "clarify",
        replies=load_replies(ROOT / "data/replies"),
        policy=load_policy(ROOT / "data/policy"),
        today=dt.date(2026, 11, 27),
        customer=customer,
    )
    return {a["kind"]: a["text"] for a in assist.payload["alerts"]}


def _customer(past):
    return Customer("C002", "陳怡君", "陳小姐", "regular", None, (), 0, past_summaries=past)


def test_the_newest_two_past_summaries_are_one_alert():
    text = _alerts(_customer(PAST))["past_summary"]
    assert (
        text
        == "過去對話：11/18 服務或產品問題或瑕疵：壺壞了（已解決結案）；9/21 誤會或溝通不良：運費說法不一（未解決結案）"
    )


def test_no_past_no_alert_and_never_the_conversation_itself():
    assert "past_summary" not in _alerts(_customer(()))
    assert "past_summary" not in _alerts(None)
    assert "最舊的一次" in _alerts(_customer(PAST), cid="c-9")["past_summary"]
