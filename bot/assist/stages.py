"""Where the conversation is in the complaint-handling procedure (000 三.1–10, docs/domain.md#complaint-handling-stages): pure.

:func:`next_stage` is the stage table of docs/dialogue.md. The turn action
(actions/stages.py) calls it once per customer message, so Rasa's policies need not
choose among eight stage actions. ``data/rules/stages.yml`` writes the same table as
Rasa rules; tests/assist/test_stages.py checks the two against each other, rule by rule
and state by state, and against every turn of the training and test stories.
"""

from __future__ import annotations

from typing import Optional

from bot.labels import COMPLAINT_TYPES

COMPLAINTS = frozenset(COMPLAINT_TYPES)
# a complaint, an order number or how it affects the customer: the procedure moves on
DETAILS = COMPLAINTS | {"inform_order", "inform_impact"}
CLOSING = frozenset({"thank", "praise", "goodbye"})
# greetings and unclear messages: find out what the customer needs
UNCLEAR = frozenset({"greet", "out_of_scope", "nlu_fallback"})
# requests that need the order: this stage with it, clarify without it
WITH_ORDER = {"request_refund": "propose", "request_exchange": "propose", "ask_status": "follow_up"}
# a complaint detail with the order known, after each stage (the conversation's first
# message comes after ``start``, the stage slot's initial value)
AFTER = {
    "start": "assess",
    "clarify": "assess",
    "assess": "acknowledge",
    "acknowledge": "propose",
    "propose": "propose",
    "agree": "acknowledge",
    "follow_up": "acknowledge",
    "close": "acknowledge",
    "refer": "acknowledge",
}
INTENTS = DETAILS | CLOSING | UNCLEAR | set(WITH_ORDER) | {"accept_offer", "reject_offer"}


def next_stage(
    intent: Optional[str], *, escalating: bool, has_order: bool, previous: Optional[str]
) -> str:
    """The stage of this turn.

    ``intent`` is the message's intent, ``escalating`` whether this message escalates
    (the NLU's escalation flag), ``has_order`` whether an order number is known and
    ``previous`` the stage of the turn before (``None`` or ``start`` at the first
    message). An intent the procedure does not know is treated as an unclear message.
    """
    if escalating:
        return "refer"  # 002 P2.1.5 (docs/domain.md#p2-1-5): any message that escalates goes to a supervisor
    if intent in CLOSING:
        return "close"
    if intent == "accept_offer":
        return "agree"
    if intent == "reject_offer":
        return "propose"
    if intent in WITH_ORDER:
        return WITH_ORDER[intent] if has_order else "clarify"
    if intent in DETAILS and has_order:
        return AFTER.get(previous or "start", "assess")
    return "clarify"
