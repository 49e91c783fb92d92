"""``/health`` and ``/login`` (bot/channels/rest/session.py) in-process: a Rasa app with our
channels, a real Redis, no model."""

from __future__ import annotations

import pytest

from tests.channels.inprocess import assist_api
from tests.helpers.api import check


@pytest.fixture()
async def api(redis_server, redis_client, tmp_path):
    environ = {"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}
    async with assist_api(environ, redis_client) as api:
        yield api


async def test_health_needs_no_token_and_says_the_model_is_missing(api):
    status, body = await api.call("GET", "/health", None)
    assert status == 200 and body == {"status": "degraded", "redis": "ok", "model": False}
    check(body, "Health")


async def test_login_answers_the_role_and_whether_a_supervisor(api):
    for user, role, supervisor in (("agent1", "agent", False), ("super1", "supervisor", True)):
        status, body = await api.call("POST", "/login", None, {"username": user, "password": "pw"})
        assert status == 200, body
        check(body, "Login")
        assert (body["role"], body["supervisor"]) == (role, supervisor)


async def test_login_refuses_bad_credentials(api):
    assert (await api.refused("POST", "/login", None, {"username": "agent1", "password": "x"}))[
        0
    ] == 401
    assert (await api.refused("POST", "/login", None, {"username": "agent1"}))[0] == 400
    assert (await api.raw("POST", "/login", None, b"{not json"))[0] == 400
    assert (await api.raw("POST", "/login", None, b"[1, 2]"))[0] == 400


async def test_repeated_failures_are_throttled(api):
    wrong = {"username": "agent2", "password": "wrong"}
    statuses = [(await api.call("POST", "/login", None, wrong))[0] for _ in range(12)]
    assert statuses[0] == 401 and statuses[-1] == 429
    status, body = await api.refused(
        "POST", "/login", None, {"username": "agent2", "password": "pw"}
    )
    assert status == 429 and "後再試" in body["error"]


@pytest.mark.parametrize("token", [None, "forged-token", "x" * 300])
async def test_staff_routes_need_a_live_token(api, token):
    api.tokens["someone"] = token
    user = "someone" if token else None
    for method, path, body in [
        ("GET", "/conversations", None),
        ("POST", "/webhook", {"sender": "c1", "message": "你好"}),
        ("POST", "/reply", {"conversation_id": "c1", "text": "您好"}),
        ("GET", "/approvals", None),
        ("POST", "/compensation/grant", {"conversation_id": "c1"}),
    ]:
        status, answer = await api.refused(method, path, user, body)
        assert status == 401, (path, answer)
