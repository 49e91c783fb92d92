"""QA scorecards for supervisors: ``POST /review/conversations/<cid>/qa`` (a verdict on one
item, kept when the conversation is scored again) and ``GET /review/qa`` (coaching: per
day and per agent, each criterion met or not). The coaching comes from the aggregates kept
as the log is written, or from the log itself while those are being rebuilt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, TypedDict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError, field_choice, field_id, field_text, read_json
from bot.channels.review import query
from bot.channels.review.query import Period, Problem, for_supervisors
from bot.log import qa
from bot.services import Services
from bot.store.accounts import Account

MAX_NOTE = 500


@dataclass(frozen=True)
class OverrideRequest:
    criterion: str
    met: Optional[bool]  # None: not applicable
    note: Optional[str]

    @classmethod
    def from_body(cls, body: Dict[str, Any]) -> "OverrideRequest":
        criterion = field_choice(body, "criterion", tuple(qa.LABELS))
        if "met" not in body or not isinstance(body["met"], (bool, type(None))):
            raise ApiError(400, "met 必須是 true（達成）、false（未達成）或 null（不適用）")
        note = field_text(body, "note", required=False)
        if note is not None and len(note) > MAX_NOTE:
            raise ApiError(413, f"備註太長（上限 {MAX_NOTE} 字）")
        return cls(criterion, body["met"], note)


class Overridden(TypedDict):
    conversation_id: str
    qa: Dict[str, Any]  # the scorecard with the verdict (QaScorecard)


Coaching = Dict[str, Any]  # QaCoaching in docs/openapi.yaml: from, to, agent, days, agents …


async def override_item(
    services: Services, cid: str, asked: OverrideRequest, by: str
) -> Overridden:
    """Log a supervisor's verdict on one item; 404 before the conversation is scored."""
    events, _ = await services.outcomes.conversation(cid)
    try:
        stored = qa.latest(events)
    except qa.BadScorecard:
        stored = None
    if stored is None:
        raise ApiError(404, f"對話 {cid} 還沒有評分表（結案後才會產生）")
    card = qa.override(stored[0], asked.criterion, asked.met, by, time.time(), asked.note)
    owner = next((e.get("owner") for e in reversed(events) if e["action"] in qa.QA_ACTIONS), None)
    await services.outcomes.append(
        {
            "action": "qa_overridden",
            "conversation_id": cid,
            "agent": by,
            "owner": owner,
            "day": stored[1],
            "criterion": asked.criterion,
            "met": asked.met,
            "note": asked.note,
            **card.as_dict(),
        }
    )
    return {"conversation_id": cid, "qa": card.as_dict()}


async def coaching(services: Services, over: Period, agent: Optional[str]) -> Coaching:
    """The period's scorecards per day and per agent (only ``agent``'s when given)."""
    found: List[Any] = []
    parts = await services.outcome_views.qa_parts(over.days)
    if parts is None:  # the aggregates are being rebuilt: read the stream meanwhile
        events, found = await query.events_since(services, over)
        parts = qa.parts_from_events(events)
    problems: List[Problem] = query.problems(found)
    return {
        "from": over.start.isoformat(),
        "to": over.end.isoformat(),
        "agent": agent,
        **qa.coaching(parts, over.days, agent),
        "problems": problems,
    }


@for_supervisors
async def override_qa(
    request: Request, services: Services, account: Account, cid: str
) -> HTTPResponse:
    cid = field_id({"conversation_id": cid}, "conversation_id")
    asked = OverrideRequest.from_body(read_json(request))
    return response.json(await override_item(services, cid, asked, account.username))


@for_supervisors
async def qa_coaching(request: Request, services: Services, account: Account) -> HTTPResponse:
    over, agent = query.period(request.args), query.agent(request.args)
    return response.json(await coaching(services, over, agent))


ROUTES = (
    ("POST", "/review/conversations/<cid>/qa", override_qa),
    ("GET", "/review/qa", qa_coaching),
)
