"""The review list and KPI routes in-process (no model): the answers they give from the
aggregates are, byte for byte, those they give from the scan of the stream (which they
still use while the aggregates are being rebuilt)."""

from __future__ import annotations

import json
import uuid

import aiohttp
import pytest
from sanic import Blueprint, Sanic

from bot.channels.review import add_routes
from bot.log import aggregates
from bot.services import get_services
from bot.store.accounts import Account, save_account_sync
from tests.conftest import free_port
from tests.log.test_review import EVENTS, ev, message

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


class Api:
    def __init__(self, base: str, tokens: dict) -> None:
        self.base, self.tokens = base, tokens

    async def get(self, path: str, user: str) -> tuple:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        async with aiohttp.ClientSession() as session:
            async with session.get(self.base + path, headers=headers) as answer:
                return answer.status, await answer.text()


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    users = {"agent1": "agent", "agent2": "agent", "agent3": "agent", "super1": "supervisor"}
    for username, role in users.items():
        save_account_sync(redis_client, Account(username, username, role), "pw")
    Sanic.test_mode = True
    app = Sanic(f"review_{uuid.uuid4().hex[:8]}")
    bp = Blueprint("assist_webhook", url_prefix="/webhooks/assist")
    add_routes(bp)
    app.blueprint(bp)
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    services = get_services()
    tokens = {user: (await services.accounts.login(user, "pw"))[0] for user in users}
    edited = {"similarity": 0.8, "text": "好的"}  # what test_review's pure tests leave out
    logged = [{**e, **edited} if e["action"] == "edited" else e for e in [*EVENTS, *LATE]]
    await services.outcomes.append_many(logged)
    yield Api(f"http://127.0.0.1:{port}/webhooks/assist", tokens)
    server.close()
    await server.wait_closed()


async def test_the_routes_answer_the_same_from_the_aggregates_as_from_the_stream(api):
    services = get_services()
    assert await services.outcome_views.live()
    from_aggregates = [await api.get(path, user) for path, user in QUERIES]
    await services.redis.hset(aggregates.META, "state", "rebuilding")  # as during a rebuild
    assert not await services.outcome_views.live()
    from_the_stream = [await api.get(path, user) for path, user in QUERIES]
    for (path, user), mine, theirs in zip(QUERIES, from_aggregates, from_the_stream):
        assert mine[0] == 200, (path, mine)
        assert mine == theirs, (path, user)
    listed = json.loads(from_aggregates[0][1])["conversations"]
    assert [row["conversation_id"] for row in listed] == ["c2", "c3", "c1"]
    mine = json.loads(from_aggregates[9][1])  # agent3 took c3 over after midnight
    assert mine["agent"] == "agent3" and mine["conversations"] == 1
