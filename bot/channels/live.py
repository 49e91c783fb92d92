"""The live chat channel: customers on Rasa's socket.io protocol, agents on their own namespace.

Registered in credentials.yml as ``bot.channels.live.LiveChatInput``. The customer side
speaks exactly the protocol of Rasa's own ``socketio`` channel at ``/socket.io``
(``session_request`` → ``session_confirm``, ``user_uttered``, ``bot_uttered``, session
persistence), so Rasa web chat widgets connect unchanged; a customer's conversation id is
its session id. Every customer message runs through Rasa like a REST one
(:mod:`bot.channels.pipeline`); the assist payload goes to the agents' namespace
``/agent`` (token in the connect ``auth``), never to the customer. What the customer
receives is only what an agent sends through ``POST /webhooks/assist/reply`` (and the
rating request): it waits in the conversation's outbox until a socket of the customer's
takes it, as ``bot_uttered`` (:mod:`bot.channels.delivery`), so a widget that reconnects
gets what it missed, once. python-socketio's Redis manager carries emits between Rasa
servers that share the Redis (sticky sessions: docs/live-chat.md). Pages on the websites
listed in ``KEFU_CORS_ORIGINS`` may connect (:mod:`bot.channels.cors`). The consoles and
the customer's widget are told things through :mod:`bot.channels.notify`.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from redis.exceptions import RedisError
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import cors, pages, speedups
from bot.channels.background import background
from bot.channels.degraded import catch_up_forever
from bot.channels.delivery import CustomerDelivery, DeliveringRedisManager
from bot.channels.http import MAX_TEXT_CHARS
from bot.channels.notify import (
    AGENT_NAMESPACE,
    attach,
    notify_customer_turn,
    notify_staff,
    staff_rooms,
)
from bot.channels.pipeline import process_customer_message, record_reply
from bot.channels.review import score_conversation
from bot.config import Settings
from bot.log.outcomes import stable_id
from bot.services import get_services
from bot.store.conversation_records import ConversationRecord
from bot.store.keys import BadId, check_id

logger = logging.getLogger(__name__)

HISTORY_MESSAGES = 200  # the newest messages a resumed chat shows again
TOO_LONG = f"訊息太長了，請分成幾則傳送（每則上限 {MAX_TEXT_CHARS} 字）。"
RATING_THANKS = "謝謝您的評分，我們會繼續努力！"
NOT_SENT = "系統暫時忙碌，剛才的訊息沒有送出，請稍後再傳一次。"
ENDED = "這次的對話已經結束了。如果還有其他問題，請重新整理頁面開始新的對話。"
_RATING = re.compile(r"^\s*(?:評分\s*)?([1-5])\s*(?:分)?\s*$")


class _LiveBlueprint(SocketBlueprint):
    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        attach(app, self.ctx.sio)  # what bot/channels/notify.py sends through
        self.ctx.app = app
        super().register(app, options)


class LiveChatInput(InputChannel):
    """Customers at ``/socket.io`` (Rasa's protocol), agents in the ``/agent`` namespace."""

    @classmethod
    def name(cls) -> str:
        return "live"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "LiveChatInput":
        credentials = credentials or {}
        return cls(credentials.get("socketio_path", "/socket.io"))

    def __init__(self, socketio_path: str = "/socket.io") -> None:
        speedups.install()
        self.socketio_path = socketio_path

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = Settings.from_env(os.environ)
        manager = DeliveringRedisManager(settings.redis_target().url)
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=[],  # CORS headers: Rasa's Sanic-CORS (bot/channels/cors.py)
            client_manager=manager,
            max_http_buffer_size=64 * 1024,
        )
        delivery = CustomerDelivery(sio, lambda: get_services().conversations)
        manager.on_waiting = delivery.waiting
        blueprint = _LiveBlueprint(sio, self.socketio_path, "live_chat", __name__)

        @blueprint.listener("before_server_start")
        async def allow_listed_origins(app: Sanic, _loop: Any) -> None:
            cors.allow(app, self.socketio_path, settings.cors_origins)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        pages.add_routes(blueprint)

        # ---- customers: Rasa's socketio protocol ----

        @sio.on("connect")
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return cors.origin_allowed(environ, settings.cors_origins)

        @sio.on("session_request")
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            svc = get_services()
            asked = (data or {}).get("session_id") if isinstance(data, dict) else None
            try:
                session_id = check_id(asked, "session_id")
                resumed = await svc.conversations.resume_live_session(session_id)
            except BadId:
                resumed = False
            except RedisError:  # Redis away: a session this server issued may come back
                resumed = svc.recollection.knows_session(session_id)
            if not resumed:
                # only ids this channel issued may be resumed: a browser cannot pick
                # another conversation's id (REST senders choose theirs) and read it
                session_id = uuid.uuid4().hex
                try:
                    await svc.conversations.issue_live_session(session_id)
                except RedisError as error:
                    logger.warning("could not record live session: %s", error)
            svc.recollection.session(session_id)
            await sio.enter_room(sid, session_id)
            await sio.save_session(sid, {"session_id": session_id})
            await sio.emit("session_confirm", session_id, room=sid)
            if resumed:
                # what it has not received yet (bot_uttered), then kefu_history
                await delivery.resume(sid, session_id, HISTORY_MESSAGES)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session = await sio.get_session(sid)
            session_id = session.get("session_id")
            if not session_id or data.get("session_id") not in (None, session_id):
                # only the session this socket asked for: never another conversation
                return
            text = data.get("message")
            if not isinstance(text, str) or not text.strip():
                return
            if len(text) > MAX_TEXT_CHARS:
                await sio.emit("bot_uttered", {"text": TOO_LONG}, room=sid)
                return
            await _handle_customer_text(sid, session_id, text.strip())

        async def _handle_customer_text(sid: str, cid: str, text: str) -> None:
            svc = get_services()
            rasa_agent = blueprint.ctx.app.ctx.agent
            if rasa_agent is None or not rasa_agent.is_ready():
                logger.warning("message for %s while the model is not loaded", cid)
                await sio.emit("bot_uttered", {"text": NOT_SENT}, room=sid)
                return
            try:
                conversation = await svc.conversations.get(cid)
            except RedisError as error:
                logger.warning("redis unavailable for %s: %s", cid, error)
                await _defer_customer_text(cid, text)
                return
            try:
                if conversation is None:
                    conversation = await svc.conversations.create(cid)
                # a session in use stays resumable (and its replies deliverable) for 30 days
                await svc.conversations.resume_live_session(cid)
                svc.recollection.assigned(cid, conversation.agent or "")
                if conversation.is_closed:
                    await _after_close(cid, text)
                    return
                payload = await _take_customer_text(cid, text, conversation)
            except RedisError as error:  # lost half-way: the customer sends it again
                logger.warning("redis lost while handling %s: %s", cid, error)
                await sio.emit("bot_uttered", {"text": NOT_SENT}, room=sid)
                return
            await notify_customer_turn(
                blueprint.ctx.app, svc, cid, conversation.agent, text, payload
            )

        async def _take_customer_text(
            cid: str, text: str, conversation: ConversationRecord
        ) -> Dict:
            return await process_customer_message(
                rasa_agent=blueprint.ctx.app.ctx.agent,
                services=get_services(),
                on_new_message=on_new_message,
                cid=cid,
                text=text,
                channel=self.name(),
                staff=conversation.agent,
                customer_id=conversation.customer_id,
            )

        async def _defer_customer_text(cid: str, text: str) -> None:
            """Redis away: the agent sees the message now, Rasa reads it when Redis is back."""
            svc = get_services()
            item = svc.deferred.defer({"kind": "customer", "cid": cid, "text": text})
            await notify_staff(
                blueprint.ctx.app,
                {
                    "conversation_id": cid,
                    "status": "waiting",
                    "agent": svc.recollection.agent_of(cid),
                    "message": {"role": "customer", "text": text, "ts": item["ts"]},
                    "degraded": True,
                },
            )

        async def _take_deferred(item: Dict[str, Any]) -> None:
            """One deferred turn into Rasa (bot/channels/degraded.py), in order."""
            svc = get_services()
            cid = item["cid"]
            conversation = await svc.conversations.get(cid) or await svc.conversations.create(cid)
            if item["kind"] == "customer":
                payload = await _take_customer_text(cid, item["text"], conversation)
                await notify_customer_turn(
                    blueprint.ctx.app, svc, cid, conversation.agent, item["text"], payload
                )
                return
            suggestion = None
            if item.get("suggestion_id"):
                suggestion = await svc.conversations.suggestion(cid, item["suggestion_id"])
            message = await record_reply(
                blueprint.ctx.app.ctx.agent,
                svc,
                item["agent"],
                cid,
                item["text"],
                suggestion,
                ts=item["ts"],
                to_customer=False,  # relayed when it was sent
            )
            await notify_staff(
                blueprint.ctx.app,
                {
                    "conversation_id": cid,
                    "status": "active",
                    "agent": item["agent"],
                    "message": message,
                },
            )

        @blueprint.listener("after_server_start")
        async def catch_up_deferred_turns(app: Sanic, _loop: Any) -> None:
            svc = lambda: get_services()  # noqa: E731 — this loop's services
            background(
                app,
                catch_up_forever(
                    lambda: svc().redis.ping(), lambda: svc().deferred, _take_deferred
                ),
            )

        async def _after_close(cid: str, text: str) -> None:
            """A closed conversation only takes the customer's rating (1–5)."""
            svc = get_services()
            match = _RATING.match(text)
            if match and await svc.conversations.rate(cid, int(match.group(1))):
                await svc.outcomes.append(
                    {
                        "id": stable_id("rated", cid),
                        "conversation_id": cid,
                        "action": "rated",
                        "rating": int(match.group(1)),
                    }
                )
                await score_conversation(svc, cid)  # the QA scorecard, with the rating now
                await sio.emit("bot_uttered", {"text": RATING_THANKS}, room=cid)
                record = await svc.conversations.get(cid)
                await notify_staff(
                    blueprint.ctx.app,
                    {
                        "conversation_id": cid,
                        "status": "closed",
                        "agent": record.agent if record else None,
                        "rating": int(match.group(1)),
                    },
                )
            else:
                await sio.emit("bot_uttered", {"text": ENDED}, room=cid)

        # ---- agents: their own namespace, a login token required ----

        @sio.on("connect", namespace=AGENT_NAMESPACE)
        async def agent_connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not cors.origin_allowed(environ, settings.cors_origins):
                return False
            token = (auth or {}).get("token") if isinstance(auth, dict) else None
            svc = get_services()
            account = await svc.accounts.authenticate(token) if isinstance(token, str) else None
            if account is None:
                return False
            await sio.save_session(sid, {"username": account.username}, namespace=AGENT_NAMESPACE)
            for room in staff_rooms(svc, account):
                await sio.enter_room(sid, room, namespace=AGENT_NAMESPACE)
            return True

        return blueprint
