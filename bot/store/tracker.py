"""Rasa's Redis tracker store, with timeouts.

Rasa 3.6 builds its Redis client for the tracker store without any timeout: a Redis that
stops answering (paused, a network partition, a failover that hangs) would block the Rasa
server's event loop for as long as the operating system keeps the connection open —
health checks included. Here the same store gets a read timeout and a connect timeout,
so a silent Redis becomes a RedisError in seconds and the channels' handling of a Redis
that is away takes over (bot/channels/degraded.py). Registered in endpoints.yml.
"""

from __future__ import annotations

from typing import Any, Optional

import redis
from rasa.core.tracker_store import RedisTrackerStore

SOCKET_TIMEOUT = 5.0  # seconds a read may take: a tracker is a few KB
CONNECT_TIMEOUT = 2.0


class TimeoutRedisTrackerStore(RedisTrackerStore):
    """:class:`RedisTrackerStore` whose client gives up after a few seconds."""

    def __init__(
        self,
        domain: Any,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        username: Optional[str] = None,
        password: Optional[str] = None,
        use_ssl: bool = False,
        socket_timeout: float = SOCKET_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain,
            host=host,
            port=port,
            db=db,
            username=username,
            password=password,
            use_ssl=use_ssl,
            **kwargs,
        )
        self.red = redis.StrictRedis(
            host=host,
            port=int(port),
            db=int(db),
            username=username,
            password=password,
            ssl=use_ssl,
            ssl_keyfile=kwargs.get("ssl_keyfile"),
            ssl_certfile=kwargs.get("ssl_certfile"),
            ssl_ca_certs=kwargs.get("ssl_ca_certs"),
            decode_responses=True,
            socket_timeout=float(socket_timeout),
            socket_connect_timeout=CONNECT_TIMEOUT,
        )
