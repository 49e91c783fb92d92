"""The review list and one reviewed conversation (bot/channels/review/conversations.py):
who may call them and every refusal in words, in-process (tests/channels/inprocess.py)."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio

from bot.services import get_services
from tests.helpers.api import check
from tests.helpers.staff import SUPERVISORS_ONLY, staff_api

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(redis_server, tmp_path_factory):
    staff = {"agent1": "agent", "senior1": "senior_agent", "super1": "supervisor"}
    async with staff_api(redis_server, tmp_path_factory.mktemp("review"), staff) as api:
        yield api


@pytest.mark.parametrize("path", ["/review/conversations", "/review/conversations/c-1"])
async def test_only_supervisors_and_up_may_review(api, path):
    status, body = await api.call("GET", path, None)
    assert status == 401 and "登入" in body["error"]
    check(body, "Error")
    for below in ("agent1", "senior1"):
        status, body = await api.call("GET", path, below)
        assert status == 403 and body["error"] == SUPERVISORS_ONLY, below
    status, body = await api.call("GET", "/review/conversations", "super1")
    assert status == 200 and body["problems"] == []


@pytest.mark.parametrize(
    "query, word",
    [
        ("from=2026-13-01", "YYYY-MM-DD"),
        ("to=yesterday", "YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-01", "開始日期"),
        ("from=2020-01-01&to=2026-11-01", "366"),
        ("complaint_type=complaint_weather", "complaint_type"),
        ("sentiment=angry", "sentiment"),
        ("outcome=maybe", "outcome"),
        ("agent=a%20b", "agent"),
    ],
)
async def test_bad_filters_get_a_clear_400(api, query, word):
    status, body = await api.call("GET", f"/review/conversations?{query}", "super1")
    assert status == 400 and word in body["error"]
    check(body, "Error")


async def test_the_longest_period_is_366_days(api):
    status, body = await api.call(
        "GET", "/review/conversations?from=2025-11-01&to=2026-11-01", "super1"
    )
    assert status == 200 and (body["from"], body["to"]) == ("2025-11-01", "2026-11-01")
    status, _ = await api.call(
        "GET", "/review/conversations?from=2025-10-31&to=2026-11-01", "super1"
    )
    assert status == 400


async def test_a_conversation_with_nothing_stored_is_404_and_a_bad_id_400(api):
    cid = f"c-{uuid.uuid4().hex[:12]}"
    status, body = await api.call("GET", f"/review/conversations/{cid}", "super1")
    assert status == 404 and cid in body["error"]
    check(body, "Error")
    status, body = await api.call("GET", "/review/conversations/a%20b", "super1")
    assert status == 400 and "conversation_id" in body["error"]
    # one customer message is enough to be reviewed
    await get_services().conversations.record_customer_turn(cid, "你好", {}, [], [], {})
    status, body = await api.call("GET", f"/review/conversations/{cid}", "super1")
    assert status == 200 and [t["role"] for t in body["turns"]] == ["customer"]
    assert body["qa"] is None and body["summary"]["conversation_id"] == cid
