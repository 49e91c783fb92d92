"""The case summary of a conversation, computed when it is read (bot/assist/summary.py).

Everything the summary says is already stored turn by turn: the latest assist payload
(the customer's own words, the order), the conversation record (status, complaint type,
escalation), the grants and approvals, the options offered and the customer's answers
(recorded beside the outcome events by the outcome route) and the transcript (a call-back
the agent promised). Reading them together gives a
summary that is always current and never needs to be kept in step with anything.
When a conversation closes, its masked summary is also kept with the customer, so their
next conversation's alerts can name it.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Optional, Sequence

from redis.exceptions import RedisError

from bot.assist.summary import (
    PAST_KEPT,
    CaseFacts,
    Summary,
    SummaryError,
    past_entry,
    said_from_slots,
    summarise,
)
from bot.services import Services
from bot.store.conversation_records import ConversationRecord
from bot.store.grant_records import Approval, Grant

logger = logging.getLogger(__name__)
# the newest messages searched for a call-back the agent promised: what reading the
# summary costs does not grow with the conversation
PROMISE_WINDOW = 200


async def case_summary(
    services: Services,
    cid: str,
    record: ConversationRecord,
    *,
    assist: Optional[Mapping[str, Any]] = None,
    grants: Optional[Sequence[Grant]] = None,
    approvals: Optional[Sequence[Approval]] = None,
    messages: Optional[Sequence[Mapping[str, Any]]] = None,
) -> Optional[Summary]:
    """The conversation's summary; what the caller already read is passed in, not reread
    (``messages``: the transcript's newest messages, at least PROMISE_WINDOW of them or all).
    None (and an error logged) when a stored value is one the summary does not know.
    """
    if assist is None:
        assist = await services.conversations.assist(cid) or {}
    if grants is None:
        grants = await services.grants.granted(cid)
    if approvals is None:
        approvals = await services.grants.approvals(cid=cid)
    if messages is None:
        messages = await services.conversations.messages(cid, last=PROMISE_WINDOW)
    # what was offered and how the customer answered, as the outcome route records it
    events = [
        {"action": action, "option_id": option_id}
        for option_id, action in (await services.conversations.offers(cid)).items()
    ]
    known = {g.option_id for g in grants} | {a.option_id for a in approvals}
    labels: Dict[str, str] = {}
    for option_id in {e["option_id"] for e in events if e.get("option_id")} - known:
        option = await services.conversations.option(cid, option_id)
        if option is not None:
            labels[option_id] = option["label"]
    analysis = assist.get("analysis") or {}
    order = (assist.get("context") or {}).get("order") or {}
    case = await services.conversations.case(cid) or {}
    facts = CaseFacts(
        status=record.status,
        resolution=record.resolution,
        complaint_type=record.complaint_type or analysis.get("complaint_type"),
        said=said_from_slots(analysis.get("customer_said") or {}),
        order_id=order.get("id") or ((case.get("order") or {}).get("order_id")),
        products=tuple(order.get("products") or ()),
        events=events,
        grants=grants,
        approvals=approvals,
        labels=labels,
        agent_messages=[m["text"] for m in messages[-PROMISE_WINDOW:] if m.get("role") == "agent"],
        escalated=record.escalated,
    )
    try:
        return summarise(facts)
    except SummaryError as error:  # a stored value this code does not know: no summary
        logger.error("no case summary for %s: %s", cid, error)
        return None


async def remember_for_customer(
    services: Services, cid: str, record: ConversationRecord, summary: Optional[Summary]
) -> Optional[str]:
    """Keep the closed conversation's short, masked summary with its customer (the one
    the conversation named, else the order's); returns the customer id, None if unknown.
    A failure is logged, never raised: the close itself has happened."""
    if summary is None:
        return None
    try:
        customer_id = record.customer_id
        if customer_id is None and summary.order_id:
            order = await services.profiles.order(summary.order_id)
            customer_id = order.customer_id if order else None
        if customer_id is None:
            return None
        entry = past_entry(summary, cid, record.closed_at or 0.0)
        await services.profiles.remember_summary(customer_id, entry, keep=PAST_KEPT)
        return customer_id
    except RedisError as error:
        logger.warning("summary of %s not kept with the customer: %s", cid, error)
        return None
