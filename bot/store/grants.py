"""Compensation grants and approval requests, safe under concurrency.

Budgets are spent in Redis by Lua scripts, so checking what is left and spending it is
one atomic step: any number of concurrent grants against one budget never overspend it.
Every grant request carries an idempotency key; the first answer is stored under it and
a retry with the same key gets the same answer and changes nothing. A grant beyond the
caller's authority opens an approval request (the tracking table of 002 O2.2.1, docs/domain.md#o2-2-1: what,
who asked, when, who must decide, the decision, who, when).

What comes back are the typed records of bot/store/grant_records.py (:class:`Grant`,
:class:`Approval`, :class:`Answer`), no HTTP status and no sentence for people: the
channel decides how to say them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from typing import Any, Dict, List, Mapping, Optional

from bot.store import keys
from bot.store.grant_records import Answer, Approval, ApprovalOpened, Grant, Outcome

TAIPEI = dt.timezone(dt.timedelta(hours=8))  # Taiwan has no daylight saving time
IDEMPOTENCY_TTL = 7 * 24 * 3600
BUDGET_TTL = 3 * 24 * 3600


def today(now: Optional[float] = None) -> dt.date:
    """The business day in Taiwan."""
    return dt.datetime.fromtimestamp(now if now is not None else time.time(), TAIPEI).date()


def fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


# The spend both a grant and an approval do, on the same keys: KEYS[2] the budget,
# KEYS[3] the conversation's granted set, KEYS[4] its grants list; the locals option,
# cost, budget, record and budget_ttl are set by the script around it.
_SPEND = """
if redis.call('SISMEMBER', KEYS[3], option) == 1 then return {'already', ''} end
local spent = tonumber(redis.call('GET', KEYS[2]) or '0')
if spent + cost > budget then return {'over', tostring(spent)} end
redis.call('INCRBY', KEYS[2], cost)
redis.call('EXPIRE', KEYS[2], budget_ttl)
redis.call('SADD', KEYS[3], option)
redis.call('RPUSH', KEYS[4], record)
"""

# KEYS: idempotency, budget, conversation's granted set, conversation's grants list
# ARGV: cost, daily budget, answer kept under the key (json), option id, idem ttl,
#       budget ttl, the grant record (json)
_GRANT = (
    """
local prev = redis.call('GET', KEYS[1])
if prev then return {'replay', prev} end
local cost, budget, record = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[7]
local option, budget_ttl = ARGV[4], tonumber(ARGV[6])
"""
    + _SPEND
    + """
redis.call('SET', KEYS[1], ARGV[3], 'EX', tonumber(ARGV[5]))
return {'granted', ARGV[3]}
"""
)

# KEYS: idempotency, approval hash, approvals index, the conversation's approvals index
# ARGV: stored answer (json), approval fields (json), approval id, time, idem ttl
_OPEN_APPROVAL = """
local prev = redis.call('GET', KEYS[1])
if prev then return {'replay', prev} end
local fields = cjson.decode(ARGV[2])
for k, v in pairs(fields) do redis.call('HSET', KEYS[2], k, v) end
redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[3])
redis.call('ZADD', KEYS[4], tonumber(ARGV[4]), ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[5]))
return {'opened', ARGV[1]}
"""

# KEYS: approval hash, decider's budget, conversation's granted set, conversation's grants list
# ARGV: decision, cost, decider's daily budget, grant record (json), option id, decider, time, budget ttl
_DECIDE = (
    """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing', ''} end
if status ~= 'pending' then return {'decided', status} end
if ARGV[1] == 'deny' then
  redis.call('HSET', KEYS[1], 'status', 'denied', 'decided_by', ARGV[6], 'decided_at', ARGV[7])
  return {'denied', ''}
end
local cost, budget, record = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local option, budget_ttl = ARGV[5], tonumber(ARGV[8])
"""
    + _SPEND
    + """
redis.call('HSET', KEYS[1], 'status', 'approved', 'decided_by', ARGV[6], 'decided_at', ARGV[7])
return {'approved', ''}
"""
)


def _decode_pair(result) -> tuple:  # noqa: ANN001
    status, payload = result
    status = status.decode() if isinstance(status, bytes) else status
    payload = payload.decode() if isinstance(payload, bytes) else payload
    return status, payload


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


def _decode_hash(data: Mapping[bytes, bytes]) -> Dict[str, str]:
    return {k.decode(): v.decode() for k, v in data.items()}


class Grants:
    """Budgets, grants and approvals in Redis (``redis.asyncio`` client)."""

    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis
        self._grant = redis.register_script(_GRANT)
        self._open = redis.register_script(_OPEN_APPROVAL)
        self._decide = redis.register_script(_DECIDE)

    async def spent(self, username: str, day: dt.date) -> int:
        return int(await self._redis.get(keys.budget(username, day.isoformat())) or 0)

    async def stored_answer(self, username: str, key: str) -> Optional[Answer]:
        raw = await self._redis.get(keys.idempotency(username, key))
        return Answer.from_stored(json.loads(raw)) if raw else None

    async def grant(
        self,
        *,
        username: str,
        idempotency_key: str,
        request_fingerprint: str,
        cid: str,
        option: Mapping[str, Any],
        daily_budget: int,
        day: dt.date,
    ) -> Outcome:
        grant = Grant(
            conversation_id=cid,
            option_id=option["id"],
            label=option["label"],
            cost=int(option["cost"]),
            granted_by=username,
            granted_at=round(time.time(), 3),
        )
        answer = Answer(request_fingerprint, grant=grant)
        result = await self._grant(
            keys=[
                keys.idempotency(username, idempotency_key),
                keys.budget(username, day.isoformat()),
                keys.conversation_part(cid, "granted"),
                keys.conversation_part(cid, "grants"),
            ],
            args=[
                grant.cost,
                daily_budget,
                _json(answer.stored()),
                option["id"],
                IDEMPOTENCY_TTL,
                BUDGET_TTL,
                _json(grant.stored()),
            ],
        )
        status, payload = _decode_pair(result)
        if status in ("granted", "replay"):
            return Outcome(status, Answer.from_stored(json.loads(payload)))
        return Outcome(status, spent=int(payload or 0))

    async def open_approval(
        self,
        *,
        username: str,
        idempotency_key: str,
        request_fingerprint: str,
        cid: str,
        option: Mapping[str, Any],
        approver: str,
        reason: str,
        limits: List[str],
    ) -> Outcome:
        now = time.time()
        approval_id = uuid.uuid4().hex[:16]
        fields = {
            "id": approval_id,
            "conversation_id": cid,
            "option_id": option["id"],
            "label": option["label"],
            "cost": str(option["cost"]),
            "requested_by": username,
            "requested_at": f"{now:.3f}",
            "approver": approver,
            "reason": reason,
            "limits": ",".join(limits),
            "status": "pending",
            "decided_by": "",
            "decided_at": "",
        }
        opened = ApprovalOpened(approval_id, approver, reason, tuple(limits))
        result = await self._open(
            keys=[
                keys.idempotency(username, idempotency_key),
                keys.approval(approval_id),
                keys.APPROVALS,
                keys.conversation_part(cid, "approvals"),
            ],
            args=[
                _json(Answer(request_fingerprint, opened=opened).stored()),
                _json(fields),
                approval_id,
                now,
                IDEMPOTENCY_TTL,
            ],
        )
        status, payload = _decode_pair(result)
        return Outcome(status, Answer.from_stored(json.loads(payload)))

    async def approval(self, approval_id: str) -> Optional[Approval]:
        data = await self._redis.hgetall(keys.approval(approval_id))
        return Approval.from_hash(_decode_hash(data)) if data else None

    async def approvals(self, limit: int = 200, cid: Optional[str] = None) -> List[Approval]:
        """The newest approval requests, all or one conversation's."""
        index = keys.APPROVALS if cid is None else keys.conversation_part(cid, "approvals")
        ids = await self._redis.zrevrange(index, 0, limit - 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for approval_id in ids:
                pipe.hgetall(keys.approval(approval_id.decode()))
            rows = await pipe.execute()
        return [Approval.from_hash(_decode_hash(row)) for row in rows if row]

    async def decide(
        self,
        *,
        approval: Approval,
        decision: str,
        username: str,
        daily_budget: int,
        day: dt.date,
    ) -> Outcome:
        """``decision``: approve (the grant spends ``username``'s budget) or deny."""
        cid = approval.conversation_id
        grant = Grant(
            conversation_id=cid,
            option_id=approval.option_id,
            label=approval.label,
            cost=approval.cost,
            granted_by=username,
            granted_at=round(time.time(), 3),
            approval_id=approval.id,
            requested_by=approval.requested_by,
        )
        result = await self._decide(
            keys=[
                keys.approval(approval.id),
                keys.budget(username, day.isoformat()),
                keys.conversation_part(cid, "granted"),
                keys.conversation_part(cid, "grants"),
            ],
            args=[
                decision,
                approval.cost,
                daily_budget,
                _json(grant.stored()),
                approval.option_id,
                username,
                f"{grant.granted_at:.3f}",
                BUDGET_TTL,
            ],
        )
        status, payload = _decode_pair(result)
        if status == "over":
            return Outcome(status, spent=int(payload or 0))
        if status == "decided":
            return Outcome(status, decided=payload or None)
        return Outcome(status)

    async def granted(self, cid: str) -> List[Grant]:
        """What the conversation was granted, oldest first."""
        raw = await self._redis.lrange(keys.conversation_part(cid, "grants"), 0, -1)
        return [Grant.from_stored(json.loads(item)) for item in raw]
