"""Profiles read back from the demo data in a real Redis."""

from __future__ import annotations

import datetime as dt

from bot.demo import load
from bot.store.profiles import Profiles
from tests.conftest import ROOT


async def test_orders_and_customers_read_back(redis_client, aioredis):
    load(redis_client, ROOT / "data/demo", {"agent", "senior_agent", "supervisor", "manager"}, "pw")
    profiles = Profiles(aioredis)
    order = await profiles.order("kf20261102001")  # order ids are case-insensitive
    assert order.customer_id == "C001" and order.value == order.cost + order.margin
    assert "吹風機" in order.products
    assert order.facts().delivered == order.delivered
    customer = await profiles.customer(order.customer_id)
    assert customer.title == "王先生" and customer.tier == "gold"
    assert customer.birthday == dt.date(1986, 11, 30)
    assert await profiles.order("KF00000000000") is None
    assert await profiles.order(None) is None
    assert await profiles.customer("") is None


async def test_a_customer_keeps_the_newest_three_summaries(redis_client, aioredis):
    load(redis_client, ROOT / "data/demo", {"agent", "senior_agent", "supervisor", "manager"}, "pw")
    profiles = Profiles(aioredis)
    assert (await profiles.customer("C002")).past_summaries == ()
    for n in range(5):
        await profiles.remember_summary("C002", {"conversation_id": f"c-{n}", "text": f"第 {n} 次"})
    past = (await profiles.customer("C002")).past_summaries
    assert [p["conversation_id"] for p in past] == ["c-4", "c-3", "c-2"]
