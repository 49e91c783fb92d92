"""The review list and one reviewed conversation, for supervisors:
``GET /review/conversations`` and ``GET /review/conversations/<cid>``.

The list comes from the aggregates kept as the log is written (:mod:`bot.log.views`), or
from the log itself while those are being rebuilt; the detail from the conversation's own
events, its stored messages and suggestions (masked on the way out) and the supervisors'
corrections and ratings.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError, field_id
from bot.channels.review import query
from bot.channels.review.query import Period, Problem, for_supervisors
from bot.channels.review.transcript import Turn, turns
from bot.labels import COMPLAINT_TYPES
from bot.log import qa
from bot.log.kpis import OUTCOMES, SENTIMENTS, ConversationSummary, select, summarize
from bot.services import Services
from bot.store.accounts import Account


class Filters(TypedDict):
    """The review list's filters; None: any."""

    agent: Optional[str]
    complaint_type: Optional[str]
    sentiment: Optional[str]
    outcome: Optional[str]


# ReviewSummary in docs/openapi.yaml: ConversationSummary.as_dict() and complaint_label
Row = Dict[str, Any]
ReviewList = TypedDict(
    "ReviewList", {"from": str, "to": str, "conversations": List[Row], "problems": List[Problem]}
)


class ReviewDetail(TypedDict):
    summary: Row
    qa: Optional[Dict[str, Any]]  # the latest scorecard (QaScorecard), None before the close
    turns: List[Turn]
    events: List[Dict[str, Any]]
    problems: List[Problem]


def filters(args: query.Args) -> Filters:
    return {
        "agent": query.agent(args),
        "complaint_type": query.choice(args, "complaint_type", tuple(COMPLAINT_TYPES)),
        "sentiment": query.choice(args, "sentiment", SENTIMENTS),
        "outcome": query.choice(args, "outcome", OUTCOMES),
    }


def _row(summary: ConversationSummary) -> Row:
    return {**summary.as_dict(), "complaint_label": COMPLAINT_TYPES.get(summary.complaint_type)}


async def conversation_list(services: Services, over: Period, chosen: Filters) -> ReviewList:
    """The period's conversations matching every filter, newest first."""
    found: list = []
    summaries = await services.outcome_views.summaries(over.days, **chosen)
    if summaries is None:  # the aggregates are being rebuilt: read the stream meanwhile
        events, found = await query.events_over(services, over)
        summaries = select(summarize(events).values(), **chosen)
    return {
        "from": over.start.isoformat(),
        "to": over.end.isoformat(),
        "conversations": [_row(s) for s in summaries],
        "problems": query.problems(found),
    }


async def conversation_detail(services: Services, cid: str) -> ReviewDetail:
    """One conversation as a supervisor reviews it; 404 when nothing of it is stored."""
    events, found = await services.outcomes.conversation(cid)
    messages = await services.conversations.messages(cid)
    if not events and not messages:
        raise ApiError(404, f"找不到對話 {cid}")
    summary = summarize(events).get(cid) or ConversationSummary(cid)
    suggestions = await services.conversations.suggestions(cid)
    feedback = await services.corrections.of_conversation(cid)
    try:
        card = qa.latest(events)
    except qa.BadScorecard:
        card = None
    return {
        "summary": _row(summary),
        "qa": card[0].as_dict() if card else None,
        "turns": turns(messages, events, suggestions, feedback),
        "events": events,
        "problems": query.problems(found),
    }


@for_supervisors
async def review_list(request: Request, services: Services, account: Account) -> HTTPResponse:
    over, chosen = query.period(request.args), filters(request.args)
    return response.json(await conversation_list(services, over, chosen))


@for_supervisors
async def review_one(
    request: Request, services: Services, account: Account, cid: str
) -> HTTPResponse:
    cid = field_id({"conversation_id": cid}, "conversation_id")
    return response.json(await conversation_detail(services, cid))


ROUTES = (
    ("GET", "/review/conversations", review_list),
    ("GET", "/review/conversations/<cid>", review_one),
)
