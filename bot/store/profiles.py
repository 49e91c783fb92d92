"""Customer and order profiles (notes 4 and 6: docs/domain.md#note-4, #note-6): what the assistant knows about the case."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from bot.policy import CustomerFacts, OrderFacts
from bot.store import keys


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    title: str  # 稱謂: 王先生
    tier: str
    birthday: Optional[dt.date]
    preferences: Tuple[str, ...]
    past_complaints: int
    # the newest summaries of their closed conversations, newest first (masked, short)
    past_summaries: Tuple[Mapping[str, Any], ...] = ()

    def facts(self) -> CustomerFacts:
        return CustomerFacts(self.tier, self.birthday)


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    date: dt.date
    delivered: Optional[dt.date]
    status: str
    products: Tuple[str, ...]
    value: int
    cost: int
    margin: int

    def facts(self) -> OrderFacts:
        return OrderFacts(self.id, self.value, self.cost, self.margin, self.delivered)


def _date(value: Any) -> Optional[dt.date]:
    return dt.date.fromisoformat(str(value)) if value else None


def order_from_record(data: Dict[str, Any]) -> Order:
    return Order(
        id=data["id"],
        customer_id=data["customer"],
        date=_date(data["date"]),
        delivered=_date(data.get("delivered")),
        status=data["status"],
        products=tuple(item["product"] for item in data["items"]),
        value=int(data["value"]),
        cost=int(data["cost"]),
        margin=int(data["margin"]),
    )


def customer_from_record(data: Dict[str, Any]) -> Customer:
    return Customer(
        id=data["id"],
        name=data["name"],
        title=data["title"],
        tier=data.get("tier", "regular"),
        birthday=_date(data.get("birthday")),
        preferences=tuple(data.get("preferences") or ()),
        past_complaints=len(data.get("past_complaints") or ()),
    )


class Profiles:
    """Reads orders and customers from Redis (``redis.asyncio`` client)."""

    def __init__(self, redis) -> None:  # noqa: ANN001
        self._redis = redis

    async def order(self, order_id: Optional[str]) -> Optional[Order]:
        if not order_id:
            return None
        raw = await self._redis.get(keys.order(order_id))
        return order_from_record(json.loads(raw)) if raw else None

    async def customer(self, customer_id: Optional[str]) -> Optional[Customer]:
        if not customer_id:
            return None
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(keys.customer(customer_id))
            pipe.lrange(keys.customer_summaries(customer_id), 0, -1)
            raw, past = await pipe.execute()
        if not raw:
            return None
        customer = customer_from_record(json.loads(raw))
        return dataclasses.replace(customer, past_summaries=tuple(json.loads(p) for p in past))

    async def remember_summary(
        self, customer_id: str, entry: Mapping[str, Any], keep: int = 3
    ) -> None:
        """Keep a closed conversation's summary with the customer: the ``keep`` newest."""
        key = keys.customer_summaries(customer_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(key, 0, keep - 1)
            await pipe.execute()
