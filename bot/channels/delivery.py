"""What reaches the customer's widget: each reply once, in order, also across a reconnect.

An agent's reply (and the rating request) is put in the conversation's outbox in Redis
in the same transaction as the transcript (:mod:`bot.store.conversations`); then every
Rasa server is told "conversation X has something waiting", as one more kind of message
on python-socketio's own Redis channel (:class:`DeliveringRedisManager`). A server that
holds a socket of X takes what is waiting (marked delivered in the same Redis step) and
emits it as ordinary ``bot_uttered`` events; a server with none takes nothing. So a reply
sent while the customer's page is closed stays waiting, and when the widget reconnects
with its session id, :meth:`CustomerDelivery.resume` takes it and emits it to that socket
before anything else. Any Rasa widget shows it: it is the event they already handle.

Two servers, or a reply and a resume, never take the same item (one Lua step claims it);
on one server, taking and emitting for one conversation happen under one lock, so a
later reply can never overtake an earlier one.

Limit: "delivered" means "emitted to a connected socket". A connection that dies without
closing (a phone losing its network) is noticed by Engine.IO's ping timeout (25 + 20 s);
a reply emitted to it meanwhile counts as delivered. A page that is closed or reloaded
closes its connection at once, and what follows waits for it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Awaitable, Callable, Dict, Optional

from redis.exceptions import RedisError
from socketio import AsyncRedisManager, AsyncServer

from bot.store.conversations import Conversations, Resumed

logger = logging.getLogger(__name__)

DELIVER_EVENT = "kefu:deliver"  # between servers only: never emitted to a client
CUSTOMERS = "/"  # the customers' namespace

OnWaiting = Callable[[str], Awaitable[Any]]


class DeliveringRedisManager(AsyncRedisManager):
    """python-socketio's Redis manager, carrying one message of ours beside its own:
    ``sio.emit(DELIVER_EVENT, cid)`` runs :attr:`on_waiting` (``cid``) on every server
    (this one first) instead of reaching any client."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.on_waiting: Optional[OnWaiting] = None

    async def _handle_emit(self, message: Dict[str, Any]) -> None:
        if message.get("event") != DELIVER_EVENT:
            await super()._handle_emit(message)
            return
        data = message.get("data")
        cid = data[0] if isinstance(data, list) and data else None
        if isinstance(cid, str) and self.on_waiting is not None:
            await self.on_waiting(cid)


class CustomerDelivery:
    """Takes what waits for a conversation and emits it to this server's sockets of it."""

    def __init__(self, sio: AsyncServer, conversations: Callable[[], Conversations]) -> None:
        self._sio = sio
        self._conversations = conversations
        # one lock per conversation with a delivery in progress on this server (the
        # sockets are this process's; the state that matters is in Redis)
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, cid: str) -> asyncio.Lock:
        lock = self._locks.get(cid)
        if lock is None:
            lock = self._locks[cid] = asyncio.Lock()
        return lock

    def _sockets_here(self, cid: str) -> bool:
        return any(True for _ in self._sio.manager.get_participants(CUSTOMERS, cid))

    async def waiting(self, cid: str) -> int:
        """Emit what waits for ``cid`` to its sockets on this server; how many items."""
        if not self._sockets_here(cid):
            return 0  # nobody here: it waits (for another server's socket, or a resume)
        async with self._lock(cid):
            if not self._sockets_here(cid):
                return 0
            try:
                unseen = await self._conversations().claim_unseen(cid)
            except RedisError as error:
                logger.warning("replies for %s wait for Redis: %s", cid, error)
                return 0
            for payload in unseen:
                await self._sio.emit("bot_uttered", payload, room=cid, ignore_queue=True)
            return len(unseen)

    async def resume(self, sid: str, cid: str, history_messages: int) -> Optional[Resumed]:
        """A widget took up its session again: what it has not received, as ``bot_uttered``,
        then ``kefu_history`` (our chat page redraws from it; other widgets ignore it)."""
        async with self._lock(cid):
            try:
                resumed = await self._conversations().resume(cid, history_messages)
            except RedisError as error:
                logger.warning("no history for a resumed session: %s", error)
                return None
            for payload in resumed.unseen:
                await self._sio.emit("bot_uttered", payload, to=sid, ignore_queue=True)
            await self._sio.emit("kefu_history", history(resumed), to=sid, ignore_queue=True)
            return resumed


def history(resumed: Resumed) -> Dict[str, Any]:
    """``kefu_history``: the customer's and the agent's messages (text and time only, no
    agent-side detail), the status and whether the customer rated."""
    return {
        "messages": [
            {"role": m["role"], "text": m["text"], "ts": m.get("ts")}
            for m in resumed.messages
            if m.get("role") in ("customer", "agent")
        ],
        "status": resumed.status,
        "rated": resumed.rated,
    }
