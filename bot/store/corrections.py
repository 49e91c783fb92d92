"""Supervisors' corrections of the assistant: a message's labels, a suggestion's verdict.

One hash each (``kefu:corrections``, ``kefu:suggestion_ratings``), field
``<conversation id>:<turn or suggestion id>``: a later correction of the same message
replaces the earlier one. The message text kept here is already masked.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping

from bot.store import keys

CORRECTIONS = f"{keys.PREFIX}:corrections"
SUGGESTION_RATINGS = f"{keys.PREFIX}:suggestion_ratings"


class Corrections:
    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis

    async def correct(self, record: Mapping[str, Any]) -> None:
        field = f"{record['conversation_id']}:{record['turn']}"
        await self._redis.hset(CORRECTIONS, field, json.dumps(record, ensure_ascii=False))

    async def rate_suggestion(self, record: Mapping[str, Any]) -> None:
        field = f"{record['conversation_id']}:{record['suggestion_id']}"
        await self._redis.hset(SUGGESTION_RATINGS, field, json.dumps(record, ensure_ascii=False))

    async def corrections(self) -> List[Dict[str, Any]]:
        return _values(await self._redis.hgetall(CORRECTIONS))

    async def suggestion_ratings(self) -> List[Dict[str, Any]]:
        return _values(await self._redis.hgetall(SUGGESTION_RATINGS))

    async def of_conversation(self, cid: str) -> Dict[str, List[Dict[str, Any]]]:
        return {
            "corrections": [r for r in await self.corrections() if r["conversation_id"] == cid],
            "suggestion_ratings": [
                r for r in await self.suggestion_ratings() if r["conversation_id"] == cid
            ],
        }


def _values(raw: Mapping[bytes, bytes]) -> List[Dict[str, Any]]:
    records = [json.loads(value) for value in raw.values()]
    return sorted(records, key=lambda r: (r.get("at", 0), r["conversation_id"]))
