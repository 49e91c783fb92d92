"""Telling people: the staff consoles (socket.io namespace ``/agent``) and the customer's
widget (Rasa's socket.io protocol at ``/socket.io``). Both channels use this module, and
only this module reaches the live channel's socket.io server.

The live channel hands its server over with :func:`attach` when it is mounted; without
the live channel (a REST-only deployment) every function here says False and sends
nothing.

Rasa's ``OutputChannel`` for socket.io (``SocketIOOutput``) sends what an agent relays
straight to the customer while Redis is away (:func:`relay_to_customer`), unsplit: one
reply is one ``bot_uttered``, as when it comes through the outbox. The usual way is not
an output channel's: a reply is written to the conversation's outbox in Redis with the
transcript, and every server is only told "something waits for X"
(:func:`deliver_to_customer`); whichever server holds X's socket takes it and emits it
(bot/channels/delivery.py), so it also reaches a widget that reconnects later, or to
another server, exactly once. ``SocketIOOutput`` emits to the sockets connected now, so it
cannot carry that.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from rasa.core.channels.socketio import SocketIOOutput
from sanic import Sanic
from socketio import AsyncServer

from bot.channels.delivery import DELIVER_EVENT
from bot.channels.staff import is_supervisor
from bot.services import Services
from bot.store.accounts import Account
from bot.store.conversations import Conversations

AGENT_NAMESPACE = "/agent"
QUEUE_ROOM = "queue"  # agents: unassigned conversations
SUPERVISOR_ROOM = "supervisors"
BOT_MESSAGE_EVENT = "bot_uttered"
RATING_REQUEST = (
    "這次的對話已經結束，謝謝您的耐心。想請您為這次的服務打個分數（1 到 5 分，5 分最滿意）："
)


def agent_room(username: str) -> str:
    return f"agent:{username}"


def attach(app: Sanic, sio: AsyncServer) -> None:
    """The live channel's socket.io server, for this module to send through."""
    app.ctx.kefu_sio = sio


def _sio(app: Sanic) -> Optional[AsyncServer]:
    return getattr(app.ctx, "kefu_sio", None)


class _WholeMessageOutput(SocketIOOutput):
    """Rasa's socket.io output, one text as one message (Rasa splits at blank lines)."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})


def staff_rooms(services: Services, account: Account) -> List[str]:
    """The rooms a console of ``account`` joins: its own, the queue, and the supervisors'."""
    rooms = [agent_room(account.username), QUEUE_ROOM]
    if is_supervisor(services, account):
        rooms.append(SUPERVISOR_ROOM)
    return rooms


async def notify_staff(
    app: Sanic, update: Dict[str, Any], *, queue: bool = False, previous_agent: str = ""
) -> bool:
    """Tell the consoles that a conversation changed: its agent (or the queue, while it has
    none, or with ``queue`` when it just left it), the agent it was taken from, and the
    supervisors; each socket gets it once."""
    sio = _sio(app)
    if sio is None:
        return False
    rooms = [agent_room(update["agent"]) if update.get("agent") else QUEUE_ROOM, SUPERVISOR_ROOM]
    if queue and QUEUE_ROOM not in rooms:
        rooms.append(QUEUE_ROOM)
    if previous_agent and previous_agent != update.get("agent"):
        rooms.append(agent_room(previous_agent))
    await sio.emit("conversation_update", update, to=rooms, namespace=AGENT_NAMESPACE)
    return True


async def notify_customer_turn(
    app: Sanic,
    services: Services,
    cid: str,
    handler: Optional[str],
    text: str,
    payload: Mapping[str, Any],
) -> bool:
    """A customer's message and its assist, to the consoles (any channel it came from);
    ``handler``: the username of the staff member handling the conversation."""
    record = await services.conversations.get(cid)
    return await notify_staff(
        app,
        {
            "conversation_id": cid,
            "status": record.status if record else None,
            "agent": handler or None,
            "message": {
                "role": "customer",
                "text": text,
                "sentiment": payload["analysis"].get("sentiment"),
            },
            "assist": payload,
        },
    )


async def deliver_to_customer(app: Sanic, cid: str) -> bool:
    """What waits in the conversation's outbox goes to the customer's socket(s), on
    whichever server holds them (or waits for the widget to come back); False when no
    live channel."""
    sio = _sio(app)
    if sio is None:
        return False
    await sio.emit(DELIVER_EVENT, cid, room=cid)  # handled by the servers, never sent
    return True


async def relay_to_customer(app: Sanic, cid: str, text: str) -> bool:
    """Send an agent's reply straight to the customer's socket(s), outbox bypassed (Redis
    is away), through Rasa's socket.io output; False when no live channel."""
    sio = _sio(app)
    if sio is None:
        return False
    await _WholeMessageOutput(sio, BOT_MESSAGE_EVENT).send_text_message(cid, text)
    return True


async def request_rating(app: Sanic, conversations: Conversations, cid: str) -> bool:
    """Ask the live customer for a 1–5 rating, as quick replies Rasa's widgets show as
    buttons (delivered like a reply: a widget that is away gets it when it comes back);
    False when the conversation is not a live chat."""
    quick_replies = [
        {"content_type": "text", "title": f"{score} 分", "payload": f"評分 {score}"}
        for score in (5, 4, 3, 2, 1)
    ]
    queued = await conversations.queue_for_customer(
        cid, {"text": RATING_REQUEST, "quick_replies": quick_replies}
    )
    return queued and await deliver_to_customer(app, cid)
