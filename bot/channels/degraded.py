"""Keeping the chat going while Redis is away, and catching up when it is back.

Rasa cannot process a message without Redis (the tracker and its lock live there), but
the chat itself need not stop: the socket.io server delivers to the sockets of this
server without Redis, and this module remembers what it needs for that.

* :class:`Recollection` — per process, what was last read from Redis: who handles each
  conversation, which login tokens are valid (for a few minutes at most) and which chat
  sessions it issued, so agents stay signed in, only the assigned agent may answer, and a
  customer's browser that reconnects keeps its conversation.
* :class:`DeferredTurns` — the turns that could not reach Rasa: a customer's message, an
  agent's reply. Each is appended to the disk spool (:mod:`bot.store.spool`) and taken into
  Rasa, in order, when Redis answers again (:func:`catch_up_forever`): the customer's
  message runs through NLU, dialogue and actions (the console gets its suggestions then),
  the agent's reply goes into the tracker and the transcript. A processed item is marked
  taken (with an fsync) as soon as Rasa has it, so a catch-up interrupted half-way repeats
  at most the one item it was on when the process died (at-least-once delivery).

    Redis down:   customer ─► consoles (message, no suggestions) + spool
                  agent ─────► customer + spool
    Redis back:   spool ─► Rasa (tracker, transcript, outcome log) ─► consoles
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from redis.exceptions import RedisError

from bot.store.spool import Spool

logger = logging.getLogger(__name__)

TOKEN_GRACE = 300.0  # seconds a remembered token stays usable while Redis is away


class Recollection:
    """What this process last knew from Redis, for use only while Redis is away."""

    def __init__(self, limit: int = 10_000) -> None:
        self._agents: "OrderedDict[str, str]" = OrderedDict()
        self._tokens: "OrderedDict[str, Tuple[Any, float]]" = OrderedDict()
        self._sessions: "OrderedDict[str, bool]" = OrderedDict()
        self._limit = limit

    def _keep(self, table: OrderedDict, key: str, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self._limit:
            table.popitem(last=False)

    def assigned(self, cid: str, agent: str) -> None:
        self._keep(self._agents, cid, agent)

    def agent_of(self, cid: str) -> Optional[str]:
        return self._agents.get(cid) or None

    def session(self, session_id: str) -> None:
        """A live-chat session id this server issued or resumed."""
        self._keep(self._sessions, session_id, True)

    def knows_session(self, session_id: str) -> bool:
        return session_id in self._sessions

    def signed_in(self, token: str, account: Any) -> None:
        self._keep(self._tokens, _digest(token), (account, time.monotonic() + TOKEN_GRACE))

    def account_for(self, token: str) -> Any:
        found = self._tokens.get(_digest(token)) if token else None
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DeferredTurns:
    """Turns waiting for Redis, in the disk spool (:mod:`bot.store.spool`, prefix
    ``turns``): each is marked taken as soon as Rasa has it, so a catch-up interrupted
    half-way repeats at most the item it was on."""

    def __init__(self, spool_dir: Path) -> None:
        self.spool_dir = spool_dir
        self._spool = Spool(spool_dir, "turns")

    def defer(self, item: Dict[str, Any]) -> Dict[str, Any]:
        record = {"id": uuid.uuid4().hex, "ts": round(time.time(), 3), **item}
        self._spool.append([record])
        logger.warning("Redis away: %s turn of %s deferred", record["kind"], record["cid"])
        return record

    def pending(self) -> bool:
        return self._spool.pending()

    async def catch_up(self, take: Callable[[Dict[str, Any]], Awaitable[None]]) -> int:
        """Hand every deferred turn to ``take``, oldest first; stop at the first one that
        fails (Redis gone again) and keep it and the rest for the next time. Another
        catch-up under way (another task or process) takes them instead: 0."""
        return (await self._spool.replay(take)).taken


async def catch_up_forever(
    ping: Callable[[], Awaitable[Any]],
    turns: Callable[[], DeferredTurns],
    take: Callable[[Dict[str, Any]], Awaitable[None]],
    interval: float = 2.0,
) -> None:
    """A server task: whenever turns wait and Redis answers, take them into Rasa."""
    while True:
        await asyncio.sleep(interval)
        deferred = turns()
        if not deferred.pending():
            continue
        try:
            await ping()
            count = await deferred.catch_up(take)
            if count:
                logger.warning("Redis back: %d deferred turns taken into Rasa", count)
        except (RedisError, OSError) as error:
            logger.info("deferred turns wait for Redis (%s)", error)
        except Exception:  # noqa: BLE001 — a background task must not die
            logger.exception("catching up deferred turns failed; trying again later")
