"""Rasa's Redis lock store, polled promptly and with timeouts.

Rasa handles the messages of one conversation one at a time: a message that arrives while
another of the same conversation is being handled takes a ticket and polls the lock until
its turn comes. Rasa 3.6 polls once a second, so a customer who writes in two quick
messages (「你好」 then 「我的訂單還沒到」, the usual way people chat) sees the agent get the
suggestions for the second one up to a second late. Here the same ticket lock is polled
every ``POLL_SECONDS``; a poll reads the lock and writes it back only when it has expired
tickets to drop (Rasa's writes it back on every poll), so polling more often does not
write more. The client also gets a connect timeout, like the tracker store's, and takes
a redis:// or rediss:// (TLS) URL (bot/store/redis_client.py). Registered in endpoints.yml; bot/channels/pipeline.py's own uses
of the lock (agent replies, offers) get the same behaviour.

``lock`` talks to Redis with ``redis.asyncio``: Rasa's takes and frees a lock in seven
blocking round trips, during which the server's event loop serves nobody (11 % of the
Rasa server's time under 50 live conversations, py-spy). The steps, the keys and the
stored ``TicketLock`` are Rasa's, so a lock taken here is the lock Rasa's own methods
(``get_lock``, ``issue_ticket`` …, still blocking) see, and the reverse.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Dict, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.store.redis_client import CONNECT_TIMEOUT, SOCKET_TIMEOUT, async_client, sync_client

POLL_SECONDS = 0.05  # Rasa's default: 1.0


class PromptRedisLockStore(RedisLockStore):
    """:class:`RedisLockStore` that polls a held lock every 50 ms instead of every second."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        poll_seconds: float = POLL_SECONDS,
        **kwargs: Any,
    ) -> None:
        settings = {**(endpoint_config.kwargs if endpoint_config else {}), **kwargs}
        url = endpoint_config.url if endpoint_config else None
        host = settings.pop("host", None) or url or "localhost"
        self.poll_seconds = float(settings.pop("poll_seconds", poll_seconds))
        if not 0 < self.poll_seconds <= 1:
            raise ValueError(f"poll_seconds must be in (0, 1], not {self.poll_seconds}")
        settings.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(host=host, **settings)
        # Rasa's client has no connect timeout (an unreachable host would hang the loop)
        # and takes no redis:// or rediss:// URL (bot/store/redis_client.py)
        self._connection: Dict[str, Any] = {
            "port": settings.get("port", 6379),
            "db": settings.get("db", 1),
            "username": settings.get("username"),
            "password": settings.get("password"),
            "use_ssl": settings.get("use_ssl", False),
            "ssl_certfile": settings.get("ssl_certfile"),
            "ssl_keyfile": settings.get("ssl_keyfile"),
            "ssl_ca_certs": settings.get("ssl_ca_certs"),
            "socket_timeout": float(settings["socket_timeout"]),
            "connect_timeout": CONNECT_TIMEOUT,
        }
        self._host = host
        self.red = sync_client(host, **self._connection)
        self._clients: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, without blocking the event loop; waits ``poll_seconds``
        between attempts unless told otherwise."""
        wait = self.poll_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        try:
            lock = await self._read(conversation_id) or self.create_lock(conversation_id)
            ticket = lock.issue_ticket(lock_lifetime)
            await self._write(lock)
        except Exception as error:  # as Rasa's issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        try:
            yield await self._acquire(conversation_id, ticket, wait)
        finally:
            await self._let_go(conversation_id, ticket)

    def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = async_client(self._host, **self._connection)
        return client

    async def _read(self, conversation_id: str) -> Optional[TicketLock]:
        serialised = await self._client().get(self.key_prefix + conversation_id)
        return TicketLock.from_dict(json.loads(serialised)) if serialised else None

    async def _write(self, lock: TicketLock) -> None:
        await self._client().set(self.key_prefix + lock.conversation_id, lock.dumps())

    async def _acquire(self, conversation_id: str, ticket: int, wait: float) -> TicketLock:
        """Rasa's ``_acquire_lock``: poll until this ticket is served."""
        while True:
            lock = await self._read(conversation_id)
            if not lock:  # it expired meanwhile
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            lock = await self._read(conversation_id)  # update_lock's step, as below
            if lock and any(t.has_expired() for t in lock.tickets):
                lock.remove_expired_tickets()
                await self._write(lock)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    async def _let_go(self, conversation_id: str, ticket: int) -> None:
        """Rasa's ``cleanup``: drop the ticket; delete the lock if nobody else waits."""
        lock = await self._read(conversation_id)
        if lock:
            lock.remove_ticket_for(ticket)
            await self._write(lock)
        lock = await self._read(conversation_id)
        if not (lock and lock.is_someone_waiting()):
            await self._client().delete(self.key_prefix + conversation_id)

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets; write the lock back only when one was dropped."""
        lock = self.get_lock(conversation_id)
        if lock and any(ticket.has_expired() for ticket in lock.tickets):
            lock.remove_expired_tickets()
            self.save_lock(lock)
