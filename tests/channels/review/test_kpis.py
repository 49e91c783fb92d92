"""The KPIs (bot/channels/review/kpis.py): an agent sees only their own figures, a
supervisor anyone's, and every refusal in words, in-process (tests/channels/inprocess.py).
That the figures agree with the log: tests/channels/test_review_routes.py."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.helpers.api import check
from tests.helpers.staff import staff_api

pytestmark = pytest.mark.asyncio(loop_scope="module")
PATHS = ("/kpis", "/kpis.csv")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(redis_server, tmp_path_factory):
    staff = {
        "agent1": "agent",
        "agent2": "agent",
        "senior1": "senior_agent",
        "super1": "supervisor",
    }
    async with staff_api(redis_server, tmp_path_factory.mktemp("kpis"), staff) as api:
        yield api


@pytest.mark.parametrize("path", PATHS)
async def test_anyone_signed_in_may_ask_only_for_their_own_figures(api, path):
    status, body = await api.call("GET", path, None)
    assert status == 401 and "登入" in body["error"]
    for caller in ("agent2", "senior1"):
        status, body = await api.call("GET", f"{path}?agent=agent1", caller)
        assert status == 403 and body["error"] == "客服只能查看自己的數據", caller
        check(body, "Error")
    status, _ = await api.text(f"{path}?agent=agent2", "agent2")
    assert status == 200


async def test_an_agent_gets_their_own_and_a_supervisor_everyones_or_one_agents(api):
    status, mine = await api.call("GET", "/kpis", "agent2")
    assert status == 200 and mine["agent"] == "agent2"
    check(mine, "Kpis")
    status, everyone = await api.call("GET", "/kpis", "super1")
    assert status == 200 and everyone["agent"] is None
    status, theirs = await api.call("GET", "/kpis?agent=agent1", "super1")
    assert status == 200 and theirs["agent"] == "agent1"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "query, word",
    [
        ("from=2026-13-01", "YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-01", "開始日期"),
        ("from=2020-01-01&to=2026-11-01", "366"),
        ("agent=a%20b", "agent"),
    ],
)
async def test_a_bad_period_or_agent_is_400(api, path, query, word):
    status, body = await api.call("GET", f"{path}?{query}", "super1")
    assert status == 400 and word in body["error"]
    check(body, "Error")
