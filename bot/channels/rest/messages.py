"""The messages of a conversation: the customer's (``webhook``: through Rasa, answered with
the assist payload), the agent's ``reply`` (to the tracker, the transcript and the
customer's widget) and what the agent did with a suggestion or an option (``outcome``).

While Redis is away a reply is relayed at once and put into Rasa when Redis is back
(bot/channels/degraded.py).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import SlotSet
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import ApiError, field_choice, field_id, field_text, read_json
from bot.channels.notify import (
    deliver_to_customer,
    notify_customer_turn,
    notify_staff,
    relay_to_customer,
)
from bot.channels.pipeline import (
    REPLY_DETAILS,
    append_to_tracker,
    count_use,
    process_customer_message,
    record_reply,
)
from bot.channels.rest.wire import ReplyRecorded
from bot.channels.staff import conversation_for, is_supervisor, staff_route
from bot.log.events import SUGGESTION_OUTCOMES, suggestion_outcome
from bot.services import Services
from bot.store.accounts import Account

OPTION_ACTIONS = ("offered", "accepted", "declined")
NOT_YOURS = "這個對話由其他客服處理，您無法操作"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _rasa_agent(request: Request) -> Any:
    """Rasa's Agent (None until the model is loaded)."""
    return getattr(request.app.ctx, "agent", None)


@staff_route
async def webhook(request: Request, services: Services, account: Account) -> HTTPResponse:
    body = read_json(request)
    cid = field_id(body, "sender")
    text = field_text(body, "message")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ApiError(400, "欄位 metadata 必須是 JSON 物件")
    customer_id = field_id(metadata, "customer_id", required=False)
    rasa_agent = _rasa_agent(request)
    if rasa_agent is None or not rasa_agent.is_ready():
        raise ApiError(503, "模型尚未載入，請稍後再試")
    conversation = await services.conversations.get(cid)
    if conversation is None:
        conversation = await services.conversations.create(
            cid, customer_id or "", agent=account.username
        )
    elif conversation.agent not in (None, account.username) and not is_supervisor(
        services, account
    ):
        raise ApiError(403, NOT_YOURS)
    if conversation.is_closed:
        raise ApiError(409, "這個對話已經結束")
    payload = await process_customer_message(
        rasa_agent=rasa_agent,
        services=services,
        on_new_message=request.route.ctx.on_new_message,
        cid=cid,
        text=text,
        channel=request.route.ctx.channel,
        staff=account.username,
        customer_id=customer_id or conversation.customer_id,
    )
    await notify_customer_turn(request.app, services, cid, conversation.agent, text, payload)
    return response.json(payload)


@staff_route
async def outcome(request: Request, services: Services, account: Account) -> HTTPResponse:
    body = read_json(request)
    cid = field_id(body, "conversation_id")
    item_id = field_id(body, "suggestion_id")
    action = field_choice(body, "action", SUGGESTION_OUTCOMES + OPTION_ACTIONS)
    await conversation_for(services, account, cid)
    suggestion = None
    if action in SUGGESTION_OUTCOMES:
        suggestion = await services.conversations.suggestion(cid, item_id)
        if suggestion is None:
            raise ApiError(404, f"這個對話沒有建議 {item_id}")
        final = field_text(body, "text") if action == "edited" else None
        event = suggestion_outcome(
            action, cid, account.username, {**suggestion, "id": item_id}, final
        )
    else:
        option = await services.conversations.option(cid, item_id)
        if option is None:
            raise ApiError(404, f"這個對話沒有補償方案 {item_id}")
        event = {
            "conversation_id": cid,
            "action": action,
            "agent": account.username,
            "option_id": item_id,
            "cost": option["cost"],
        }
        if action == "offered":
            offered = await services.conversations.record_offer(cid, item_id)
            await append_to_tracker(
                _rasa_agent(request),
                cid,
                lambda ts: [SlotSet("offers_made", offered, timestamp=ts)],
            )
        else:  # the case summary reads the answer back
            await services.conversations.record_answer(cid, item_id, action)
    stored = await services.outcomes.append(event)
    if suggestion is not None and action in ("used", "edited"):
        await count_use(services, suggestion)
    shown = {k: v for k, v in stored.items() if k not in ("v", "id", "ts", "text")}
    return response.json({"recorded": True, "event_id": stored["id"], **shown})


async def _reply_while_redis_is_away(
    request: Request,
    services: Services,
    account: Account,
    cid: str,
    text: str,
    suggestion_id: Optional[str],
) -> HTTPResponse:
    """Relay the reply now, put it into Rasa when Redis is back (bot/channels/degraded.py).

    Only the agent this process last saw handling the conversation (or a supervisor) may
    answer; a conversation this process never saw waits for Redis (503).
    """
    handler = services.recollection.agent_of(cid)
    if handler is None:
        raise RedisError("no recollection of this conversation")
    if handler != account.username and not is_supervisor(services, account):
        raise ApiError(403, NOT_YOURS)
    item = services.deferred.defer(
        {
            "kind": "agent",
            "cid": cid,
            "text": text,
            "agent": account.username,
            "suggestion_id": suggestion_id,
        }
    )
    relayed = await relay_to_customer(request.app, cid, text)
    message = {"role": "agent", "text": text, "ts": item["ts"], "agent": account.username}
    await notify_staff(
        request.app,
        {
            "conversation_id": cid,
            "status": "active",
            "agent": handler,
            "message": message,
            "degraded": True,
        },
    )
    answer: ReplyRecorded = {
        "conversation_id": cid,
        "recorded": False,
        "deferred": True,
        "relayed": relayed,
        "agent": account.username,
        "suggestion_id": suggestion_id,
        "technique": None,
        "technique_label": None,
        "edited": False,
    }
    return response.json(answer)


@staff_route
async def reply(request: Request, services: Services, account: Account) -> HTTPResponse:
    body = read_json(request)
    cid = field_id(body, "conversation_id")
    text = field_text(body, "text")
    suggestion_id = field_id(body, "suggestion_id", required=False)
    try:
        record = await conversation_for(services, account, cid)
    except RedisError:
        return await _reply_while_redis_is_away(
            request, services, account, cid, text, suggestion_id
        )
    if record.is_closed:
        raise ApiError(409, "這個對話已經結束，無法再傳訊息給顧客")
    suggestion: Optional[Dict[str, Any]] = None
    if suggestion_id is not None:
        suggestion = await services.conversations.suggestion(cid, suggestion_id)
        if suggestion is None:
            raise ApiError(404, f"這個對話沒有建議 {suggestion_id}")
    message = await record_reply(
        _rasa_agent(request), services, account.username, cid, text, suggestion
    )
    relayed = await deliver_to_customer(request.app, cid)
    await notify_staff(
        request.app,
        {
            "conversation_id": cid,
            "status": "active",
            "agent": record.agent,
            "message": message,
        },
    )
    details = {k: message[k] for k in REPLY_DETAILS}
    return response.json({"conversation_id": cid, "recorded": True, "relayed": relayed, **details})


def add_routes(bp: Blueprint, on_new_message: OnNewMessage, channel: str) -> None:
    """``on_new_message``: Rasa's, for the customer's messages; ``channel``: the input
    channel's name they are recorded under."""
    bp.add_route(
        webhook,
        "/webhook",
        methods=["POST"],
        ctx_on_new_message=on_new_message,
        ctx_channel=channel,
    )
    bp.add_route(outcome, "/outcome", methods=["POST"])
    bp.add_route(reply, "/reply", methods=["POST"])
