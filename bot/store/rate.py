"""A per-account rate limit: at most ``limit`` calls in each ``window`` of seconds.

Used by routes that do work on every call (the reply library's search,
bot/channels/library.py). A fixed window per account in Redis
(``kefu:rate:<name>:<account>``, living one window from its first call): counted with
Redis's own INCR, so several servers share the count. A call past the limit is refused
and not counted; the caller waits the window out (the API answers 429 with
``Retry-After``). Login failures have their own, gentler mechanism
(bot/store/throttle.py).
"""

from __future__ import annotations

import hashlib
from typing import Optional

from bot.store import keys

_TAKE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[1])
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
return 0
"""


def rate_key(name: str, username: str) -> str:
    account = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{keys.PREFIX}:rate:{name}:{account}"


class RateLimit:
    def __init__(self, redis, name: str, limit: int, window: int = 60) -> None:  # noqa: ANN001
        if limit < 1 or window < 1:
            raise ValueError("a rate limit needs a limit and a window of at least 1")
        self._take = redis.register_script(_TAKE)
        self.name, self.limit, self.window = name, limit, window

    async def wait(self, username: str) -> Optional[int]:
        """Count one call of ``username``: None when allowed, else the seconds to wait."""
        wait = int(
            await self._take(keys=[rate_key(self.name, username)], args=[self.window, self.limit])
        )
        return wait if wait > 0 else None
