"""A closed conversation's QA scorecard (:mod:`bot.log.qa`), logged as ``qa_scored``: at
the close (the assist channel calls :func:`score_conversation`) and again once the
customer rated it; a supervisor's overrides are kept."""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional

from bot.log import qa
from bot.log.kpis import day_of
from bot.log.outcomes import stable_id
from bot.services import Services
from bot.store.conversation_records import ConversationRecord

logger = logging.getLogger(__name__)


async def _closed_conversation(
    services: Services, cid: str, record: ConversationRecord, events: list
) -> qa.ClosedConversation:
    options: Dict[str, Dict[str, Any]] = {}
    for event in events:
        oid = event.get("option_id")
        if oid and oid not in options:
            options[oid] = await services.conversations.option(cid, oid) or {}
    return qa.conversation_from_records(
        cid,
        record.agent,
        await services.conversations.messages(cid),
        events,
        await services.conversations.suggestions(cid),
        options,
        record.resolution,
        record.rating,
    )


async def score_conversation(services: Services, cid: str) -> Optional[Dict[str, Any]]:
    """Score a closed conversation and log its scorecard (masked); a retry is logged once.
    Returns the scorecard (QaScorecard), None if the conversation is not closed."""
    record = await services.conversations.get(cid)
    if record is None or not record.is_closed:
        return None
    events, _ = await services.outcomes.conversation(cid)
    conversation = await _closed_conversation(services, cid, record, events)
    settings = qa.Settings(first_response_s=services.settings.qa_first_response_s)
    try:
        stored = qa.latest(events)
    except qa.BadScorecard as error:
        logger.warning("QA: the stored scorecard of %s is unreadable (%s)", cid, error)
        stored = None
    card = qa.keep_overrides(qa.score(conversation, settings), stored[0] if stored else None)
    closed_at = record.closed_at or time.time()
    rated = record.rating is not None
    await services.outcomes.append(
        {
            "id": stable_id("qa", cid, "rated" if rated else "closed"),
            "action": "qa_scored",
            "conversation_id": cid,
            "agent": None,  # scored by the system; the owner is the agent scored
            "owner": conversation.agent,
            "day": day_of(closed_at),
            **card.as_dict(),
        }
    )
    return card.as_dict()
