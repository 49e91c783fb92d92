"""Rasa's Redis ticket lock with one atomic Lua script per step, polled every 50 ms.

Rasa 3.6's ``RedisLockStore`` costs about seven blocking round trips per message (ticket:
GET+SET, acquire: GET, cleanup: GET+SET+GET+DEL), and its ticket is a read and a separate
write, so two Rasa servers sharing one Redis could give two messages of one conversation
the same ticket. Here each step is one Lua script, atomic in Redis: taking a ticket (the
lock returned with it), each poll while waiting (expired tickets dropped), giving the
ticket back (the key deleted when none remains). A message that does not wait costs two
round trips. The client stays synchronous, like Rasa's.

A waiting message polls every ``POLL_SECONDS``, not Rasa's one second (a customer's quick
second message got its suggestions up to a second late). The lock is stored exactly as
Rasa's ``TicketLock.dumps()`` writes it, so Rasa's own store and ours share it. The client
has a connect timeout and takes redis:// or rediss:// (TLS) URLs
(bot/store/redis_client.py). Registered in endpoints.yml; bot/channels/pipeline.py's own
uses of the lock (agent replies, offers) get the same behaviour.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.store.redis_client import CONNECT_TIMEOUT, SOCKET_TIMEOUT, sync_client

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05  # Rasa's default: 1.0

# Rasa's format: {"conversation_id": ..., "tickets": [ticket, ...]} where each ticket is
# itself a JSON string, '{"number": 0, "expires": 1764288000.123456}'. The scripts keep the
# ticket strings they find as they are and write the outer object the way Python's
# json.dumps does; never an empty ticket list (Lua's cjson would write it as {}): the key
# is deleted instead. Expiry as in Rasa's Ticket.has_expired: now > expires, now being the
# caller's time.time() (ARGV), as Rasa uses the client's clock.
_COMMON = """
local function sift(raw, now, give_back)
  -- the tickets not expired (and not the one given back), the last one's number,
  -- and whether any ticket was dropped
  local kept, last, dropped = {}, -1, false
  for _, text in ipairs(cjson.decode(raw).tickets or {}) do
    local ticket = cjson.decode(text)
    if now > ticket.expires then
      dropped = true
    elseif give_back ~= nil and ticket.number == give_back then
      give_back = nil  -- Rasa's remove_ticket_for removes the first match only
      dropped = true
    else
      kept[#kept + 1] = text
      last = ticket.number
    end
  end
  return kept, last, dropped
end

local function encode(conversation_id, tickets)
  local items = {}
  for i, text in ipairs(tickets) do
    items[i] = cjson.encode(text)
  end
  return '{"conversation_id": ' .. conversation_id .. ', "tickets": ['
    .. table.concat(items, ', ') .. ']}'
end
"""

# KEYS[1]: the lock; ARGV: now, the new ticket's expiry (a float's repr), the conversation
# id as JSON. Rasa's TicketLock.issue_ticket: expired tickets dropped, then the last
# ticket's number + 1 (0 when none). Returns {number, lock}.
_TAKE = (
    _COMMON
    + """
local raw = redis.call('GET', KEYS[1])
local kept, last = {}, -1
if raw then
  kept, last = sift(raw, tonumber(ARGV[1]), nil)
end
local number = last + 1
kept[#kept + 1] = string.format('{"number": %d, "expires": %s}', number, ARGV[2])
local lock = encode(ARGV[3], kept)
redis.call('SET', KEYS[1], lock)
return {number, lock}
"""
)

# KEYS[1]: the lock; ARGV: now, the conversation id as JSON. Drops expired tickets and
# returns the lock, or nil when there is none (or no ticket is left in it: deleted).
_POLL = (
    _COMMON
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then
  return false
end
local kept, _, dropped = sift(raw, tonumber(ARGV[1]), nil)
if #kept == 0 then
  redis.call('DEL', KEYS[1])
  return false
end
if not dropped then
  return raw
end
local lock = encode(ARGV[2], kept)
redis.call('SET', KEYS[1], lock)
return lock
"""
)

# KEYS[1]: the lock; ARGV: the ticket number given back, now, the conversation id as
# JSON. Removes that ticket and the expired ones; deletes the key when none is left.
# Returns how many tickets are left.
_GIVE_BACK = (
    _COMMON
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then
  return 0
end
local kept, _, dropped = sift(raw, tonumber(ARGV[2]), tonumber(ARGV[1]))
if #kept == 0 then
  redis.call('DEL', KEYS[1])
elseif dropped then
  redis.call('SET', KEYS[1], encode(ARGV[3], kept))
end
return #kept
"""
)


def _parse(raw: Optional[bytes]) -> Optional[TicketLock]:
    """A stored lock (as the scripts return it) as Rasa's ``TicketLock``."""
    return TicketLock.from_dict(json.loads(raw)) if raw else None


class PromptRedisLockStore(RedisLockStore):
    """:class:`RedisLockStore` with one atomic script per step, polled every 50 ms."""

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
        # EVALSHA, loaded into Redis on the first NOSCRIPT (nothing is sent here)
        self._take = self.red.register_script(_TAKE)
        self._poll = self.red.register_script(_POLL)
        self._give_back = self.red.register_script(_GIVE_BACK)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock; waits ``poll_seconds`` between attempts unless told otherwise.

        Yields the lock as Rasa's does (its first ticket is ours). Raises ``LockError``
        when the ticket cannot be taken, or when the lock is gone while waiting.
        """
        wait = self.poll_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        ticket, current = self._take_ticket(conversation_id, lock_lifetime)
        try:
            while current.is_locked(ticket):
                await asyncio.sleep(wait)
                polled = self._poll_lock(conversation_id)
                if polled is None:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}'."
                    )
                current = polled
            logger.debug(f"Acquired lock for conversation '{conversation_id}'.")
            yield current
        finally:
            self.cleanup(conversation_id, ticket)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Take the next ticket in one atomic step; ``LockError`` if Redis fails."""
        return self._take_ticket(conversation_id, lock_lifetime)[0]

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets: the lock written back only when one was dropped, deleted
        when none is left."""
        self._poll_lock(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; the key is deleted when no ticket remains."""
        self._give_back(
            keys=[self.key_prefix + conversation_id],
            args=[int(ticket_number), repr(time.time()), json.dumps(conversation_id)],
        )

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Rasa's finish_serving and delete-if-nobody-waits, in one step."""
        self.finish_serving(conversation_id, ticket_number)

    def _take_ticket(self, conversation_id: str, lock_lifetime: float) -> tuple[int, TicketLock]:
        """The new ticket's number and the lock with it, as Rasa's issue_ticket would."""
        now = time.time()
        try:
            number, raw = self._take(
                keys=[self.key_prefix + conversation_id],
                args=[repr(now), repr(float(now + lock_lifetime)), json.dumps(conversation_id)],
            )
        except Exception as error:  # as Rasa's issue_ticket does
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(number), TicketLock.from_dict(json.loads(raw))

    def _poll_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The lock after dropping its expired tickets; None when it is gone."""
        return _parse(
            self._poll(
                keys=[self.key_prefix + conversation_id],
                args=[repr(time.time()), json.dumps(conversation_id)],
            )
        )
