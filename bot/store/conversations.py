"""Conversation records: who handles it, its status, the transcript, the latest assist.

Each conversation is a hash (``kefu:conv:<id>``) with lists and hashes beside it; every
change that touches more than one key is one MULTI/EXEC transaction, so a reader never
sees half of it. The transcript here is what the agent console shows; the Rasa tracker
(same conversation id) holds the same turns as events.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Mapping, Optional

from bot.store import keys

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


def _decode(data: Mapping[bytes, bytes]) -> Dict[str, str]:
    return {k.decode(): v.decode() for k, v in data.items()}


class Conversations:
    """Conversation records in Redis (``redis.asyncio`` client)."""

    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis

    async def get(self, cid: str) -> Optional[Dict[str, str]]:
        data = await self._redis.hgetall(keys.conversation(cid))
        return _decode(data) if data else None

    async def create(self, cid: str, customer_id: str = "", agent: str = "") -> Dict[str, str]:
        """Create the record if it does not exist; return it either way."""
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
        return await self.get(cid)

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
    ) -> int:
        """The customer's message and the assist it produced, all at once; returns the
        message's index in the transcript."""
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
            if analysis.get("escalated") or (analysis.get("escalation") or {}).get("flag"):
                summary["escalated"] = "1"  # stays once set
            pipe.hset(keys.conversation(cid), mapping=summary)
            pipe.zadd(keys.CONVERSATIONS, {cid: now})
            results = await pipe.execute()
        # waiting for the agent's answer (a new conversation stays new until claimed)
        await self._redis.eval(_WAITING, 1, keys.conversation(cid))
        return int(results[0]) - 1

    async def record_agent_reply(self, cid: str, message: Mapping[str, Any]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(
                keys.conversation_part(cid, "messages"), json.dumps(message, ensure_ascii=False)
            )
            pipe.hset(
                keys.conversation(cid),
                mapping={"updated": f"{time.time():.3f}", "status": "active"},
            )
            await pipe.execute()

    async def record_offer(self, cid: str, option_id: str) -> List[str]:
        """Mark an option as offered to the customer; returns every offered option."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(keys.conversation_part(cid, "offered"), option_id)
            pipe.smembers(keys.conversation_part(cid, "offered"))
            _, offered = await pipe.execute()
        return sorted(member.decode() for member in offered)

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

    async def messages(self, cid: str) -> List[Dict[str, Any]]:
        raw = await self._redis.lrange(keys.conversation_part(cid, "messages"), 0, -1)
        return [json.loads(item) for item in raw]

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

    async def recent(self, limit: int = 200) -> List[Dict[str, Any]]:
        """The most recently updated conversations, newest first, each with its last message."""
        ids = [
            cid.decode() for cid in await self._redis.zrevrange(keys.CONVERSATIONS, 0, limit - 1)
        ]
        async with self._redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hgetall(keys.conversation(cid))
                pipe.lindex(keys.conversation_part(cid, "messages"), -1)
            replies = await pipe.execute()
        rows: List[Dict[str, Any]] = []
        for record, last in zip(replies[::2], replies[1::2]):
            if record:
                row: Dict[str, Any] = _decode(record)
                row["last_message"] = json.loads(last) if last else None
                rows.append(row)
        return rows
