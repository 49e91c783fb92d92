"""Compensation grants and approval requests, safe under concurrency.

Budgets are spent in Redis by Lua scripts, so checking what is left and spending it is
one atomic step: any number of concurrent grants against one budget never overspend it.
Every grant request carries an idempotency key; the first answer is stored under it and
a retry with the same key gets the same answer and changes nothing. A grant beyond the
caller's authority opens an approval request (the tracking table of 002 O2.2.1, docs/domain.md#o2-2-1: what,
who asked, when, who must decide, the decision, who, when).

What comes back are typed records (:class:`Grant`, :class:`Approval`, :class:`Answer`),
no HTTP status and no sentence for people: the channel decides how to say them.
Records written by earlier versions (an idempotency answer kept as
``{"fingerprint", "status": 200 | 403, "body": …}``, and that same answer pushed to a
conversation's grants list) are still read, by :meth:`Answer.from_stored` and
:meth:`Grant.from_stored`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Mapping as MappingABC
from dataclasses import asdict, dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from bot.store import keys

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


class _FieldsAsMapping(MappingABC):
    """A record also reads as a read-only mapping of its fields (``grant["option_id"]``,
    ``approval.get("status")``): the readers that took this store's dicts
    (bot/assist/summary.py, bot/assist/closing.py) read records unchanged until they move
    to attributes."""

    def __getitem__(self, name: str) -> Any:
        if name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Grant(_FieldsAsMapping):
    """Compensation given in a conversation: directly, or by an approval (``approval_id``
    and ``requested_by`` then say which and who asked)."""

    conversation_id: str
    option_id: str
    label: str
    cost: int
    granted_by: str
    granted_at: float
    approval_id: Optional[str] = None
    requested_by: Optional[str] = None

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> "Grant":
        """A grant as stored now, as an earlier version stored an approved one (with
        ``granted: true``), or as it stored a direct one (its whole idempotent answer)."""
        if "fingerprint" in data and "body" in data:
            data = data["body"]
        return cls(
            conversation_id=str(data["conversation_id"]),
            option_id=str(data["option_id"]),
            label=str(data["label"]),
            cost=int(data["cost"]),
            granted_by=str(data["granted_by"]),
            granted_at=float(data["granted_at"]),
            approval_id=data.get("approval_id") or None,
            requested_by=data.get("requested_by") or None,
        )

    def stored(self) -> Dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ApprovalOpened:
    """An approval request opened for a grant beyond the caller's authority."""

    approval_id: str
    approver: str
    reason: str
    limits: Tuple[str, ...]

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> "ApprovalOpened":
        return cls(
            approval_id=str(data["approval_id"]),
            approver=str(data["approver"]),
            reason=str(data["reason"]),
            limits=tuple(data.get("limits") or ()),
        )

    def stored(self) -> Dict[str, Any]:
        return {**asdict(self), "limits": list(self.limits)}


@dataclass(frozen=True)
class Answer:
    """What a grant request came to, kept under its idempotency key: a retry with the
    same key (and the same request, ``fingerprint``) gets it again. Exactly one of
    ``grant`` and ``opened`` is set."""

    fingerprint: str
    grant: Optional[Grant] = None
    opened: Optional[ApprovalOpened] = None

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> "Answer":
        """Also an earlier version's ``{"fingerprint", "status": 200 | 403, "body"}``."""
        fingerprint = str(data["fingerprint"])
        if "status" in data:  # written by an earlier version
            if int(data["status"]) == 200:
                return cls(fingerprint, grant=Grant.from_stored(data["body"]))
            return cls(fingerprint, opened=ApprovalOpened.from_stored(data["body"]))
        if data.get("grant") is not None:
            return cls(fingerprint, grant=Grant.from_stored(data["grant"]))
        return cls(fingerprint, opened=ApprovalOpened.from_stored(data["opened"]))

    def stored(self) -> Dict[str, Any]:
        if self.grant is not None:
            return {"fingerprint": self.fingerprint, "grant": self.grant.stored()}
        assert self.opened is not None
        return {"fingerprint": self.fingerprint, "opened": self.opened.stored()}


@dataclass(frozen=True)
class Approval(_FieldsAsMapping):
    """An approval request as tracked (hash ``kefu:approval:<id>``)."""

    id: str
    conversation_id: str
    option_id: str
    label: str
    cost: int
    requested_by: str
    requested_at: float
    approver: str
    reason: str
    limits: Tuple[str, ...]
    status: str  # pending, approved, denied
    decided_by: Optional[str] = None
    decided_at: Optional[float] = None

    @classmethod
    def from_hash(cls, data: Mapping[str, str]) -> "Approval":
        return cls(
            id=data["id"],
            conversation_id=data["conversation_id"],
            option_id=data["option_id"],
            label=data["label"],
            cost=int(data["cost"]),
            requested_by=data["requested_by"],
            requested_at=float(data["requested_at"]),
            approver=data["approver"],
            reason=data["reason"],
            limits=tuple(limit for limit in data.get("limits", "").split(",") if limit),
            status=data["status"],
            decided_by=data.get("decided_by") or None,
            decided_at=float(data["decided_at"]) if data.get("decided_at") else None,
        )


@dataclass(frozen=True)
class Outcome:
    """What a grant or a decision came to.

    ``status``: granted, replay (the answer kept for an earlier request with the same
    key), already (this option was already granted in the conversation), over (the
    budget would be overspent; ``spent`` says how much is gone), opened (an approval
    request), approved, denied, decided (someone decided before; ``decided`` says how),
    missing. ``answer``: with granted, replay and opened.
    """

    status: str
    answer: Optional[Answer] = None
    spent: int = 0
    decided: Optional[str] = None


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
