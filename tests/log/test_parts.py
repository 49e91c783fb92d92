"""Day parts merge as the scan reads the events (the property tests: tests/log/test_views.py)."""

from __future__ import annotations

from bot.log import parts

MONDAY = {
    "c": "c1",
    "d": "2026-11-23",
    "s": "1795104060.5",
    "e": "1795104060500-0",
    "a": "agent1",
    "m": "complaint_defect",
    "se": "negative",
    "lo": "-0.8",
    "n": 2,
    "co": 120,
    "g": [3, 1, 0, 1],
}
TUESDAY = {
    "c": "c1",
    "d": "2026-11-24",
    "s": "1795190500",
    "e": "1795190500000-3",
    "a": "agent3",
    "k": "complaint_delay",
    "m": "complaint_price_error",
    "se": "neutral",
    "lo": "-0.2",
    "n": 1,
    "es": 1,
    "o": "resolved",
    "h": "840",
    "f": "null",
    "r": 4,
    "co": 600,
    "g": [1, 0, 1, 0],
}


def test_two_days_merge_into_one_summary():
    grouped = parts.group([TUESDAY, MONDAY])  # in any order: oldest day first
    assert [day for day, _ in grouped["c1"]] == ["2026-11-23", "2026-11-24"]
    summary = parts.merge("c1", grouped["c1"])
    assert (summary.started, summary.day) == (1795104060.5, "2026-11-23")  # the first part's
    assert summary.agent == "agent3" and summary.sentiment == "neutral"  # the last ones
    assert summary.complaint_type == "complaint_delay"  # a correction wins over messages
    assert summary.lowest_score == -0.8 and summary.customer_messages == 3
    assert summary.escalated and summary.outcome == "resolved" and summary.rating == 4
    assert summary.handle_time_s == 840 and isinstance(summary.handle_time_s, int)
    assert summary.first_response_s is None and summary.compensation_cost == 720
    assert summary.suggestions == {"shown": 4, "used": 1, "edited": 1, "dismissed": 1}
    closing = parts.closing("c1", grouped["c1"])
    assert closing == (summary.day, "complaint_delay", True, "resolved", 4, 840, None)


def test_without_a_correction_the_first_typed_message_names_the_complaint():
    tuesday = {key: value for key, value in TUESDAY.items() if key != "k"}
    merged = parts.merge("c1", [("2026-11-23", MONDAY), ("2026-11-24", tuesday)])
    assert merged.complaint_type == "complaint_defect"
    alone = parts.merge("c1", [("2026-11-24", tuesday)])
    assert alone.complaint_type == "complaint_price_error" and alone.outcome == "resolved"
    assert parts.closing("c1", [("2026-11-23", MONDAY)]).outcome == "open"


def test_numbers_come_back_as_the_log_wrote_them():
    assert [parts._number(text) for text in ("840.0", "840", "null", "1e+20")] == [
        840.0,
        840,
        None,
        1e20,
    ]
    assert isinstance(parts._number("840.0"), float)
