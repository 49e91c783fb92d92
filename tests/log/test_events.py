"""The suggestion-outcome event, built in one place for every route that logs it."""

from __future__ import annotations

import pytest

from bot.log.events import sent_as, similarity, suggestion_outcome
from bot.log.outcomes import make_event

SUGGESTION = {
    "id": "defect.ack.1",
    "text": "很抱歉造成您的困擾，我馬上幫您處理",
    "technique": "empathy",
    "complaint_type": "complaint_defect",
}


def test_used_and_dismissed_carry_the_suggestion_and_pass_the_schema():
    for action in ("used", "dismissed"):
        event = suggestion_outcome(action, "c1", "agent1", SUGGESTION)
        assert event == {
            "conversation_id": "c1",
            "action": action,
            "agent": "agent1",
            "suggestion_id": "defect.ack.1",
            "technique": "empathy",
            "complaint_type": "complaint_defect",
        }
        make_event(event)  # raises if the schema refused it


def test_an_edit_keeps_the_text_sent_and_how_much_of_the_suggestion_it_kept():
    final = "很抱歉造成您的困擾，我今天就幫您換新，請留 0912-345-678 以外的電話"
    event = suggestion_outcome("edited", "c1", "agent1", SUGGESTION, final)
    assert event["text"] == final and 0 < event["similarity"] < 1
    assert event["similarity"] == similarity(SUGGESTION["text"], final)
    stored = make_event(event)
    assert "0912" not in stored["text"]  # masked when stored
    with pytest.raises(ValueError):
        suggestion_outcome("edited", "c1", "agent1", SUGGESTION)  # no text: not an edit
    with pytest.raises(ValueError):
        suggestion_outcome("shown", "c1", "agent1", SUGGESTION)  # a turn's event, not this


def test_a_reply_from_a_suggestion_is_used_unless_its_text_changed():
    assert sent_as(SUGGESTION, SUGGESTION["text"]) == "used"
    assert sent_as(SUGGESTION, SUGGESTION["text"] + "！") == "edited"
