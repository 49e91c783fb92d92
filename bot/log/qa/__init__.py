"""QA scorecards of closed conversations, against the competency standard (pure).

A closed conversation (:class:`ClosedConversation`: its transcript, the assistant's reading
of each customer turn, the compensation and its policy marks, the resolution, the rating)
is scored item by item (:data:`CRITERIA`). Each item is met (True), not met (False) or not
applicable (None), with its evidence: the agent's message (masked, :func:`bot.log.pii.mask`)
or the reason. The score is 0–100 over the applicable items.

How a reply is known to apply a technique: a reply sent from a suggestion (used or edited)
carries the suggestion's technique, which is reliable (``basis`` ``suggestion``). A reply
typed freehand can only be matched by its wording (a question mark, "抱歉", "跟您確認"),
which is weak: such an item says so in its evidence (``basis`` ``wording``) and a
supervisor may override it (:func:`override`). Timestamps, the policy marks and the rating
are records (``basis`` ``record``).

The package, one job a module:

* :mod:`~bot.log.qa.model`: the criteria, the types and the named exceptions;
* :mod:`~bot.log.qa.criteria`: scoring each criterion, :func:`score`;
* :mod:`~bot.log.qa.overrides`: a supervisor's verdicts (:func:`override`,
  :func:`keep_overrides`);
* :mod:`~bot.log.qa.records`: a :class:`ClosedConversation` and the latest scorecard from
  what the project stores;
* :mod:`~bot.log.qa.trends`: coaching, per agent and per criterion over time.

Exceptions::

    QaError
     ├── UnknownCriterion   an override names no criterion of the scorecard
     └── BadScorecard       a stored scorecard cannot be read back
"""

from bot.log.qa.criteria import score, score_of
from bot.log.qa.model import (
    BASES,
    CRITERIA,
    LABELS,
    BadScorecard,
    ClosedConversation,
    Compensation,
    Criterion,
    Item,
    Message,
    Override,
    QaError,
    Reading,
    Scorecard,
    Settings,
    UnknownCriterion,
)
from bot.log.qa.overrides import keep_overrides, override
from bot.log.qa.records import QA_ACTIONS, conversation_from_records, latest
from bot.log.qa.trends import coaching, parts_from_events

__all__ = [
    "BASES",
    "CRITERIA",
    "LABELS",
    "QA_ACTIONS",
    "BadScorecard",
    "ClosedConversation",
    "Compensation",
    "Criterion",
    "Item",
    "Message",
    "Override",
    "QaError",
    "Reading",
    "Scorecard",
    "Settings",
    "UnknownCriterion",
    "coaching",
    "conversation_from_records",
    "keep_overrides",
    "latest",
    "override",
    "parts_from_events",
    "score",
    "score_of",
]
