"""What supervisors take out of the log: ``GET /log`` (the outcome events as stored, of one
conversation or of a period) and ``GET /export/nlu`` (the corrections as Rasa NLU training
data, :mod:`bot.log.export`)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, TypedDict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import field_id
from bot.channels.review import query
from bot.channels.review.query import Problem, for_supervisors
from bot.log.export import nlu_yaml, training_examples
from bot.services import Services
from bot.store.accounts import Account


class LogAnswer(TypedDict):
    events: List[Dict[str, Any]]  # OutcomeEvent in docs/openapi.yaml
    problems: List[Problem]


class Export(TypedDict):
    yaml: str  # a Rasa NLU file
    skipped: int  # corrections that could not become examples


async def log_of(services: Services, args: query.Args) -> LogAnswer:
    """The events of ``conversation_id`` when given, else of the period."""
    cid = args.get("conversation_id")
    if cid:
        cid = field_id({"conversation_id": cid}, "conversation_id")
        events, found = await services.outcomes.conversation(cid)
    else:
        events, found = await query.events_over(services, query.period(args))
    return {"events": events, "problems": query.problems(found)}


async def nlu_export(services: Services, intents: Sequence[str]) -> Export:
    """The corrections as training examples of the model's ``intents``."""
    examples, skipped = training_examples(await services.corrections.corrections(), intents)
    return {"yaml": nlu_yaml(examples), "skipped": len(skipped)}


@for_supervisors
async def log(request: Request, services: Services, account: Account) -> HTTPResponse:
    return response.json(await log_of(services, request.args))


@for_supervisors
async def export_nlu(request: Request, services: Services, account: Account) -> HTTPResponse:
    rasa_agent = request.app.ctx.agent  # None while the model is loading
    exported = await nlu_export(services, rasa_agent.domain.intents if rasa_agent else [])
    return response.text(
        exported["yaml"],
        content_type="application/x-yaml; charset=utf-8",
        headers={"X-Kefu-Skipped": str(exported["skipped"])},
    )


ROUTES = (
    ("GET", "/log", log),
    ("GET", "/export/nlu", export_nlu),
)
