"""Login throttling: too many failed logins for one account, or from one address, block
further attempts for a while (even with the right password), so passwords cannot be
guessed by brute force.

Counters in Redis (``kefu:loginfail:user:<sha256>`` and ``…:ip:<address>``) start at the
first failure and expire ``window`` seconds later; a successful login clears the
account's counter.
"""

from __future__ import annotations

import hashlib
from typing import Optional

from bot.store import keys

USER_LIMIT = 5
ADDRESS_LIMIT = 50
WINDOW = 15 * 60

_FAIL = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return counts
"""


def _user_key(username: str) -> str:
    digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{keys.PREFIX}:loginfail:user:{digest}"


def _address_key(address: str) -> str:
    return f"{keys.PREFIX}:loginfail:ip:{address[:64]}"


class LoginThrottle:
    def __init__(
        self,
        redis,  # noqa: ANN001
        user_limit: int = USER_LIMIT,
        address_limit: int = ADDRESS_LIMIT,
        window: int = WINDOW,
    ) -> None:
        self._redis = redis
        self._fail = redis.register_script(_FAIL)
        self.user_limit, self.address_limit, self.window = user_limit, address_limit, window

    async def blocked_for(self, username: str, address: str) -> Optional[int]:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        user, ip = _user_key(username), _address_key(address)
        counts = await self._redis.mget(user, ip)
        waits = []
        for key, count, limit in (
            (user, counts[0], self.user_limit),
            (ip, counts[1], self.address_limit),
        ):
            if count is not None and int(count) >= limit:
                waits.append(max(int(await self._redis.ttl(key)), 1))
        return max(waits) if waits else None

    async def failed(self, username: str, address: str) -> None:
        await self._fail(keys=[_user_key(username), _address_key(address)], args=[self.window])

    async def succeeded(self, username: str) -> None:
        await self._redis.delete(_user_key(username))
