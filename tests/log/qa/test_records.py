"""A closed conversation from the stored transcript, outcome events, suggestions and options."""

from __future__ import annotations

from bot.log import qa
from tests.helpers.qa import T0


def test_conversation_from_the_stored_records():
    messages = [
        {"role": "customer", "text": "壞了", "ts": T0},
        {
            "role": "agent",
            "text": "抱歉",
            "ts": T0 + 5,
            "suggestion_id": "s1",
            "technique": "empathy",
            "edited": True,
        },
        {"role": "agent", "text": "請問？", "ts": T0 + 6, "suggestion_id": None, "technique": None},
    ]
    events = [
        {
            "action": "message",
            "turn": 0,
            "stage": "clarify",
            "sentiment": "neutral",
            "score": 0.0,
            "ts": T0,
        },
        {
            "action": "corrected",
            "turn": 0,
            "sentiment": "negative",
            "complaint_type": None,
            "ts": T0 + 1,
        },
        {"action": "offered", "option_id": "o1", "cost": 100, "ts": T0 + 7},
        {"action": "approval_requested", "option_id": "o1", "cost": 100, "ts": T0 + 8},
        {"action": "approved", "option_id": "o1", "cost": 100, "ts": T0 + 9},
    ]
    conv = qa.conversation_from_records(
        "c1",
        "agent1",
        messages,
        events,
        {"s1": {"stage": "acknowledge"}},
        {"o1": {"label": "折價券", "within_authority": False}},
        "resolved",
        4,
    )
    assert conv.messages[1] == qa.Message("agent", "抱歉", T0 + 5, "empathy", "acknowledge", True)
    assert conv.messages[2].technique is None
    assert conv.readings == (qa.Reading(0, "clarify", "negative", 0.0),)  # the correction wins
    assert conv.compensation == (
        qa.Compensation("o1", "折價券", 100, False, T0 + 7, None, False, "approved"),
    )
