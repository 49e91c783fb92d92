"""The synchronous Redis client Rasa's stores use, with timeouts and TLS.

Rasa's tracker and lock stores (ours subclass or replace them: bot/store/tracker.py,
bot/store/locks.py) take where Redis is from ``endpoints.yml``. There ``url`` is either
a host name (Rasa's way, with ``port``, ``db``, ``password``, ``use_ssl`` and the
``ssl_*`` files beside it) or a whole Redis URL, ``redis://…`` or ``rediss://…`` (TLS),
the same ``REDIS_URL`` every other part of the project connects with; query options such
as ``?ssl_ca_certs=/path/ca.pem`` pass through to redis-py. Every client gets a read
timeout and a connect timeout, so a silent Redis costs seconds, not the server.
"""

from __future__ import annotations

from typing import Any, Optional

import redis

SOCKET_TIMEOUT = 5.0  # seconds a read may take
CONNECT_TIMEOUT = 2.0


def is_url(host: Optional[str]) -> bool:
    return bool(host) and str(host).startswith(("redis://", "rediss://", "unix://"))


def flag(value: Any) -> bool:
    """``use_ssl`` as endpoints.yml may give it: a bool, or a string from ``${VAR}``."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def sync_client(
    host: Optional[str],
    *,
    port: Any = 6379,
    db: Any = 0,
    username: Optional[str] = None,
    password: Optional[str] = None,
    use_ssl: Any = False,
    ssl_keyfile: Optional[str] = None,
    ssl_certfile: Optional[str] = None,
    ssl_ca_certs: Optional[str] = None,
    socket_timeout: float = SOCKET_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    decode_responses: bool = False,
) -> redis.StrictRedis:
    """A client for ``host`` (a host name or a redis:// / rediss:// URL)."""
    timeouts = {
        "socket_timeout": float(socket_timeout),
        "socket_connect_timeout": float(connect_timeout),
        "decode_responses": decode_responses,
    }
    if is_url(host):
        return redis.StrictRedis.from_url(str(host), **timeouts)
    return redis.StrictRedis(
        host=host or "localhost",
        port=int(port),
        db=int(db),
        username=username or None,
        password=password or None,
        ssl=flag(use_ssl),
        ssl_keyfile=ssl_keyfile or None,
        ssl_certfile=ssl_certfile or None,
        ssl_ca_certs=ssl_ca_certs or None,
        **timeouts,
    )
