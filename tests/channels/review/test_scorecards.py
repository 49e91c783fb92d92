"""A verdict on a QA item and the coaching view (bot/channels/review/scorecards.py): who
may call them and every refusal in words, in-process (tests/channels/inprocess.py). The
scoring itself: tests/channels/test_qa_routes.py."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio

from tests.helpers.api import check
from tests.helpers.staff import SUPERVISORS_ONLY, staff_api

pytestmark = pytest.mark.asyncio(loop_scope="module")
VERDICT = {"criterion": "closing", "met": True}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(redis_server, tmp_path_factory):
    staff = {"agent1": "agent", "super1": "supervisor"}
    async with staff_api(redis_server, tmp_path_factory.mktemp("scorecards"), staff) as api:
        yield api


@pytest.mark.parametrize(
    "method, path, body",
    [("POST", "/review/conversations/c-1/qa", VERDICT), ("GET", "/review/qa", None)],
)
async def test_only_supervisors_and_up_see_and_override_scorecards(api, method, path, body):
    assert (await api.call(method, path, None, body))[0] == 401
    status, answer = await api.call(method, path, "agent1", body)
    assert status == 403 and answer["error"] == SUPERVISORS_ONLY
    check(answer, "Error")


@pytest.mark.parametrize(
    "change, status, word",
    [
        ({"criterion": "tone"}, 400, "criterion"),
        ({"met": "yes"}, 400, "met"),
        ({"met": 1}, 400, "met"),
        ({"note": "好" * 501}, 413, "500"),
    ],
)
async def test_a_bad_verdict_is_refused_in_words(api, change, status, word):
    path = "/review/conversations/c-1/qa"
    answer = await api.call("POST", path, "super1", {**VERDICT, **change})
    assert answer[0] == status and word in answer[1]["error"], answer
    check(answer[1], "Error")
    no_met = {"criterion": "closing"}
    status, body = await api.call("POST", path, "super1", no_met)
    assert status == 400 and "met" in body["error"]


async def test_a_conversation_not_yet_scored_is_404_and_a_bad_id_400(api):
    cid = f"c-{uuid.uuid4().hex[:12]}"
    status, body = await api.call("POST", f"/review/conversations/{cid}/qa", "super1", VERDICT)
    assert status == 404 and "評分表" in body["error"]
    status, body = await api.call("POST", "/review/conversations/a%20b/qa", "super1", VERDICT)
    assert status == 400 and "conversation_id" in body["error"]


@pytest.mark.parametrize(
    "query, word",
    [
        ("from=2026-13-01", "YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-01", "開始日期"),
        ("agent=a%20b", "agent"),
    ],
)
async def test_coaching_with_a_bad_period_or_agent_is_400(api, query, word):
    status, body = await api.call("GET", f"/review/qa?{query}", "super1")
    assert status == 400 and word in body["error"]
    status, body = await api.call("GET", "/review/qa?from=2026-11-20&to=2026-11-21", "super1")
    assert status == 200
    check(body, "QaCoaching")
