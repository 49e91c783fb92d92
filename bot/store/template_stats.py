"""How often each reply template was shown and used, per complaint type.

One hash per complaint type (``kefu:tstats:<complaint type>``, ``any`` when it is not
known) with two counters per template: ``<template id>:shown`` and
``<template id>:used``. Counting is HINCRBY, atomic in Redis, so concurrent turns never
lose a count. :func:`bot.assist.learning.thompson_ranker` turns the counts into an order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Mapping, Optional

from bot.store import keys


@dataclass(frozen=True)
class TemplateStats:
    """How often a template was shown, and used (sent as is or edited), in one complaint type.

    ``used`` is clamped to ``0 … shown`` (a "used" may be counted before its "shown"
    reaches the store); negative counts become 0.
    """

    shown: int
    used: int

    def __post_init__(self) -> None:
        shown = max(0, int(self.shown))
        object.__setattr__(self, "shown", shown)
        object.__setattr__(self, "used", min(max(0, int(self.used)), shown))


_SHOWN = "shown"
_USED = "used"


def _key(complaint_type: Optional[str]) -> str:
    name = keys.check_id(complaint_type, "complaint type") if complaint_type else "any"
    return f"{keys.PREFIX}:tstats:{name}"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _parse(data: Mapping[object, object]) -> Dict[str, TemplateStats]:
    counts: Dict[str, Dict[str, int]] = {}
    for field, value in data.items():
        template_id, _, kind = _text(field).rpartition(":")
        if template_id and kind in (_SHOWN, _USED):
            counts.setdefault(template_id, {})[kind] = int(_text(value))
    return {
        template_id: TemplateStats(shown=count.get(_SHOWN, 0), used=count.get(_USED, 0))
        for template_id, count in counts.items()
    }


class TemplateStatsStore:
    """Template counts in Redis (``redis.asyncio`` client)."""

    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis

    async def record_shown(
        self, complaint_type: Optional[str], template_ids: Iterable[str]
    ) -> None:
        """Count one showing of each template (the suggestions of one turn)."""
        ids = [keys.check_id(template_id, "template id") for template_id in template_ids]
        if not ids:
            return
        key = _key(complaint_type)
        async with self._redis.pipeline(transaction=True) as pipe:
            for template_id in ids:
                pipe.hincrby(key, f"{template_id}:{_SHOWN}", 1)
            await pipe.execute()

    async def record_used(self, complaint_type: Optional[str], template_id: str) -> None:
        """Count one use of a template: the agent sent it, as it was or edited."""
        field = f"{keys.check_id(template_id, 'template id')}:{_USED}"
        await self._redis.hincrby(_key(complaint_type), field, 1)

    async def stats(self, complaint_type: Optional[str]) -> Dict[str, TemplateStats]:
        """Every template's counts in this complaint type, keyed by template id."""
        return _parse(await self._redis.hgetall(_key(complaint_type)))
