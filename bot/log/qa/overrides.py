"""A supervisor's verdicts on scorecard items, and keeping them when a conversation is
scored again (pure)."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from bot.log.pii import mask
from bot.log.qa.criteria import score_of
from bot.log.qa.model import Override, Scorecard, UnknownCriterion


def override(
    card: Scorecard,
    criterion: str,
    met: Optional[bool],
    by: str,
    at: float,
    note: Optional[str] = None,
) -> Scorecard:
    """A supervisor's verdict on one item (who, when, what the scoring said); the score is
    recomputed. Overriding again keeps what the scoring first said."""
    if criterion not in {i.criterion for i in card.items}:
        raise UnknownCriterion(criterion)
    items = []
    for item in card.items:
        if item.criterion == criterion:
            was = item.overridden_by.was if item.overridden_by else item.met
            note = mask(note) if note else None
            item = replace(item, met=met, overridden_by=Override(by, round(at, 3), met, was, note))
        items.append(item)
    return Scorecard(score_of(items), tuple(items))


def keep_overrides(fresh: Scorecard, stored: Optional[Scorecard]) -> Scorecard:
    """``fresh`` (scored again, e.g. once the rating came) with ``stored``'s overrides."""
    if stored is None:
        return fresh
    kept = {i.criterion: i.overridden_by for i in stored.items if i.overridden_by}
    items = tuple(
        replace(i, met=kept[i.criterion].met, overridden_by=kept[i.criterion])
        if i.criterion in kept
        else i
        for i in fresh.items
    )
    return Scorecard(score_of(items), items)
