"""The review list and KPI routes in-process (no model): the answers they give from the
aggregates are, byte for byte, those they give from the scan of the stream (which they
still use while the aggregates are being rebuilt)."""

from __future__ import annotations

import json

import pytest

from bot.channels.review import add_routes
from bot.log import aggregates
from bot.services import get_services
from tests.helpers.routes import Api, routes_served, signed_in
from tests.log.test_kpis import EVENTS, ev, message

PERIOD = "from=2026-11-20&to=2026-11-22"
QUERIES = [
    (f"/review/conversations?{PERIOD}", "super1"),
    (f"/review/conversations?{PERIOD}&agent=agent1", "super1"),
    (f"/review/conversations?{PERIOD}&outcome=referred", "super1"),
    (f"/review/conversations?{PERIOD}&outcome=open", "super1"),
    (f"/review/conversations?{PERIOD}&sentiment=neutral", "super1"),
    (f"/review/conversations?{PERIOD}&complaint_type=complaint_defect&agent=agent1", "super1"),
    ("/review/conversations?from=2026-11-21&to=2026-11-21&agent=agent3", "super1"),
    (f"/kpis?{PERIOD}", "super1"),
    (f"/kpis?{PERIOD}&agent=agent2", "super1"),
    ("/kpis?from=2026-11-21&to=2026-11-21", "agent3"),
    (f"/kpis?{PERIOD}", "agent1"),
    (f"/kpis.csv?{PERIOD}", "super1"),
]
# a third conversation that runs past midnight and changes hands
LATE = [
    message(0, -0.6, cid="c3", complaint="complaint_delay", t=86_000, agent="agent1"),
    message(1, 0.3, cid="c3", complaint="complaint_delay", t=86_500, agent="agent3"),
    ev("rated", cid="c3", t=87_000, agent=None, rating=2),
]


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    users = {"agent1": "agent", "agent2": "agent", "agent3": "agent", "super1": "supervisor"}
    tokens = await signed_in(redis_client, users)
    services = get_services()
    edited = {"similarity": 0.8, "text": "好的"}  # what test_review's pure tests leave out
    logged = [{**e, **edited} if e["action"] == "edited" else e for e in [*EVENTS, *LATE]]
    await services.outcomes.append_many(logged)
    async with routes_served(add_routes) as base:
        yield Api(base, tokens)


async def test_the_routes_answer_the_same_from_the_aggregates_as_from_the_stream(api):
    services = get_services()
    assert await services.outcome_views.live()
    from_aggregates = [await api.text(path, user) for path, user in QUERIES]
    await services.redis.hset(aggregates.META, "state", "rebuilding")  # as during a rebuild
    assert not await services.outcome_views.live()
    from_the_stream = [await api.text(path, user) for path, user in QUERIES]
    for (path, user), mine, theirs in zip(QUERIES, from_aggregates, from_the_stream):
        assert mine[0] == 200, (path, mine)
        assert mine == theirs, (path, user)
    listed = json.loads(from_aggregates[0][1])["conversations"]
    assert [row["conversation_id"] for row in listed] == ["c2", "c3", "c1"]
    mine = json.loads(from_aggregates[9][1])  # agent3 took c3 over after midnight
    assert mine["agent"] == "agent3" and mine["conversations"] == 1
