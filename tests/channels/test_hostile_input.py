"""Bad and hostile input against the running system, generated from docs/openapi.yaml.

Hypothesis draws request bodies from each route's own schema (well-formed but arbitrary)
and from arbitrary JSON (anything at all), and path ids with Redis key syntax and
newlines. Every answer must be one the route documents, never a 5xx; refusals must
change no budget, approval or conversation. Then the cases a generator would rarely hit:
oversize bodies, forged roles, expired tokens, password guessing, socket.io payloads.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request

import pytest
import redis
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from bot.store.accounts import Account, save_account_sync
from tests.helpers.api import SPEC, call, check
from tests.helpers.live import Customer, hang_up, wait_for

pytestmark = pytest.mark.model

HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON_ROUTES = [
    (path, method)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method == "post" and "requestBody" in operation and "{" not in path
]
# login is left to its own test (failed logins count towards the throttle); a valid
# webhook message runs the model (the API tests cover it)
ARBITRARY = [(p, m) for p, m in JSON_ROUTES if p != "/login"]
SCHEMA_DRAWN = [(p, m) for p, m in JSON_ROUTES if p not in ("/login", "/webhook")]
HOSTILE_IDS = st.sampled_from(
    ["a:b", "kefu:conv:x", "*", "x\ny", "x y", "", "a" * 65, "../etc", "%00", "長", "x?y", "x#y"]
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _schema(path: str, method: str) -> dict:
    body = SPEC["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return {**body, "components": SPEC["components"]}


def _documented(path: str, method: str) -> set:
    return {int(code) for code in SPEC["paths"][path][method]["responses"]} | {503}


@pytest.fixture(scope="module")
def tokens(system):
    return {
        user: call(system, "POST", "/login", {"username": user, "password": system["password"]})[1][
            "token"
        ]
        for user in ("agent1", "super1")
    }


@pytest.fixture(scope="module")
def store(system):
    client = redis.Redis(port=system["redis_port"])
    yield client
    client.close()


def snapshot(store) -> tuple:
    return (
        {k: store.get(k) for k in store.keys("kefu:budget:*")},
        store.zcard("kefu:approvals"),
        store.zcard("kefu:convs"),
    )


@pytest.mark.parametrize("path, method", ARBITRARY, ids=[p for p, _ in ARBITRARY])
def test_arbitrary_json_is_refused_with_a_documented_4xx_and_changes_nothing(
    system, tokens, store, path, method
):
    before = snapshot(store)

    @HYPOTHESIS
    @given(body=ANY_JSON)
    def probe(body):
        if isinstance(body, dict) and path == "/webhook" and {"sender", "message"} <= body.keys():
            return  # might be valid; the schema-based test covers it
        status, answer = call(system, "POST", path, body, tokens["super1"])
        assert status in _documented(path, method) and 400 <= status < 500, (body, status)
        check(answer, "Error")

    probe()
    assert snapshot(store) == before


@pytest.mark.parametrize("path, method", SCHEMA_DRAWN, ids=[p for p, _ in SCHEMA_DRAWN])
def test_bodies_drawn_from_the_schema_get_documented_answers(system, tokens, path, method):
    @HYPOTHESIS
    @given(body=from_schema(_schema(path, method)))
    def probe(body):
        status, answer = call(system, "POST", path, body, tokens["super1"])
        assert status in _documented(path, method) and status < 500, (body, status, answer)

    probe()


@HYPOTHESIS
@given(cid=HOSTILE_IDS, route=st.sampled_from(["", "/claim", "/close"]))
def test_ids_with_key_syntax_or_newlines_in_the_path_are_refused(system, tokens, cid, route):
    quoted = urllib.request.quote(cid, safe="")
    method = "GET" if route == "" else "POST"
    body = {"resolution": "resolved"} if route == "/close" else None
    status, answer = call(system, method, f"/conversations/{quoted}{route}", body, tokens["super1"])
    assert status in (400, 404, 405), (cid, status)
    assert "error" in answer


@HYPOTHESIS
@given(cid=HOSTILE_IDS)
def test_ids_with_key_syntax_in_bodies_are_refused(system, tokens, cid):
    for path, body in (
        ("/reply", {"conversation_id": cid, "text": "您好"}),
        ("/outcome", {"conversation_id": cid, "suggestion_id": cid, "action": "used"}),
        ("/compensation/grant", {"conversation_id": "c", "option_id": cid, "idempotency_key": cid}),
    ):
        status, _ = call(system, "POST", path, body, tokens["agent1"])
        assert status in (400, 404), (path, cid, status)


@pytest.mark.parametrize("path", [p for p, _ in JSON_ROUTES])
def test_bodies_over_the_size_limit_get_413(system, tokens, path):
    huge = json.dumps({"text": "好" * 20_000, "username": "x", "password": "y"}).encode()
    status, answer = call(system, "POST", path, None, tokens["super1"], raw=huge)
    assert status == 413 and "KB" in answer["error"]


def test_a_forged_role_in_the_body_changes_nothing(system, tokens, store):
    cid = f"forged-{time.time_ns()}"
    say = {
        "sender": cid,
        "message": "我上週買的吹風機用兩天就壞了",
        "metadata": {"role": "manager"},
    }
    assert call(system, "POST", "/webhook", say, tokens["agent1"])[0] == 200
    call(
        system,
        "POST",
        "/webhook",
        {"sender": cid, "message": "訂單編號 KF20261102001"},
        tokens["agent1"],
    )
    before = snapshot(store)
    grant = {
        "conversation_id": cid,
        "option_id": "full_refund",
        "idempotency_key": f"k-{cid}",
        "role": "manager",
        "agent": "super1",
        "within_authority": True,
    }
    status, answer = call(system, "POST", "/compensation/grant", grant, tokens["agent1"])
    assert status in (403, 404), answer  # beyond agent1's authority whatever the body says
    budgets, approvals, convs = snapshot(store)
    assert budgets == before[0]


def test_an_expired_token_is_refused(system, store):
    status, body = call(
        system, "POST", "/login", {"username": "agent2", "password": system["password"]}
    )
    assert status == 200
    token = body["token"]
    assert call(system, "GET", "/conversations", None, token)[0] == 200
    import hashlib

    key = f"kefu:token:{hashlib.sha256(token.encode()).hexdigest()}"
    assert store.exists(key)
    store.pexpire(key, 50)
    time.sleep(0.2)
    status, answer = call(system, "GET", "/conversations", None, token)
    assert status == 401 and "重新登入" in answer["error"]


def test_password_guessing_is_throttled_even_for_the_right_password(system, store):
    save_account_sync(store, Account("victim1", "測試", "agent"), "right-password")
    for _ in range(5):
        status, _ = call(system, "POST", "/login", {"username": "victim1", "password": "guess"})
        assert status == 401
    status, answer = call(
        system, "POST", "/login", {"username": "victim1", "password": "right-password"}
    )
    assert status == 429 and "秒後再試" in answer["error"]
    # other accounts from the same address still log in
    status, _ = call(
        system, "POST", "/login", {"username": "agent1", "password": system["password"]}
    )
    assert status == 200


async def test_malformed_and_huge_socket_payloads_are_ignored_or_refused(system):
    customer = Customer(system["base"])
    session_id = await customer.connect()
    for payload in (
        None,
        5,
        "text",
        [1, 2],
        {"message": 5},
        {"message": ["a"]},
        {"message": {"nested": "x"}},
        {"message": ""},
        {"message": "   "},
        {"session_id": "other", "message": "hi"},
    ):
        await customer.client.emit("user_uttered", payload)
    await customer.client.emit("session_request", {"session_id": {"$gt": ""}})
    await asyncio.sleep(1.0)
    assert customer.received == []  # nothing recorded, nothing answered
    store = redis.Redis(port=system["redis_port"])
    assert not store.exists(f"kefu:conv:{session_id}")
    # over the 64 KB socket.io limit: the connection is dropped, the server lives on
    await customer.client.emit("user_uttered", {"message": "好" * 40_000, "session_id": session_id})
    await asyncio.sleep(1.0)
    assert not store.exists(f"kefu:conv:{session_id}")
    store.close()
    await hang_up(customer.client)
    again = Customer(system["base"])
    fresh = await again.connect()
    await again.say(fresh, "我的外送餐點少了一樣")
    token = call(system, "POST", "/login", {"username": "super1", "password": system["password"]})[
        1
    ]["token"]
    await wait_for(lambda: call(system, "GET", f"/conversations/{fresh}", None, token)[0] == 200)
    await again.close()


def test_the_agent_namespace_refuses_forged_auth_payloads(system):
    async def attempt(auth):
        client = socketio.AsyncClient(reconnection=False)
        refused = []
        client.on("connect_error", lambda data: refused.append(data), namespace="/agent")
        task = asyncio.create_task(
            client.connect(system["base"], transports=["polling"], namespaces=["/agent"], auth=auth)
        )
        await wait_for(lambda: refused)
        task.cancel()
        await hang_up(client)
        return refused

    async def run():
        for auth in ({"token": {"$ne": ""}}, {"token": "x" * 10_000}, {"role": "supervisor"}):
            assert await attempt(auth)

    asyncio.run(run())
