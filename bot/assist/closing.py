"""What a conversation's close records: resolution, compensation, handle and response times.

Pure: :func:`close_summary` reads the conversation record, its transcript and its grants,
and keeps the case summary (bot/assist/summary.py) masked.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from bot.assist.summary import Summary
from bot.store.conversation_records import ConversationRecord
from bot.store.grant_records import Grant


def _first(messages: List[Mapping[str, Any]], role: str) -> Optional[float]:
    return next((float(m["ts"]) for m in messages if m.get("role") == role), None)


def close_summary(
    record: ConversationRecord,
    messages: List[Mapping[str, Any]],
    grants: List[Grant],
    case: Optional[Summary] = None,
) -> Dict[str, Any]:
    """The close event's figures (seconds, NT$), and the case summary masked."""
    created = record.created
    closed = record.closed_at or 0.0
    customer = _first(messages, "customer")
    agent = _first(messages, "agent")
    return {
        "conversation_id": record.id,
        "agent": record.agent,
        "resolution": record.resolution,
        "compensation": [g.option_id for g in grants],
        "compensation_cost": sum(g.cost for g in grants),
        "handle_time_s": round(closed - created, 1) if closed and created else None,
        "first_response_s": round(agent - customer, 1)
        if customer is not None and agent is not None and agent >= customer
        else None,
        "customer_messages": sum(1 for m in messages if m.get("role") == "customer"),
        "agent_messages": sum(1 for m in messages if m.get("role") == "agent"),
        **({"summary": case.masked()} if case is not None else {}),
    }
