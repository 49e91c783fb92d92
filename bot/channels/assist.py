"""The REST assist API (DESIGN.md §4), a Rasa input channel mounted at ``/webhooks/assist/``.

Registered in credentials.yml as ``bot.channels.assist.AssistInput``. A customer message
posted to ``webhook`` runs through Rasa (NLU, the stage rules, the actions); the assist
payload the actions produce goes back to the caller, the agent's side, and is kept with
the conversation. Every route but ``login`` and ``health`` needs a bearer token; the
caller's role comes from the server's own account record, never from the request.
The OpenAPI description is docs/openapi.yaml.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import SlotSet
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.assist import compensation
from bot.assist.closing import close_summary
from bot.channels import cors, labels, library, review, speedups
from bot.channels.background import background, stop_background
from bot.channels.http import (
    ApiError,
    field_choice,
    field_id,
    field_text,
    read_json,
)
from bot.channels.live import (
    deliver_to_customer,
    notify_customer_turn,
    notify_staff,
    relay_to_customer,
    request_rating,
)
from bot.channels.pipeline import (
    REPLY_DETAILS,
    append_to_tracker,
    count_use,
    process_customer_message,
    record_reply,
    similarity,
)
from bot.channels.staff import conversation_for, is_supervisor, rank, route, staff_route
from bot.channels.summary import PROMISE_WINDOW, case_summary, remember_for_customer
from bot.log.outcomes import replay_forever, stable_id
from bot.services import Services, get_services
from bot.store.accounts import Account
from bot.store.conversations import RESOLUTIONS

logger = logging.getLogger(__name__)

SUGGESTION_ACTIONS = ("used", "edited", "dismissed")
TRANSCRIPT_LAST = 100  # messages a conversation view carries unless ?last= asks for more
TRANSCRIPT_MAX = 2000
OPTION_ACTIONS = ("offered", "accepted", "declined")


def _last(request: Request) -> int:
    """``?last=N``: how many of the newest messages a conversation view carries."""
    raw = request.args.get("last")
    if raw in (None, ""):
        return TRANSCRIPT_LAST
    if not raw.isdigit() or not 1 <= int(raw) <= TRANSCRIPT_MAX:
        raise ApiError(400, f"last 必須是 1 到 {TRANSCRIPT_MAX} 的整數")
    return int(raw)


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
        raise ApiError(403, "這個對話由其他客服處理，您無法操作")
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
    return response.json(
        {
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
    )


async def _approval_changed(
    request: Request, services: Services, cid: str, approval_id: str, status: str
) -> None:
    """The consoles and the supervisors' approval queue refresh on this."""
    record = await services.conversations.get(cid) or {}
    await notify_staff(
        request.app,
        {
            "conversation_id": cid,
            "status": record.get("status"),
            "agent": record.get("agent") or None,
            "approval": {"id": approval_id, "status": status},
        },
    )


class AssistInput(InputChannel):
    """``/webhooks/assist/…``: the REST assist API."""

    @classmethod
    def name(cls) -> str:
        return "assist"

    def __init__(self) -> None:
        speedups.install()  # the channel is created once, inside the Rasa server

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("assist_webhook", __name__)

        @bp.listener("after_server_start")
        async def replay_spooled_events(app, _loop) -> None:  # noqa: ANN001
            # events spooled while Redis was away (also by an earlier run) go back in
            background(app, replay_forever(lambda: get_services().outcomes))

        @bp.listener("before_server_stop")
        async def stop_background_tasks(app, _loop) -> None:  # noqa: ANN001
            await stop_background(app)

        @bp.listener("before_server_start")
        async def allow_listed_origins(app, _loop) -> None:  # noqa: ANN001
            # pages on the websites in KEFU_CORS_ORIGINS may call every route below
            cors.allow(app, f"/webhooks/{self.name()}/", get_services().settings.cors_origins)

        @bp.get("/health")
        async def health(request: Request) -> HTTPResponse:
            services = get_services()
            try:
                await services.redis.ping()
                redis_state = "ok"
            except (RedisError, OSError):
                redis_state = "down"
            model = (
                getattr(request.app.ctx, "agent", None) is not None
                and request.app.ctx.agent.is_ready()
            )
            status = "ok" if redis_state == "ok" and model else "degraded"
            return response.json({"status": status, "redis": redis_state, "model": bool(model)})

        @bp.post("/login")
        @route
        async def login(request: Request) -> HTTPResponse:
            body = read_json(request)
            username = body.get("username")
            password = body.get("password")
            if not isinstance(username, str) or not isinstance(password, str):
                raise ApiError(400, "請提供帳號與密碼")
            services = get_services()
            address = request.remote_addr or request.ip or "unknown"
            wait = await services.throttle.blocked_for(username, address)
            if wait is not None:
                later = f"{wait} 秒" if wait < 60 else f"{-(-wait // 60)} 分鐘"
                raise ApiError(
                    429,
                    f"登入失敗次數過多，請 {later}後再試",
                    headers={"Retry-After": str(wait)},
                )
            result = await services.accounts.login(username, password)
            if result is None:
                await services.throttle.failed(username, address)
                raise ApiError(401, "帳號或密碼錯誤")
            await services.throttle.succeeded(username, address)
            token, account = result
            role = services.policy.role(account.role)
            return response.json(
                {
                    "token": token,
                    "role": account.role,
                    "role_label": role.label,
                    "supervisor": is_supervisor(services, account),
                    "name": account.name,
                    "expires_in": services.settings.token_ttl,
                }
            )

        @bp.post("/webhook")
        @staff_route
        async def webhook(request: Request, services: Services, account: Account) -> HTTPResponse:
            body = read_json(request)
            cid = field_id(body, "sender")
            text = field_text(body, "message")
            metadata = body.get("metadata") or {}
            if not isinstance(metadata, dict):
                raise ApiError(400, "欄位 metadata 必須是 JSON 物件")
            customer_id = field_id(metadata, "customer_id", required=False)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                raise ApiError(503, "模型尚未載入，請稍後再試")
            conversation = await services.conversations.get(cid)
            if conversation is None:
                conversation = await services.conversations.create(
                    cid, customer_id or "", agent=account.username
                )
            elif conversation["agent"] not in ("", account.username) and not is_supervisor(
                services, account
            ):
                raise ApiError(403, "這個對話由其他客服處理，您無法操作")
            if conversation["status"] == "closed":
                raise ApiError(409, "這個對話已經結束")
            payload = await process_customer_message(
                agent=agent,
                services=services,
                on_new_message=on_new_message,
                cid=cid,
                text=text,
                channel=self.name(),
                staff=account.username,
                customer_id=customer_id or conversation.get("customer_id") or None,
            )
            await notify_customer_turn(
                request.app, services, cid, conversation.get("agent"), text, payload
            )
            return response.json(payload)

        @bp.post("/outcome")
        @staff_route
        async def outcome(request: Request, services: Services, account: Account) -> HTTPResponse:
            body = read_json(request)
            cid = field_id(body, "conversation_id")
            item_id = field_id(body, "suggestion_id")
            action = field_choice(body, "action", SUGGESTION_ACTIONS + OPTION_ACTIONS)
            await conversation_for(services, account, cid)
            event: Dict[str, Any] = {
                "conversation_id": cid,
                "action": action,
                "agent": account.username,
            }
            if action in SUGGESTION_ACTIONS:
                suggestion = await services.conversations.suggestion(cid, item_id)
                if suggestion is None:
                    raise ApiError(404, f"這個對話沒有建議 {item_id}")
                event.update(
                    suggestion_id=item_id,
                    technique=suggestion["technique"],
                    complaint_type=suggestion.get("complaint_type"),
                )
                if action == "edited":
                    final = field_text(body, "text")
                    event.update(similarity=similarity(suggestion["text"], final), text=final)
            else:
                option = await services.conversations.option(cid, item_id)
                if option is None:
                    raise ApiError(404, f"這個對話沒有補償方案 {item_id}")
                event.update(option_id=item_id, cost=option["cost"])
                if action != "offered":  # the case summary reads the answer back
                    await services.conversations.record_answer(cid, item_id, action)
                if action == "offered":
                    offered = await services.conversations.record_offer(cid, item_id)
                    await append_to_tracker(
                        request.app.ctx.agent,
                        cid,
                        lambda ts: [SlotSet("offers_made", offered, timestamp=ts)],
                    )
            stored = await services.outcomes.append(event)
            if action in ("used", "edited"):
                await count_use(services, suggestion)
            shown = {k: v for k, v in stored.items() if k not in ("v", "id", "ts", "text")}
            return response.json({"recorded": True, "event_id": stored["id"], **shown})

        @bp.post("/reply")
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
            if record["status"] == "closed":
                raise ApiError(409, "這個對話已經結束，無法再傳訊息給顧客")
            suggestion: Optional[Dict[str, Any]] = None
            if suggestion_id is not None:
                suggestion = await services.conversations.suggestion(cid, suggestion_id)
                if suggestion is None:
                    raise ApiError(404, f"這個對話沒有建議 {suggestion_id}")
            message = await record_reply(
                request.app.ctx.agent, services, account.username, cid, text, suggestion
            )
            relayed = await deliver_to_customer(request.app, cid)
            await notify_staff(
                request.app,
                {
                    "conversation_id": cid,
                    "status": "active",
                    "agent": record["agent"] or None,
                    "message": message,
                },
            )
            details = {k: message[k] for k in REPLY_DETAILS}
            return response.json(
                {"conversation_id": cid, "recorded": True, "relayed": relayed, **details}
            )

        @bp.get("/conversations")
        @staff_route
        async def conversations(
            request: Request, services: Services, account: Account
        ) -> HTTPResponse:
            rows = await services.conversations.recent()
            if not is_supervisor(services, account):
                rows = [row for row in rows if row.get("agent") in ("", account.username)]
            return response.json(
                {
                    "conversations": [
                        {
                            "conversation_id": row["id"],
                            "agent": row.get("agent") or None,
                            "status": row.get("status"),
                            "updated": float(row.get("updated") or 0),
                            "complaint_type": row.get("complaint_type") or None,
                            "sentiment": {
                                "label": row["sentiment"],
                                "score": float(row.get("score") or 0),
                            }
                            if row.get("sentiment")
                            else None,
                            "escalated": row.get("escalated") == "1",
                            "last_message": {
                                "role": row["last_message"]["role"],
                                "text": row["last_message"]["text"][:80],
                            }
                            if row.get("last_message")
                            else None,
                        }
                        for row in rows
                    ]
                }
            )

        @bp.get("/conversations/<cid>")
        @staff_route
        async def conversation(
            request: Request, services: Services, account: Account, cid: str
        ) -> HTTPResponse:
            cid = field_id({"conversation_id": cid}, "conversation_id")
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
            return response.json(
                {
                    "conversation_id": cid,
                    "agent": record.get("agent") or None,
                    "status": record.get("status"),
                    "messages": tail.messages,
                    "messages_total": tail.total,
                    "messages_from": tail.first,
                    "assist": assist,
                    "granted": granted,
                    "approvals": [_approval_view(row) for row in approvals],
                    "rating": int(record["rating"]) if record.get("rating") else None,
                    "summary": summary.as_dict() if summary is not None else None,
                }
            )

        @bp.post("/conversations/<cid>/claim")
        @staff_route
        async def claim(
            request: Request, services: Services, account: Account, cid: str
        ) -> HTTPResponse:
            cid = field_id({"conversation_id": cid}, "conversation_id")
            body = read_json(request) if request.body else {}
            target = field_id(body, "agent", required=False) or account.username
            record = await services.conversations.get(cid)
            if record is None:
                raise ApiError(404, f"找不到對話 {cid}")
            supervisor = is_supervisor(services, account)
            if target != account.username and not supervisor:
                raise ApiError(403, "只有主管可以把對話指派給其他人")
            if record["agent"] not in ("", target) and not supervisor:
                raise ApiError(409, "這個對話已由其他客服處理")
            if await services.accounts.get(target) is None:
                raise ApiError(404, f"找不到帳號 {target}")
            await services.conversations.claim(cid, target)
            services.recollection.assigned(cid, target)
            await notify_staff(
                request.app,
                {"conversation_id": cid, "status": "active", "agent": target},
                queue=True,
                previous_agent=record["agent"],
            )
            return response.json({"conversation_id": cid, "agent": target, "status": "active"})

        @bp.post("/conversations/<cid>/close")
        @staff_route
        async def close(
            request: Request, services: Services, account: Account, cid: str
        ) -> HTTPResponse:
            cid = field_id({"conversation_id": cid}, "conversation_id")
            body = read_json(request)
            resolution = field_choice(body, "resolution", RESOLUTIONS)
            note = field_text(body, "note", required=False) or ""
            if len(note) > 500:
                raise ApiError(413, "備註太長（上限 500 字）")
            record = await conversation_for(services, account, cid)
            if record["agent"] == "" and not is_supervisor(services, account):
                raise ApiError(409, "請先接手這個對話再結案")
            result = await services.conversations.close(cid, account.username, resolution, note)
            if result == "closed":
                raise ApiError(409, "這個對話已經結案")
            closed = await services.conversations.get(cid)
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
                {"conversation_id": cid, "status": "closed", "agent": record["agent"] or None},
            )
            return response.json(
                {**summary, "status": "closed", "rating_requested": rating_requested}
            )

        @bp.post("/compensation/grant")
        @staff_route
        async def grant(request: Request, services: Services, account: Account) -> HTTPResponse:
            body = read_json(request)
            cid = field_id(body, "conversation_id")
            option_id = field_id(body, "option_id")
            key = field_id(body, "idempotency_key")
            await conversation_for(services, account, cid)
            option = await services.conversations.option(cid, option_id)
            if option is None:
                raise ApiError(404, f"這個對話沒有提出過補償方案 {option_id}")
            case = await services.conversations.case(cid) or {}
            status, answer = await compensation.request_grant(
                grants=services.grants,
                policy=services.policy,
                account=account,
                cid=cid,
                option=option,
                case=case,
                idempotency_key=key,
            )
            common = {"conversation_id": cid, "agent": account.username, "option_id": option_id}
            if status == 200:
                await services.outcomes.append(
                    {
                        **common,
                        "id": stable_id("granted", cid, option_id),
                        "action": "granted",
                        "cost": int(answer["cost"]),
                    }
                )
            elif status == 403 and answer.get("approval_id"):
                await _approval_changed(request, services, cid, answer["approval_id"], "pending")
                await services.outcomes.append(
                    {
                        **common,
                        "id": stable_id("approval_requested", answer["approval_id"]),
                        "action": "approval_requested",
                        "cost": int(option["cost"]),
                        "approval_id": answer["approval_id"],
                        "approver": answer["approver"],
                        "reason": answer.get("reason"),
                    }
                )
            return response.json(answer, status=status)

        @bp.get("/approvals")
        @staff_route
        async def approvals(request: Request, services: Services, account: Account) -> HTTPResponse:
            if rank(services, account) == 0:
                raise ApiError(403, "核准清單只開放給可核准的主管與資深客服")
            status = request.args.get("status")
            if status not in (None, "pending", "approved", "denied"):
                raise ApiError(400, "status 必須是 pending / approved / denied")
            rows = [
                row
                for row in await services.grants.approvals()
                if compensation.may_decide(services.policy, account, row)
                and (status is None or row["status"] == status)
            ]
            return response.json({"approvals": [_approval_view(row) for row in rows]})

        @bp.post("/approvals/<approval_id>")
        @staff_route
        async def decide(
            request: Request, services: Services, account: Account, approval_id: str
        ) -> HTTPResponse:
            approval_id = field_id({"approval_id": approval_id}, "approval_id")
            body = read_json(request)
            decision = field_choice(body, "decision", ("approve", "deny"))
            if rank(services, account) == 0:
                raise ApiError(403, "您沒有核准權限")
            approval = await services.grants.approval(approval_id)
            if approval is None:
                raise ApiError(404, f"找不到核准申請 {approval_id}")
            status, answer = await compensation.decide(
                grants=services.grants,
                policy=services.policy,
                account=account,
                approval=approval,
                decision=decision,
            )
            if status != 200:
                return response.json(answer, status=status)
            view = _approval_view(answer)
            await _approval_changed(
                request, services, view["conversation_id"], approval_id, view["status"]
            )
            await services.outcomes.append(
                {
                    "id": stable_id("decided", approval_id),
                    "action": "approved" if view["status"] == "approved" else "denied",
                    "conversation_id": view["conversation_id"],
                    "agent": account.username,
                    "option_id": view["option_id"],
                    "cost": view["cost"],
                    "approval_id": approval_id,
                    "requested_by": view["requested_by"],
                }
            )
            return response.json(view)

        review.add_routes(bp)
        labels.add_routes(bp)
        library.add_routes(bp)
        return bp


def _approval_view(row: Dict[str, str]) -> Dict[str, Any]:
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "option_id": row["option_id"],
        "label": row["label"],
        "cost": int(row["cost"]),
        "requested_by": row["requested_by"],
        "requested_at": float(row["requested_at"]),
        "approver": row["approver"],
        "reason": row["reason"],
        "limits": [limit for limit in row.get("limits", "").split(",") if limit],
        "status": row["status"],
        "decided_by": row.get("decided_by") or None,
        "decided_at": float(row["decided_at"]) if row.get("decided_at") else None,
    }
