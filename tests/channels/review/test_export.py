"""The raw log and the NLU export (bot/channels/review/export.py): who may take them out
and every refusal in words, in-process (tests/channels/inprocess.py)."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
import yaml

from tests.helpers.api import check
from tests.helpers.staff import SUPERVISORS_ONLY, staff_api

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(redis_server, tmp_path_factory):
    staff = {"agent1": "agent", "super1": "supervisor"}
    async with staff_api(redis_server, tmp_path_factory.mktemp("export"), staff) as api:
        yield api


@pytest.mark.parametrize("path", ["/log", "/log?conversation_id=x", "/export/nlu"])
async def test_only_supervisors_and_up_take_the_log_out(api, path):
    assert (await api.call("GET", path, None))[0] == 401
    status, body = await api.call("GET", path, "agent1")
    assert status == 403 and body["error"] == SUPERVISORS_ONLY
    check(body, "Error")


@pytest.mark.parametrize(
    "query, word",
    [
        ("conversation_id=a%20b", "conversation_id"),
        ("from=2026-13-01", "YYYY-MM-DD"),
        ("from=2026-11-20&to=2026-11-01", "開始日期"),
    ],
)
async def test_a_bad_conversation_or_period_is_400(api, query, word):
    status, body = await api.call("GET", f"/log?{query}", "super1")
    assert status == 400 and word in body["error"]
    check(body, "Error")


async def test_an_unknown_conversation_has_no_events_and_the_export_is_yaml(api):
    cid = f"c-{uuid.uuid4().hex[:12]}"
    status, body = await api.call("GET", f"/log?conversation_id={cid}", "super1")
    assert status == 200 and body == {"events": [], "problems": []}
    status, text = await api.text("/export/nlu", "super1")  # no model: no intents known
    assert status == 200 and yaml.safe_load(text)["nlu"] == []
