"""Whether a conversation has escalated, read the same way from everything that knows."""

from __future__ import annotations

from bot.assist.analysis import analyse
from bot.assist.escalation import escalated, escalating

FLAGGED = {"escalation": {"flag": True, "cues": ["消基會"]}}
CALM = {"escalation": {"flag": False, "cues": []}}


def test_one_message_escalates_by_the_nlu_flag_only():
    assert escalating(FLAGGED) and not escalating(CALM) and not escalating({})
    assert not escalating({"escalated": True})  # the conversation's state, not the message


def test_a_conversation_has_escalated_by_any_of_what_is_known_of_it():
    assert escalated(FLAGGED)  # a parse
    assert escalated({"escalated": True})  # slots, an analysis
    assert escalated(CALM, None, {"escalated": True})
    assert not escalated(CALM, {"escalated": False}, {"escalated": ""}, {}, None)
    assert not escalated()


def test_the_analysis_keeps_a_conversation_escalated_once_it_was():
    first = analyse(FLAGGED)
    assert first.escalated and first.escalating
    later = analyse(CALM, first.sentiment_history, first.complaint_type, first.escalated)
    assert later.escalated and not later.escalating
    assert not analyse(CALM).escalated
