"""The period and filters of the supervisors' query strings (bot/channels/review/query.py),
pure: a plain mapping stands in for ``request.args``."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channels.http import ApiError
from bot.channels.review import query

TODAY = dt.date(2026, 11, 27)


def test_by_default_the_last_seven_days_to_today():
    over = query.period({}, TODAY)
    assert (over.start, over.end) == (dt.date(2026, 11, 21), TODAY)
    assert over.days[0] == "2026-11-21" and over.days[-1] == "2026-11-27" and len(over.days) == 7
    assert over.until - over.since == 7 * 86_400
    assert query.period({"to": "2026-11-02", "from": ""}, TODAY).start == dt.date(2026, 10, 27)


@pytest.mark.parametrize(
    "args, word",
    [
        ({"from": "2026-02-30"}, "YYYY-MM-DD"),
        ({"from": "2026-11-28"}, "開始日期"),  # after today, the default end
        ({"from": "2025-11-26"}, "366"),
    ],
)
def test_a_bad_period_is_refused_in_words(args, word):
    with pytest.raises(ApiError) as raised:
        query.period(args, TODAY)
    assert raised.value.status == 400 and word in raised.value.message


def test_filters_not_given_are_none_and_unknown_ones_refused():
    assert query.choice({"outcome": ""}, "outcome", ("open",)) is None
    assert query.choice({"outcome": "open"}, "outcome", ("open",)) == "open"
    assert query.agent({}) is None and query.agent({"agent": "agent1"}) == "agent1"
    for refused in (
        lambda: query.choice({"outcome": "x"}, "outcome", ("open",)),
        lambda: query.agent({"agent": "../x"}),
    ):
        with pytest.raises(ApiError) as raised:
            refused()
        assert raised.value.status == 400
