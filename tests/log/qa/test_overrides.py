"""A supervisor's override: recorded, masked, the score recomputed, kept when scored again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.log import qa
from tests.helpers.qa import GOOD, item


def test_an_override_is_recorded_and_the_score_recomputed():
    card = qa.score(replace(GOOD, rating=1))
    changed = qa.override(card, "customer_rating", None, "super1", 123.4567, "電話 0912345678")
    found = item(changed, "customer_rating")
    assert found.met is None and changed.score == 100
    assert found.overridden_by == qa.Override("super1", 123.457, None, False, "電話 [手機]")
    again = qa.override(changed, "customer_rating", True, "super2", 200.0)
    assert item(again, "customer_rating").overridden_by.was is False  # what the scoring said
    with pytest.raises(qa.UnknownCriterion):
        qa.override(card, "tone", True, "super1", 1.0)
    assert qa.Scorecard.from_dict(again.as_dict()) == again
    rescored = qa.keep_overrides(qa.score(replace(GOOD, rating=1)), again)
    assert item(rescored, "customer_rating").met is True and rescored.score == 100
