"""Login throttling that slows password guessing down without locking real agents out.

Failed logins are counted three ways, each in a Redis hash that lives ``window`` seconds
from its first failure (``kefu:loginfail:…``):

* per (account, address): after ``pair_free`` failures each further attempt from that
  address for that account waits ``base`` seconds, doubling with every failure, at most
  ``pair_cap``;
* per address, whatever the names (spraying many accounts): the same after
  ``address_free`` failures, at most ``cap``;
* per account, from anywhere (guessing from many addresses): the same after
  ``account_free`` failures, at most ``cap``.

An address an account has logged in from successfully (``kefu:loginok:<account>``, kept
30 days) is known for that account: there only that pair's own failures count. So
someone typing wrong passwords for an agent's name, from elsewhere or from many places,
slows down themselves and unknown addresses, never the agent at the desk; the agent who
mistypes is slowed for half a minute, then a minute …, never locked for a quarter of an
hour. The wait is :meth:`LoginThrottle.blocked_for` seconds (the API answers 429 with
``Retry-After``); attempts refused meanwhile are not counted. Times are Redis's own clock,
so several servers agree.
"""

from __future__ import annotations

import hashlib
from typing import List, Optional

from bot.store import keys

PAIR_FREE = 5
ADDRESS_FREE = 50
ACCOUNT_FREE = 20
BASE = 30  # seconds of the first wait, doubling with each further failure
PAIR_CAP = 5 * 60
CAP = 15 * 60
WINDOW = 15 * 60
KNOWN_TTL = 30 * 24 * 3600

_FAIL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window, base = tonumber(ARGV[1]), tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  local free, cap = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  local n = redis.call('HINCRBY', key, 'n', 1)
  if n == 1 then redis.call('EXPIRE', key, window) end
  if n >= free then
    local delay = math.min(base * 2 ^ (n - free), cap)
    redis.call('HSET', key, 'until', tostring(now + delay))
    if redis.call('TTL', key) < delay then redis.call('EXPIRE', key, math.ceil(delay)) end
  end
end
return 1
"""

_WAIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local counted = 3
if redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1 then counted = 1 end
local wait = 0
for i = 1, counted do
  local until_ = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
  if until_ - now > wait then wait = until_ - now end
end
return math.ceil(wait)
"""


def _account(username: str) -> str:
    return hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _keys(username: str, address: str) -> List[str]:
    """Pair, address, account counters and the account's known addresses."""
    account, address = _account(username), address[:64]
    return [
        f"{keys.PREFIX}:loginfail:pair:{account}:{address}",
        f"{keys.PREFIX}:loginfail:ip:{address}",
        f"{keys.PREFIX}:loginfail:user:{account}",
        f"{keys.PREFIX}:loginok:{account}",
    ]


class LoginThrottle:
    def __init__(
        self,
        redis,  # noqa: ANN001
        pair_free: int = PAIR_FREE,
        address_free: int = ADDRESS_FREE,
        account_free: int = ACCOUNT_FREE,
        base: int = BASE,
        pair_cap: int = PAIR_CAP,
        cap: int = CAP,
        window: int = WINDOW,
    ) -> None:
        self._redis = redis
        self._fail = redis.register_script(_FAIL)
        self._wait = redis.register_script(_WAIT)
        self.window, self.base = window, base
        self._limits = [pair_free, pair_cap, address_free, cap, account_free, cap]

    async def blocked_for(self, username: str, address: str) -> Optional[int]:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        wait = int(await self._wait(keys=_keys(username, address), args=[address[:64]]))
        return wait if wait > 0 else None

    async def failed(self, username: str, address: str) -> None:
        await self._fail(
            keys=_keys(username, address)[:3], args=[self.window, self.base, *self._limits]
        )

    async def succeeded(self, username: str, address: str) -> None:
        """The pair's failures are forgiven and the address becomes known for the account."""
        pair, _, _, known = _keys(username, address)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(pair)
            pipe.sadd(known, address[:64])
            pipe.expire(known, KNOWN_TTL)
            await pipe.execute()
