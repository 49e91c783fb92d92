"""The conversations: the list, one conversation, ``claim`` and ``close``.

An agent sees and acts on their own conversations and the unassigned ones; a supervisor
on all (:func:`bot.channels.staff.conversation_for`).
"""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.assist.closing import close_summary
from bot.channels import review
from bot.channels.http import ApiError, field_choice, field_id, field_text, read_json
from bot.channels.notify import notify_staff, request_rating
from bot.channels.rest.wire import (
    Claimed,
    ConversationList,
    ConversationView,
    approval_view,
    conversation_row,
    grant_view,
)
from bot.channels.staff import conversation_for, is_supervisor, staff_route
from bot.channels.summary import PROMISE_WINDOW, case_summary, remember_for_customer
from bot.log.outcomes import stable_id
from bot.services import Services
from bot.store.accounts import Account
from bot.store.conversations import RESOLUTIONS

TRANSCRIPT_LAST = 100  # messages a conversation view carries unless ?last= asks for more
TRANSCRIPT_MAX = 2000
MAX_NOTE = 500


def _last(request: Request) -> int:
    """``?last=N``: how many of the newest messages a conversation view carries."""
    raw = request.args.get("last")
    if raw in (None, ""):
        return TRANSCRIPT_LAST
    if not raw.isdigit() or not 1 <= int(raw) <= TRANSCRIPT_MAX:
        raise ApiError(400, f"last 必須是 1 到 {TRANSCRIPT_MAX} 的整數")
    return int(raw)


def _path_id(cid: str) -> str:
    return field_id({"conversation_id": cid}, "conversation_id")


@staff_route
async def conversations(request: Request, services: Services, account: Account) -> HTTPResponse:
    rows = await services.conversations.recent()
    if not is_supervisor(services, account):
        rows = [row for row in rows if row.record.agent in (None, account.username)]
    answer: ConversationList = {"conversations": [conversation_row(row) for row in rows]}
    return response.json(answer)


@staff_route
async def conversation(
    request: Request, services: Services, account: Account, cid: str
) -> HTTPResponse:
    cid = _path_id(cid)
    last = _last(request)
    record = await conversation_for(services, account, cid)
    tail = await services.conversations.tail(cid, last)
    assist = await services.conversations.assist(cid)
    granted = await services.grants.granted(cid)
    approvals = await services.grants.approvals(cid=cid)
    summary = await case_summary(
        services,
        cid,
        record,
        assist=assist or {},
        grants=granted,
        approvals=approvals,
        messages=tail.messages if tail.first == 0 or last >= PROMISE_WINDOW else None,
    )
    answer: ConversationView = {
        "conversation_id": cid,
        "agent": record.agent,
        "status": record.status,
        "messages": tail.messages,
        "messages_total": tail.total,
        "messages_from": tail.first,
        "assist": assist,
        "granted": [grant_view(grant) for grant in granted],
        "approvals": [approval_view(approval) for approval in approvals],
        "rating": record.rating,
        "summary": summary.as_dict() if summary is not None else None,
    }
    return response.json(answer)


@staff_route
async def claim(request: Request, services: Services, account: Account, cid: str) -> HTTPResponse:
    cid = _path_id(cid)
    body = read_json(request) if request.body else {}
    target = field_id(body, "agent", required=False) or account.username
    record = await services.conversations.get(cid)
    if record is None:
        raise ApiError(404, f"找不到對話 {cid}")
    supervisor = is_supervisor(services, account)
    if target != account.username and not supervisor:
        raise ApiError(403, "只有主管可以把對話指派給其他人")
    if record.agent not in (None, target) and not supervisor:
        raise ApiError(409, "這個對話已由其他客服處理")
    if await services.accounts.get(target) is None:
        raise ApiError(404, f"找不到帳號 {target}")
    await services.conversations.claim(cid, target)
    services.recollection.assigned(cid, target)
    await notify_staff(
        request.app,
        {"conversation_id": cid, "status": "active", "agent": target},
        queue=True,
        previous_agent=record.agent or "",
    )
    answer: Claimed = {"conversation_id": cid, "agent": target, "status": "active"}
    return response.json(answer)


@staff_route
async def close(request: Request, services: Services, account: Account, cid: str) -> HTTPResponse:
    cid = _path_id(cid)
    body = read_json(request)
    resolution = field_choice(body, "resolution", RESOLUTIONS)
    note = field_text(body, "note", required=False) or ""
    if len(note) > MAX_NOTE:
        raise ApiError(413, f"備註太長（上限 {MAX_NOTE} 字）")
    record = await conversation_for(services, account, cid)
    if record.agent is None and not is_supervisor(services, account):
        raise ApiError(409, "請先接手這個對話再結案")
    if await services.conversations.close(cid, account.username, resolution, note) == "closed":
        raise ApiError(409, "這個對話已經結案")
    closed = await services.conversations.get(cid)
    if closed is None:  # conversations are never deleted: only if someone removed it by hand
        raise ApiError(404, f"找不到對話 {cid}")
    messages = await services.conversations.messages(cid)
    granted = await services.grants.granted(cid)
    case = await case_summary(services, cid, closed, grants=granted, messages=messages)
    await remember_for_customer(services, cid, closed, case)
    summary = close_summary(closed, messages, granted, case)
    await services.outcomes.append(
        {
            **summary,
            "id": stable_id("closed", cid),
            "action": "closed",
            "agent": account.username,
            "note": note or None,
        }
    )
    await review.score_conversation(services, cid)  # the QA scorecard (bot/log/qa/)
    rating_requested = await request_rating(request.app, services.conversations, cid)
    await notify_staff(
        request.app,
        {"conversation_id": cid, "status": "closed", "agent": record.agent},
    )
    return response.json({**summary, "status": "closed", "rating_requested": rating_requested})


def add_routes(bp: Blueprint) -> None:
    bp.add_route(conversations, "/conversations", methods=["GET"])
    bp.add_route(conversation, "/conversations/<cid>", methods=["GET"])
    bp.add_route(claim, "/conversations/<cid>/claim", methods=["POST"])
    bp.add_route(close, "/conversations/<cid>/close", methods=["POST"])
