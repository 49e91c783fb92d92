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
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.store.redis_client import CONNECT_TIMEOUT, SOCKET_TIMEOUT, sync_client

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
        self.red = sync_client(
            host,
            port=settings.get("port", 6379),
            db=settings.get("db", 1),
            username=settings.get("username"),
            password=settings.get("password"),
            use_ssl=settings.get("use_ssl", False),
            ssl_certfile=settings.get("ssl_certfile"),
            ssl_keyfile=settings.get("ssl_keyfile"),
            ssl_ca_certs=settings.get("ssl_ca_certs"),
            socket_timeout=float(settings["socket_timeout"]),
            connect_timeout=CONNECT_TIMEOUT,
        )

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock; waits ``poll_seconds`` between attempts unless told otherwise."""
        wait = self.poll_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        async with super().lock(conversation_id, lock_lifetime, wait) as ticket_lock:
            yield ticket_lock

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets; write the lock back only when one was dropped."""
        lock = self.get_lock(conversation_id)
        if lock and any(ticket.has_expired() for ticket in lock.tickets):
            lock.remove_expired_tickets()
            self.save_lock(lock)
