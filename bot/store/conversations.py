"""Conversation records: who handles it, its status, the transcript, the latest assist.

Each conversation is a hash (``kefu:conv:<id>``, read as a
:class:`~bot.store.conversation_records.ConversationRecord`) with lists and hashes beside
it; every change that touches more than one key is one MULTI/EXEC transaction, so a
reader never sees half of it. The transcript here is what the agent console shows; the
Rasa tracker (same conversation id) holds the same turns as events.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional

from bot.store import keys
from bot.store.conversation_records import ConversationRecord, RecentConversation

STATUSES = ("new", "active", "waiting", "closed")
_CLOSE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'closed' then return 'closed' end
redis.call('HSET', KEYS[1], 'status', 'closed', 'closed_at', ARGV[1], 'closed_by', ARGV[2],
           'resolution', ARGV[3], 'note', ARGV[4], 'updated', ARGV[1])
return 'ok'
"""
_RATE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'closed' then return 0 end
return redis.call('HSETNX', KEYS[1], 'rating', ARGV[1])
"""
RESOLUTIONS = ("resolved", "referred", "unresolved")
LIVE_SESSION_TTL = 30 * 24 * 3600  # a customer's browser may come back for a month
_WAITING = """
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'active' then redis.call('HSET', KEYS[1], 'status', 'waiting') end
return status
"""
# What the customer's widget is to receive as ``bot_uttered`` (the outbox, ``:outbox``) and
# how much of it has been delivered (``:delivered``), for conversations of the live channel
# only: a REST platform's conversation has no socket to deliver to.
_QUEUE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
"""
# Everything not delivered yet, marked delivered in the same step: two servers (or a
# resume and a reply) can never both take the same item. The two keys' lifetimes are
# renewed together; a count beyond the outbox (it expired and began again) starts over.
_TAKE = """
local done = tonumber(redis.call('GET', KEYS[2]) or '0')
if done > redis.call('LLEN', KEYS[1]) then done = 0; redis.call('DEL', KEYS[2]) end
local unseen = redis.call('LRANGE', KEYS[1], done, -1)
if #unseen > 0 then redis.call('SET', KEYS[2], done + #unseen, 'EX', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
"""
_CLAIM = _TAKE + "return unseen\n"
# A resumed session: the claim above, and the transcript and status at that same moment.
_RESUME = (
    _TAKE
    + """
local messages = redis.call('LRANGE', KEYS[3], -tonumber(ARGV[2]), -1)
local record = redis.call('HMGET', KEYS[4], 'status', 'rating')
return {unseen, messages, record[1] or '', record[2] or ''}
"""
)


@dataclass(frozen=True)
class Tail:
    """The newest messages of a transcript: ``messages[0]`` is message number ``first``
    of ``total``."""

    total: int
    first: int
    messages: List[Dict[str, Any]]


@dataclass(frozen=True)
class Resumed:
    """A customer's session taken up again: what they have not received yet (claimed for
    them), and the newest messages, status and rating at that same moment."""

    unseen: List[Dict[str, Any]]
    messages: List[Dict[str, Any]]
    status: str
    rated: bool


def _decode(data: Mapping[bytes, bytes]) -> Dict[str, str]:
    return {k.decode(): v.decode() for k, v in data.items()}


class Conversations:
    """Conversation records in Redis (``redis.asyncio`` client)."""

    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis

    async def get(self, cid: str) -> Optional[ConversationRecord]:
        data = await self._redis.hgetall(keys.conversation(cid))
        return ConversationRecord.from_hash(_decode(data), cid) if data else None

    async def create(self, cid: str, customer_id: str = "", agent: str = "") -> ConversationRecord:
        """Create the record if it does not exist; return it either way (``agent``, when
        given, has claimed it)."""
        now = f"{time.time():.3f}"
        record = {
            "id": cid,
            "status": "active" if agent else "new",
            "agent": agent,
            "customer_id": customer_id,
            "created": now,
            "updated": now,
        }
        created = await self._redis.hsetnx(keys.conversation(cid), "id", cid)
        if created:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(keys.conversation(cid), mapping=record)
                pipe.zadd(keys.CONVERSATIONS, {cid: time.time()})
                await pipe.execute()
        return ConversationRecord.from_hash(
            _decode(await self._redis.hgetall(keys.conversation(cid))), cid
        )

    async def claim(self, cid: str, username: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                keys.conversation(cid),
                mapping={"agent": username, "status": "active", "updated": f"{time.time():.3f}"},
            )
            pipe.zadd(keys.CONVERSATIONS, {cid: time.time()})
            await pipe.execute()

    async def record_customer_turn(
        self,
        cid: str,
        text: str,
        assist: Mapping[str, Any],
        suggestions: List[Mapping[str, Any]],
        options: List[Mapping[str, Any]],
        case: Mapping[str, Any],
        escalated: bool = False,
    ) -> int:
        """The customer's message and the assist it produced, all at once; returns the
        message's index in the transcript. ``escalated`` (decided by the caller with
        :func:`bot.assist.escalation.escalated`) marks the conversation for good."""
        now = time.time()
        message = {"role": "customer", "text": text, "ts": round(now, 3)}
        analysis = assist.get("analysis") or {}
        if analysis.get("sentiment"):
            message["sentiment"] = analysis["sentiment"]
        if analysis.get("intent"):
            message["intent"] = (analysis["intent"] or {}).get("name")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(
                keys.conversation_part(cid, "messages"), json.dumps(message, ensure_ascii=False)
            )
            pipe.set(keys.conversation_part(cid, "assist"), json.dumps(assist, ensure_ascii=False))
            if suggestions:
                pipe.hset(
                    keys.conversation_part(cid, "suggestions"),
                    mapping={s["id"]: json.dumps(s, ensure_ascii=False) for s in suggestions},
                )
            if options:
                pipe.hset(
                    keys.conversation_part(cid, "options"),
                    mapping={o["id"]: json.dumps(o, ensure_ascii=False) for o in options},
                )
            if case:
                pipe.set(keys.conversation_part(cid, "case"), json.dumps(case, ensure_ascii=False))
            summary = {"updated": f"{now:.3f}"}
            if analysis.get("sentiment"):
                summary["sentiment"] = analysis["sentiment"].get("label") or "neutral"
                summary["score"] = f"{float(analysis['sentiment'].get('score') or 0):.3f}"
            if analysis.get("complaint_type"):
                summary["complaint_type"] = analysis["complaint_type"]
            if escalated:
                summary["escalated"] = "1"  # stays once set
            pipe.hset(keys.conversation(cid), mapping=summary)
            pipe.zadd(keys.CONVERSATIONS, {cid: now})
            results = await pipe.execute()
        # waiting for the agent's answer (a new conversation stays new until claimed)
        await self._redis.eval(_WAITING, 1, keys.conversation(cid))
        return int(results[0]) - 1

    async def record_agent_reply(
        self, cid: str, message: Mapping[str, Any], *, to_customer: bool = True
    ) -> None:
        """The agent's reply into the transcript and, with ``to_customer``, into the live
        customer's outbox (:meth:`claim_unseen`), both at once. ``to_customer=False``: it
        already reached the customer another way (relayed while Redis was away)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(
                keys.conversation_part(cid, "messages"), json.dumps(message, ensure_ascii=False)
            )
            pipe.hset(
                keys.conversation(cid),
                mapping={"updated": f"{time.time():.3f}", "status": "active"},
            )
            if to_customer:
                self._queue(pipe, cid, {"text": message["text"]})
            await pipe.execute()

    def _queue(self, client: Any, cid: str, payload: Mapping[str, Any]) -> Any:
        return client.eval(
            _QUEUE,
            3,
            keys.live_session(cid),
            keys.conversation_part(cid, "outbox"),
            keys.conversation_part(cid, "delivered"),
            json.dumps(payload, ensure_ascii=False),
            LIVE_SESSION_TTL,
        )

    async def queue_for_customer(self, cid: str, payload: Mapping[str, Any]) -> bool:
        """Put a ``bot_uttered`` payload in the live customer's outbox; False when the
        conversation is not a live-chat session (nobody to deliver to)."""
        return bool(await self._queue(self._redis, cid, payload))

    async def claim_unseen(self, cid: str) -> List[Dict[str, Any]]:
        """What the customer has not received yet, oldest first, now marked delivered."""
        raw = await self._redis.eval(
            _CLAIM,
            2,
            keys.conversation_part(cid, "outbox"),
            keys.conversation_part(cid, "delivered"),
            LIVE_SESSION_TTL,
        )
        return [json.loads(item) for item in raw]

    async def resume(self, cid: str, last: int) -> Resumed:
        """:meth:`claim_unseen` and the ``last`` newest messages, status and rating, read in
        one step (nothing recorded in between can be in one and missing from the other)."""
        unseen, messages, status, rating = await self._redis.eval(
            _RESUME,
            4,
            keys.conversation_part(cid, "outbox"),
            keys.conversation_part(cid, "delivered"),
            keys.conversation_part(cid, "messages"),
            keys.conversation(cid),
            LIVE_SESSION_TTL,
            last,
        )
        return Resumed(
            unseen=[json.loads(item) for item in unseen],
            messages=[json.loads(item) for item in messages],
            status=(status.decode() if isinstance(status, bytes) else status) or "new",
            rated=bool(rating),
        )

    async def record_offer(self, cid: str, option_id: str) -> List[str]:
        """Mark an option as offered to the customer; returns every offered option."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(keys.conversation_part(cid, "offered"), option_id)
            pipe.smembers(keys.conversation_part(cid, "offered"))
            _, offered = await pipe.execute()
        return sorted(member.decode() for member in offered)

    async def record_answer(self, cid: str, option_id: str, answer: str) -> None:
        """The customer's answer to an option (``accepted`` / ``declined``); the last counts."""
        await self._redis.hset(keys.conversation_part(cid, "answers"), option_id, answer)

    async def offers(self, cid: str) -> Dict[str, str]:
        """Each option offered or answered: ``offered``, or the customer's last answer."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.smembers(keys.conversation_part(cid, "offered"))
            pipe.hgetall(keys.conversation_part(cid, "answers"))
            offered, answers = await pipe.execute()
        found = {member.decode(): "offered" for member in sorted(offered)}
        found.update(_decode(answers))
        return found

    async def close(self, cid: str, username: str, resolution: str, note: str = "") -> str:
        """Close once: ``ok``, or ``closed`` (already) or ``missing``."""
        result = await self._redis.eval(
            _CLOSE, 1, keys.conversation(cid), f"{time.time():.3f}", username, resolution, note
        )
        return result.decode() if isinstance(result, bytes) else result

    async def rate(self, cid: str, score: int) -> bool:
        """The customer's 1–5 rating of a closed conversation, kept once."""
        return bool(await self._redis.eval(_RATE, 1, keys.conversation(cid), str(score)))

    async def issue_live_session(self, session_id: str) -> None:
        """Remember a session id the live channel gave a customer's browser."""
        await self._redis.set(keys.live_session(session_id), "1", ex=LIVE_SESSION_TTL)

    async def resume_live_session(self, session_id: str) -> bool:
        """True (and the session kept longer) when this channel issued ``session_id``."""
        return bool(await self._redis.expire(keys.live_session(session_id), LIVE_SESSION_TTL))

    async def messages(self, cid: str, last: Optional[int] = None) -> List[Dict[str, Any]]:
        """The transcript, oldest first: all of it, or only the ``last`` newest messages
        (what reading it costs then does not grow with the conversation)."""
        start = -last if last else 0
        raw = await self._redis.lrange(keys.conversation_part(cid, "messages"), start, -1)
        return [json.loads(item) for item in raw]

    async def tail(self, cid: str, last: int) -> Tail:
        """The ``last`` newest messages and how many there are, read together."""
        key = keys.conversation_part(cid, "messages")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.llen(key)
            pipe.lrange(key, -last, -1)
            total, raw = await pipe.execute()
        return Tail(int(total), int(total) - len(raw), [json.loads(item) for item in raw])

    async def message(self, cid: str, index: int) -> Optional[Dict[str, Any]]:
        """One message by its index in the transcript (0 is the first)."""
        if index < 0:
            return None
        raw = await self._redis.lindex(keys.conversation_part(cid, "messages"), index)
        return json.loads(raw) if raw else None

    async def _json(self, cid: str, part: str) -> Optional[Dict[str, Any]]:
        raw = await self._redis.get(keys.conversation_part(cid, part))
        return json.loads(raw) if raw else None

    async def assist(self, cid: str) -> Optional[Dict[str, Any]]:
        return await self._json(cid, "assist")

    async def case(self, cid: str) -> Optional[Dict[str, Any]]:
        return await self._json(cid, "case")

    async def _item(self, cid: str, part: str, item_id: str) -> Optional[Dict[str, Any]]:
        raw = await self._redis.hget(keys.conversation_part(cid, part), item_id)
        return json.loads(raw) if raw else None

    async def suggestions(self, cid: str) -> Dict[str, Dict[str, Any]]:
        """Every suggestion the conversation was shown, by id."""
        raw = await self._redis.hgetall(keys.conversation_part(cid, "suggestions"))
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def suggestion(self, cid: str, suggestion_id: str) -> Optional[Dict[str, Any]]:
        return await self._item(cid, "suggestions", suggestion_id)

    async def option(self, cid: str, option_id: str) -> Optional[Dict[str, Any]]:
        return await self._item(cid, "options", option_id)

    async def recent(self, limit: int = 200) -> List[RecentConversation]:
        """The most recently updated conversations, newest first, each with its last message."""
        ids = [
            cid.decode() for cid in await self._redis.zrevrange(keys.CONVERSATIONS, 0, limit - 1)
        ]
        async with self._redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hgetall(keys.conversation(cid))
                pipe.lindex(keys.conversation_part(cid, "messages"), -1)
            replies = await pipe.execute()
        return [
            RecentConversation(
                ConversationRecord.from_hash(_decode(record), cid),
                json.loads(last) if last else None,
            )
            for cid, record, last in zip(ids, replies[::2], replies[1::2])
            if record
        ]
