"""Each conversation's tracker events as an append-only Redis list: the layout, and the
Lua scripts that read and append it atomically.

Keys (``<p>`` is the tracker store's ``key_prefix``, ``kefu``)::

    <p>:tracker-events:<sender id>   list: one JSON event per item, oldest first
    <p>:tracker-meta:<sender id>     hash: ``epoch`` (a random id, new whenever the list
                                     starts again from empty) and ``session`` (the index
                                     of the last ``action_session_start``)
    <p>:tracker:<sender id>          Rasa's own layout (one JSON string per
                                     conversation): read once, rewritten here, deleted

Appending names the index where the new events are expected to go (how many events the
writer's tracker was read with). Items already stored from that index on are compared,
as strings, with the ones being appended, and only those not yet there are pushed: a
retried save, or the same events saved by two servers, are stored once; events that
another server appended meanwhile stay where they are and ours follow them. Reading
names what the reader already holds (epoch and length), and gets only what came after.

Failures: :class:`redis.exceptions.RedisError` from the client, as is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Union

import redis

_READ = """
local n = redis.call('LLEN', KEYS[1])
if n == 0 then
  if redis.call('EXISTS', KEYS[3]) == 1 then return {'legacy'} end
  return {'none'}
end
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'session')
local epoch = meta[1] or ''
local session = tonumber(meta[2] or '0')
local need = session
if ARGV[4] == '1' then need = 0 end
local from = need
if ARGV[1] ~= '' and ARGV[1] == epoch and tonumber(ARGV[2]) <= need
   and tonumber(ARGV[3]) <= n then
  from = tonumber(ARGV[3])
end
return {'ok', epoch, session, n, from, redis.call('LRANGE', KEYS[1], from, -1)}
"""

_APPEND = """
local n = redis.call('LLEN', KEYS[1])
if n == 0 and redis.call('EXISTS', KEYS[3]) == 1 then return {'legacy'} end
local position = tonumber(ARGV[1])
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if position > n or (ARGV[2] ~= '' and ARGV[2] ~= epoch) then return {'stale'} end
if n == 0 or not epoch then
  epoch = ARGV[3]
  redis.call('HSET', KEYS[2], 'epoch', epoch, 'session', '0')
end
local starts = {}
local nstarts = tonumber(ARGV[5])
for i = 1, nstarts do starts[tonumber(ARGV[5 + i])] = true end
local seen = {}
if n > position then
  for _, item in ipairs(redis.call('LRANGE', KEYS[1], position, -1)) do seen[item] = true end
end
local first = 6 + nstarts
local batch, pushed, session = {}, 0, nil
for i = first, #ARGV do
  local item = ARGV[i]
  if not seen[item] then
    seen[item] = true
    if starts[i - first] then session = n + pushed end
    batch[#batch + 1] = item
    pushed = pushed + 1
    if #batch == 1000 then
      redis.call('RPUSH', KEYS[1], unpack(batch))
      batch = {}
    end
  end
end
if #batch > 0 then redis.call('RPUSH', KEYS[1], unpack(batch)) end
if session then redis.call('HSET', KEYS[2], 'session', session) end
local ttl = tonumber(ARGV[4])
if ttl > 0 and (n + pushed) > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return {'ok', epoch, n + pushed, pushed}
"""

_MIGRATE = """
if redis.call('LLEN', KEYS[1]) > 0 or redis.call('GET', KEYS[3]) ~= ARGV[3] then
  return 0
end
local batch = {}
for i = 4, #ARGV do
  batch[#batch + 1] = ARGV[i]
  if #batch == 1000 then
    redis.call('RPUSH', KEYS[1], unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('RPUSH', KEYS[1], unpack(batch)) end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'session', ARGV[2])
local ttl = redis.call('PTTL', KEYS[3])
redis.call('DEL', KEYS[3])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
"""


@dataclass(frozen=True)
class Read:
    """Items ``start`` … ``length - 1`` of the list, and where its last session begins."""

    epoch: str
    session: int
    length: int
    start: int
    items: List[bytes]


@dataclass(frozen=True)
class Appended:
    epoch: str
    length: int
    pushed: int


class Legacy:
    """Only Rasa's old one-string layout holds this conversation: migrate it first."""


class Stale:
    """The list is not the one the writer read (emptied, expired or started again)."""


LEGACY, STALE = Legacy(), Stale()


def _text(value: Union[bytes, str]) -> str:
    return value.decode() if isinstance(value, bytes) else value


class EventLog:
    """The Redis side of the append-only tracker store, for one key prefix."""

    def __init__(self, client: redis.StrictRedis, key_prefix: Optional[str]) -> None:
        # Rasa's RedisTrackerStore ignores a prefix that is not alphanumeric; so do we
        base = f"{key_prefix}:" if key_prefix and key_prefix.isalnum() else ""
        self.red = client
        self.events_prefix = f"{base}tracker-events:"
        self.meta_prefix = f"{base}tracker-meta:"
        self.legacy_prefix = f"{base}tracker:"  # Rasa's RedisTrackerStore
        self._read = client.register_script(_READ)
        self._append = client.register_script(_APPEND)
        self._migrate = client.register_script(_MIGRATE)

    def _keys(self, sender_id: str) -> List[str]:
        return [
            self.events_prefix + sender_id,
            self.meta_prefix + sender_id,
            self.legacy_prefix + sender_id,
        ]

    def read(
        self,
        sender_id: str,
        *,
        whole: bool,
        epoch: str = "",
        start: int = 0,
        length: int = 0,
    ) -> Union[Read, Legacy, None]:
        """The events from the last session's start (or from the first, ``whole``).

        A reader that holds items ``start`` … ``length - 1`` of list ``epoch`` gets only
        the items after them when those are still what it needs.
        """
        reply = self._read(
            keys=self._keys(sender_id), args=[epoch, start, length, "1" if whole else "0"]
        )
        status = _text(reply[0])
        if status == "legacy":
            return LEGACY
        if status == "none":
            return None
        return Read(_text(reply[1]), int(reply[2]), int(reply[3]), int(reply[4]), reply[5])

    def append(
        self,
        sender_id: str,
        items: Sequence[str],
        *,
        position: int,
        epoch: str,
        session_starts: Sequence[int],
        ttl: int,
    ) -> Union[Appended, Legacy, Stale]:
        """Append those of ``items`` not stored from ``position`` on.

        ``session_starts`` are the indices within ``items`` of session starts; ``epoch``
        is the list the writer read (empty: any). ``ttl`` > 0 sets both keys to expire.
        """
        reply = self._append(
            keys=self._keys(sender_id),
            args=[
                position,
                epoch,
                uuid.uuid4().hex,
                ttl,
                len(session_starts),
                *session_starts,
                *items,
            ],
        )
        status = _text(reply[0])
        if status == "legacy":
            return LEGACY
        if status == "stale":
            return STALE
        return Appended(_text(reply[1]), int(reply[2]), int(reply[3]))

    def read_legacy(self, sender_id: str) -> Optional[bytes]:
        return self.red.get(self.legacy_prefix + sender_id)

    def migrate(self, sender_id: str, legacy: bytes, items: Sequence[str], session: int) -> bool:
        """Replace the old string ``legacy`` by ``items``, unless another server did it
        already (or the old string changed meanwhile); keeps the old key's expiry."""
        return bool(
            self._migrate(
                keys=self._keys(sender_id),
                args=[uuid.uuid4().hex, session, legacy, *items],
            )
        )

    def exists(self, sender_id: str) -> bool:
        keys = self._keys(sender_id)
        return bool(self.red.exists(keys[0], keys[2]))

    def sender_ids(self) -> Iterator[str]:
        """Every conversation, in either layout (SCAN, not KEYS: Redis stays responsive)."""
        seen = set()
        for prefix in (self.events_prefix, self.legacy_prefix):
            for key in self.red.scan_iter(match=prefix + "*", count=1000):
                sender_id = _text(key)[len(prefix) :]
                if sender_id not in seen:
                    seen.add(sender_id)
                    yield sender_id

    def delete(self, sender_id: str) -> None:
        self.red.delete(*self._keys(sender_id))
