"""The scorecard's stored form: read back as written, or named when it is not one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.log import qa
from tests.helpers.qa import GOOD


def test_a_scorecard_reads_back_as_written():
    card = qa.score(replace(GOOD, rating=1))
    assert qa.Scorecard.from_dict(card.as_dict()) == card


def test_a_stored_scorecard_that_is_not_one_is_named():
    with pytest.raises(qa.BadScorecard):
        qa.Scorecard.from_dict({"score": 1, "items": [{"criterion": "x"}]})
