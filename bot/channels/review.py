"""Supervisors' routes of the assist API: the log, review, corrections, KPIs and the NLU export.

Mounted on the assist channel's blueprint (``/webhooks/assist/…``) by :func:`add_routes`.
Review, log, corrections, QA scorecards and export are for supervisors (401 without a
token, 403 for agents); KPIs are for everyone, an agent seeing only their own
conversations' figures. A closed conversation's QA scorecard (:mod:`bot.log.qa`) is logged
at the close and again when the rating comes (:func:`score_conversation`).
Everything shown here comes from the outcome log (free text already masked) and the
conversation records (masked on the way out); the review list and the KPIs from the
aggregates kept as the log is written (:mod:`bot.log.views`), or from the log itself while
those are being rebuilt.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import time
from typing import Any, Dict, List, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.assist.analysis import COMPLAINT_TYPES
from bot.assist.replies import TECHNIQUES
from bot.channels.http import ApiError, field_choice, field_id, field_text, read_json
from bot.channels.staff import is_supervisor, staff_route
from bot.log import qa, review
from bot.log.export import nlu_yaml, training_examples
from bot.log.outcomes import stable_id
from bot.log.pii import mask
from bot.services import Services
from bot.store.accounts import Account
from bot.store.keys import BadId, check_id

logger = logging.getLogger(__name__)

MAX_DAYS = 366
VERDICTS = ("good", "bad")
MAX_NOTE = 500


async def score_conversation(services: Services, cid: str) -> Optional[Dict[str, Any]]:
    """Score a closed conversation and log its scorecard (``qa_scored``, masked): at the
    close, and again once the customer rated it; a supervisor's overrides are kept.
    Returns the scorecard (None if the conversation is not closed)."""
    record = await services.conversations.get(cid)
    if not record or record.get("status") != "closed":
        return None
    events, _ = await services.outcomes.conversation(cid)
    options = {}
    for event in events:
        oid = event.get("option_id")
        if oid and oid not in options:
            options[oid] = await services.conversations.option(cid, oid) or {}
    rating = int(record["rating"]) if record.get("rating") else None
    conversation = qa.conversation_from_records(
        cid,
        record.get("agent") or None,
        await services.conversations.messages(cid),
        events,
        await services.conversations.suggestions(cid),
        options,
        record.get("resolution") or None,
        rating,
    )
    settings = qa.Settings(first_response_s=services.settings.qa_first_response_s)
    try:
        stored = qa.latest(events)
    except qa.BadScorecard as error:
        logger.warning("QA: the stored scorecard of %s is unreadable (%s)", cid, error)
        stored = None
    card = qa.keep_overrides(qa.score(conversation, settings), stored[0] if stored else None)
    closed_at = float(record.get("closed_at") or time.time())
    await services.outcomes.append(
        {
            "id": stable_id("qa", cid, "rated" if rating is not None else "closed"),
            "action": "qa_scored",
            "conversation_id": cid,
            "agent": None,  # scored by the system; the owner is the agent scored
            "owner": conversation.agent,
            "day": review.day_of(closed_at),
            **card.as_dict(),
        }
    )
    return card.as_dict()


def _supervisor(services: Services, account: Account) -> None:
    if not is_supervisor(services, account):
        raise ApiError(403, "這個頁面只開放給主管")


def _date(request: Request, name: str, default: dt.date) -> dt.date:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} 的日期格式須為 YYYY-MM-DD，例如 2026-11-23") from None


def _period(request: Request) -> Tuple[dt.date, dt.date]:
    today = dt.datetime.now(review.TAIWAN).date()
    end = _date(request, "to", today)
    start = _date(request, "from", end - dt.timedelta(days=6))
    if start > end:
        raise ApiError(400, "開始日期不能晚於結束日期")
    if (end - start).days >= MAX_DAYS:
        raise ApiError(400, f"查詢區間最長 {MAX_DAYS} 天")
    return start, end


def _choice(request: Request, name: str, allowed) -> Optional[str]:  # noqa: ANN001
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise ApiError(400, f"{name} 必須是 {' / '.join(allowed)} 其中之一")
    return value


def _agent_filter(request: Request) -> Optional[str]:
    value = request.args.get("agent")
    if value in (None, ""):
        return None
    try:
        return check_id(value, "agent")
    except BadId:
        raise ApiError(400, "agent 必須是帳號名稱（英數字、_ . -）") from None


async def _events(services: Services, start: dt.date, end: dt.date) -> Tuple[list, list]:
    since = review.day_start(start)
    until = review.day_start(end + dt.timedelta(days=1))
    return await services.outcomes.read(since, until)


async def _events_of_closes(services: Services, start: dt.date, end: dt.date) -> Tuple[list, list]:
    """The events from the period's start to now: a scorecard of a day in the period may
    have been overridden since."""
    return await services.outcomes.read(review.day_start(start), None)


def _problems(problems) -> List[Dict[str, str]]:  # noqa: ANN001
    return [{"entry": p.entry_id, "reason": p.reason} for p in problems]


def add_routes(bp: Blueprint) -> None:
    @bp.get("/log")
    @staff_route
    async def log(request: Request, services: Services, account: Account) -> HTTPResponse:
        _supervisor(services, account)
        cid = request.args.get("conversation_id")
        if cid:
            cid = field_id({"conversation_id": cid}, "conversation_id")
            events, problems = await services.outcomes.conversation(cid)
        else:
            events, problems = await _events(services, *_period(request))
        return response.json({"events": events, "problems": _problems(problems)})

    @bp.get("/review/conversations")
    @staff_route
    async def review_list(request: Request, services: Services, account: Account) -> HTTPResponse:
        _supervisor(services, account)
        start, end = _period(request)
        filters = {
            "agent": _agent_filter(request),
            "complaint_type": _choice(request, "complaint_type", tuple(COMPLAINT_TYPES)),
            "sentiment": _choice(request, "sentiment", review.SENTIMENTS),
            "outcome": _choice(request, "outcome", review.OUTCOMES),
        }
        days = review.date_range(start, end)
        problems: list = []
        chosen = await services.outcome_views.summaries(days, **filters)
        if chosen is None:  # the aggregates are being rebuilt: read the stream meanwhile
            events, problems = await _events(services, start, end)
            chosen = review.select(review.summarize(events).values(), **filters)
        return response.json(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "conversations": [
                    {**s.as_dict(), "complaint_label": COMPLAINT_TYPES.get(s.complaint_type)}
                    for s in chosen
                ],
                "problems": _problems(problems),
            }
        )

    @bp.get("/review/conversations/<cid>")
    @staff_route
    async def review_one(
        request: Request, services: Services, account: Account, cid: str
    ) -> HTTPResponse:
        _supervisor(services, account)
        cid = field_id({"conversation_id": cid}, "conversation_id")
        events, problems = await services.outcomes.conversation(cid)
        messages = await services.conversations.messages(cid)
        if not events and not messages:
            raise ApiError(404, f"找不到對話 {cid}")
        summary = review.summarize(events).get(cid) or review.ConversationSummary(cid)
        suggestions = await services.conversations.suggestions(cid)
        feedback = await services.corrections.of_conversation(cid)
        try:
            card = qa.latest(events)
        except qa.BadScorecard:
            card = None
        return response.json(
            {
                "summary": {
                    **summary.as_dict(),
                    "complaint_label": COMPLAINT_TYPES.get(summary.complaint_type),
                },
                "qa": card[0].as_dict() if card else None,
                "turns": _turns(messages, events, suggestions, feedback),
                "events": events,
                "problems": _problems(problems),
            }
        )

    @bp.post("/review/corrections")
    @staff_route
    async def correct(request: Request, services: Services, account: Account) -> HTTPResponse:
        _supervisor(services, account)
        body = read_json(request)
        cid = field_id(body, "conversation_id")
        turn = body.get("turn")
        if not isinstance(turn, int) or isinstance(turn, bool) or turn < 0:
            raise ApiError(400, "turn 必須是訊息的序號（從 0 起算的整數）")
        complaint = body.get("complaint_type")
        sentiment = body.get("sentiment")
        if complaint is not None and complaint not in COMPLAINT_TYPES:
            raise ApiError(400, "complaint_type 必須是六種客訴類型之一")
        if sentiment is not None and sentiment not in review.SENTIMENTS:
            raise ApiError(400, "sentiment 必須是 negative / neutral / positive")
        if complaint is None and sentiment is None:
            raise ApiError(400, "請至少更正客訴類型或情緒其中一項")
        messages = await services.conversations.messages(cid)
        if turn >= len(messages) or messages[turn].get("role") != "customer":
            raise ApiError(404, f"對話 {cid} 沒有第 {turn} 則顧客訊息")
        message = messages[turn]
        record = {
            "conversation_id": cid,
            "turn": turn,
            "text": mask(message["text"]),
            "intent": message.get("intent"),
            "model_sentiment": (message.get("sentiment") or {}).get("label"),
            "complaint_type": complaint,
            "sentiment": sentiment,
            "by": account.username,
            "at": round(time.time(), 3),
        }
        await services.corrections.correct(record)
        await services.outcomes.append(
            {
                "action": "corrected",
                "conversation_id": cid,
                "agent": account.username,
                "turn": turn,
                "complaint_type": complaint,
                "sentiment": sentiment,
            }
        )
        return response.json(record)

    @bp.post("/review/suggestion-ratings")
    @staff_route
    async def rate_suggestion(
        request: Request, services: Services, account: Account
    ) -> HTTPResponse:
        _supervisor(services, account)
        body = read_json(request)
        cid = field_id(body, "conversation_id")
        sid = field_id(body, "suggestion_id")
        verdict = field_choice(body, "verdict", VERDICTS)
        reason = field_text(body, "reason", required=False)
        if reason is not None and len(reason) > 500:
            raise ApiError(413, "原因太長（上限 500 字）")
        if await services.conversations.suggestion(cid, sid) is None:
            raise ApiError(404, f"這個對話沒有建議 {sid}")
        record = {
            "conversation_id": cid,
            "suggestion_id": sid,
            "verdict": verdict,
            "reason": mask(reason) if reason else None,
            "by": account.username,
            "at": round(time.time(), 3),
        }
        await services.corrections.rate_suggestion(record)
        await services.outcomes.append(
            {
                "action": "suggestion_rated",
                "conversation_id": cid,
                "agent": account.username,
                "suggestion_id": sid,
                "verdict": verdict,
                "reason": reason,
            }
        )
        return response.json(record)

    @bp.post("/review/conversations/<cid>/qa")
    @staff_route
    async def override_qa(
        request: Request, services: Services, account: Account, cid: str
    ) -> HTTPResponse:
        _supervisor(services, account)
        cid = field_id({"conversation_id": cid}, "conversation_id")
        body = read_json(request)
        criterion = field_choice(body, "criterion", tuple(qa.LABELS))
        if "met" not in body or not isinstance(body["met"], (bool, type(None))):
            raise ApiError(400, "met 必須是 true（達成）、false（未達成）或 null（不適用）")
        note = field_text(body, "note", required=False)
        if note is not None and len(note) > MAX_NOTE:
            raise ApiError(413, f"備註太長（上限 {MAX_NOTE} 字）")
        events, _ = await services.outcomes.conversation(cid)
        try:
            stored = qa.latest(events)
        except qa.BadScorecard:
            stored = None
        if stored is None:
            raise ApiError(404, f"對話 {cid} 還沒有評分表（結案後才會產生）")
        card = qa.override(stored[0], criterion, body["met"], account.username, time.time(), note)
        owner = next(
            (e.get("owner") for e in reversed(events) if e["action"] in qa.QA_ACTIONS), None
        )
        await services.outcomes.append(
            {
                "action": "qa_overridden",
                "conversation_id": cid,
                "agent": account.username,
                "owner": owner,
                "day": stored[1],
                "criterion": criterion,
                "met": body["met"],
                "note": note,
                **card.as_dict(),
            }
        )
        return response.json({"conversation_id": cid, "qa": card.as_dict()})

    @bp.get("/review/qa")
    @staff_route
    async def qa_coaching(request: Request, services: Services, account: Account) -> HTTPResponse:
        _supervisor(services, account)
        start, end = _period(request)
        agent = _agent_filter(request)
        days = review.date_range(start, end)
        problems: list = []
        parts = await services.outcome_views.qa_parts(days)
        if parts is None:  # the aggregates are being rebuilt: read the stream meanwhile
            events, problems = await _events_of_closes(services, start, end)
            parts = qa.parts_from_events(events)
        return response.json(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "agent": agent,
                **qa.coaching(parts, days, agent),
                "problems": _problems(problems),
            }
        )

    async def _kpis(request: Request, services: Services, account: Account) -> Dict[str, Any]:
        start, end = _period(request)
        agent = _agent_filter(request)
        if not is_supervisor(services, account):
            if agent not in (None, account.username):
                raise ApiError(403, "客服只能查看自己的數據")
            agent = account.username
        days = review.date_range(start, end)
        problems: list = []
        counted = await services.outcome_views.tally(days, agent)
        if counted is None:  # the aggregates are being rebuilt: read the stream meanwhile
            events, problems = await _events(services, start, end)
            if agent:
                events = review.only_agent(events, agent)
            counted = review.tally(events, days)
        roles: Dict[str, int] = {}
        for username in counted.agents():
            staff = await services.accounts.get(username)
            roles[username] = services.policy.role(staff.role).daily_budget if staff else 0
        figures = review.figures(counted, lambda a: roles.get(a, 0))
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "agent": agent,
            **figures,
            "labels": {"complaint_types": COMPLAINT_TYPES, "techniques": TECHNIQUES},
            "problems": _problems(problems),
        }

    @bp.get("/kpis")
    @staff_route
    async def kpis(request: Request, services: Services, account: Account) -> HTTPResponse:
        return response.json(await _kpis(request, services, account))

    @bp.get("/kpis.csv")
    @staff_route
    async def kpis_csv(request: Request, services: Services, account: Account) -> HTTPResponse:
        figures = await _kpis(request, services, account)
        out = io.StringIO()
        csv.writer(out).writerows(review.kpi_rows(figures))
        name = f"kefu-kpis-{figures['from']}-{figures['to']}.csv"
        return response.text(
            "\ufeff" + out.getvalue(),  # a BOM, so Excel reads the UTF-8
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @bp.get("/export/nlu")
    @staff_route
    async def export_nlu(request: Request, services: Services, account: Account) -> HTTPResponse:
        _supervisor(services, account)
        intents = request.app.ctx.agent.domain.intents if request.app.ctx.agent else []
        examples, skipped = training_examples(await services.corrections.corrections(), intents)
        return response.text(
            nlu_yaml(examples),
            content_type="application/x-yaml; charset=utf-8",
            headers={"X-Kefu-Skipped": str(len(skipped))},
        )


def _turns(
    messages: List[Dict[str, Any]],
    events: List[Dict[str, Any]],
    suggestions: Dict[str, Dict[str, Any]],
    feedback: Dict[str, List[Dict[str, Any]]],
) -> List[Dict[str, Any]]:
    """The transcript (masked), each customer message with what the assistant showed
    after it and what the agent did with each suggestion."""
    fate: Dict[str, str] = {}
    for event in events:
        if event["action"] in ("used", "edited", "dismissed"):
            fate[event["suggestion_id"]] = event["action"]
    shown: Dict[int, List[Dict[str, Any]]] = {}
    understood: Dict[int, Dict[str, Any]] = {}
    for event in events:
        if event["action"] == "shown":
            stored = suggestions.get(event["suggestion_id"]) or {}
            shown.setdefault(event["turn"], []).append(
                {
                    "id": event["suggestion_id"],
                    "technique": event["technique"],
                    "technique_label": TECHNIQUES.get(event["technique"]),
                    "text": mask(stored.get("text", "")),
                    "outcome": fate.get(event["suggestion_id"], "ignored"),
                }
            )
        elif event["action"] == "message":
            understood[event["turn"]] = {
                "intent": event["intent"],
                "complaint_type": event["complaint_type"],
                "sentiment": event["sentiment"],
                "score": event["score"],
                "stage": event["stage"],
            }
    corrected = {c["turn"]: c for c in feedback["corrections"]}
    verdicts = {r["suggestion_id"]: r for r in feedback["suggestion_ratings"]}
    turns = []
    for index, message in enumerate(messages):
        turn: Dict[str, Any] = {
            "turn": index,
            "role": message.get("role"),
            "text": mask(message.get("text", "")),
            "ts": message.get("ts"),
        }
        if message.get("role") == "customer":
            turn["analysis"] = understood.get(index)
            turn["suggestions"] = [
                {**s, "rating": verdicts.get(s["id"])} for s in shown.get(index, [])
            ]
            turn["correction"] = corrected.get(index)
        else:
            turn.update(
                agent=message.get("agent"),
                suggestion_id=message.get("suggestion_id"),
                technique_label=message.get("technique_label"),
                edited=message.get("edited"),
            )
        turns.append(turn)
    return turns
