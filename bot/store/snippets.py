"""Agents' own saved snippets for the reply library (bot/assist/library.py).

One hash per agent (``kefu:snippets:<account>``): snippet id → JSON ``{"id", "text",
"created"}``. At most ``limit`` per agent, checked and written in one Lua script, so two
saves at once cannot pass it. The text is checked before it gets here
(:func:`bot.assist.library.check_snippet`).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any, Dict, List, Optional

from bot.store import keys

MAX_SNIPPETS = 50

_ADD = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


class TooManySnippets(Exception):
    """The agent already keeps the most snippets allowed."""


def snippets_key(username: str) -> str:
    account = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{keys.PREFIX}:snippets:{account}"


def _decode(value: Any) -> Optional[Dict[str, Any]]:
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("text"), str) else None


class Snippets:
    def __init__(self, redis, limit: int = MAX_SNIPPETS) -> None:  # noqa: ANN001
        self._redis = redis
        self._add = redis.register_script(_ADD)
        self.limit = limit

    async def add(self, username: str, text: str) -> Dict[str, Any]:
        """Keep ``text`` for ``username``; raises :class:`TooManySnippets` at the limit."""
        snippet = {"id": "sn-" + uuid.uuid4().hex[:12], "text": text, "created": time.time()}
        value = json.dumps(snippet, ensure_ascii=False)
        added = await self._add(
            keys=[snippets_key(username)], args=[snippet["id"], value, self.limit]
        )
        if not int(added):
            raise TooManySnippets(f"at most {self.limit} snippets per agent")
        return snippet

    async def delete(self, username: str, snippet_id: str) -> bool:
        return bool(await self._redis.hdel(snippets_key(username), snippet_id))

    async def all(self, username: str) -> List[Dict[str, Any]]:
        """The agent's snippets, oldest first (one that cannot be read is left out)."""
        found = []
        for value in (await self._redis.hgetall(snippets_key(username))).values():
            snippet = _decode(value)
            if snippet is not None:
                found.append(snippet)
        return sorted(found, key=lambda s: (float(s.get("created") or 0), str(s.get("id"))))
