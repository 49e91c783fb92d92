"""The assist payload of one turn: the complaint reading reaches the agent, honestly."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.assist.replies import load_replies
from bot.assist.turn import TurnFacts, build_assist
from bot.policy import load_policy
from tests.conftest import ROOT

UNCERTAIN = {
    "is_complaint": True,
    "probability": 0.81,
    "type": "complaint_defect",
    "confidence": 0.46,
    "uncertain": True,
    "candidates": [
        {"type": "complaint_defect", "confidence": 0.46},
        {"type": "complaint_price_error", "confidence": 0.4},
    ],
}


def _latest(complaint=None):
    return {
        "intent": {"name": "complaint_defect", "confidence": 0.37},
        "sentiment": {"label": "negative", "score": -0.4},
        "escalation": {"flag": False, "cues": []},
        "entities": [],
        **({"complaint": complaint} if complaint is not None else {}),
    }


@pytest.fixture(scope="module")
def resources():
    return load_replies(ROOT / "data/replies"), load_policy(ROOT / "data/policy")


def _assist(resources, latest):
    replies, policy = resources
    facts = TurnFacts.from_tracker("c-1", {"complaint_type": "complaint_defect"}, latest)
    return build_assist(
        facts, "clarify", replies=replies, policy=policy, today=dt.date(2026, 11, 27)
    )


def test_an_uncertain_reading_is_in_the_payload_with_its_two_types(resources):
    payload = _assist(resources, _latest(UNCERTAIN)).payload
    complaint = payload["analysis"]["complaint"]
    assert complaint["uncertain"] is True and complaint["type"] == "complaint_defect"
    assert [c["label"] for c in complaint["candidates"]] == [
        "服務或產品問題或瑕疵",
        "標價或報價錯誤",
    ]
    alert = next(a for a in payload["alerts"] if a["kind"] == "uncertain")
    assert "服務或產品問題或瑕疵" in alert["text"] and "標價或報價錯誤" in alert["text"]


def test_a_sure_reading_gets_no_uncertain_alert(resources):
    sure = {**UNCERTAIN, "uncertain": False, "confidence": 0.93}
    payload = _assist(resources, _latest(sure)).payload
    assert payload["analysis"]["complaint"]["uncertain"] is False
    assert not [a for a in payload["alerts"] if a["kind"] == "uncertain"]


def test_a_possible_non_complaint_says_so(resources):
    maybe = {**UNCERTAIN, "is_complaint": False, "probability": 0.42, "type": None}
    alert = next(
        a for a in _assist(resources, _latest(maybe)).payload["alerts"] if a["kind"] == "uncertain"
    )
    assert "可能不是客訴" in alert["text"]


def test_a_parse_without_a_reading_still_has_the_field(resources):
    complaint = _assist(resources, _latest()).payload["analysis"]["complaint"]
    assert complaint == {
        "is_complaint": False,
        "probability": 0.0,
        "type": None,
        "uncertain": False,
        "candidates": [],
    }
