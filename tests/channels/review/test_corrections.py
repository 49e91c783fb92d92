"""Corrections and suggestion ratings (bot/channels/review/corrections.py): who may send
them and every refusal in words, in-process (tests/channels/inprocess.py)."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio

from bot.services import get_services
from tests.helpers.api import check
from tests.helpers.staff import SUPERVISORS_ONLY, staff_api

pytestmark = pytest.mark.asyncio(loop_scope="module")
PATHS = ("/review/corrections", "/review/suggestion-ratings")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(redis_server, tmp_path_factory):
    staff = {"agent1": "agent", "super1": "supervisor"}
    async with staff_api(redis_server, tmp_path_factory.mktemp("corrections"), staff) as api:
        yield api


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cid(api) -> str:
    """A conversation: a customer message (turn 0) with one suggestion shown, the
    agent's reply (turn 1)."""
    cid = f"c-{uuid.uuid4().hex[:12]}"
    conversations = get_services().conversations
    await conversations.create(cid, agent="agent1")
    shown = [{"id": "s1", "technique": "empathy", "text": "很抱歉", "stage": "acknowledge"}]
    await conversations.record_customer_turn(cid, "東西壞了", {}, shown, [], {})
    reply = {"role": "agent", "text": "很抱歉", "ts": 1.0, "agent": "agent1"}
    await conversations.record_agent_reply(cid, reply)
    return cid


@pytest.mark.parametrize("path", PATHS)
async def test_only_supervisors_and_up_may_send_feedback(api, path):
    assert (await api.call("POST", path, None, {}))[0] == 401
    status, body = await api.call("POST", path, "agent1", {})
    assert status == 403 and body["error"] == SUPERVISORS_ONLY  # before the body is read
    check(body, "Error")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("data, word", [(b"", "空的"), (b"{oops", "JSON"), (b"[1]", "JSON 物件")])
async def test_a_body_that_is_no_json_object_is_400(api, path, data, word):
    status, body = await api.raw("POST", path, "super1", data)
    assert status == 400 and word in body["error"]


@pytest.mark.parametrize(
    "change, word",
    [
        ({"conversation_id": None}, "conversation_id"),
        ({"conversation_id": "a b"}, "conversation_id"),
        ({"turn": -1}, "turn"),
        ({"turn": True}, "turn"),
        ({"turn": "0"}, "turn"),
        ({"complaint_type": "complaint_weather"}, "complaint_type"),
        ({"sentiment": "angry"}, "sentiment"),
        ({"complaint_type": None, "sentiment": None}, "至少"),
    ],
)
async def test_a_bad_correction_is_400(api, cid, change, word):
    correction = {"conversation_id": cid, "turn": 0, "complaint_type": "complaint_defect"}
    status, body = await api.call("POST", "/review/corrections", "super1", {**correction, **change})
    assert status == 400 and word in body["error"], body
    check(body, "Error")


async def test_only_a_customer_message_is_corrected(api, cid):
    for turn in (1, 2):  # the agent's reply; past the end
        correction = {"conversation_id": cid, "turn": turn, "sentiment": "negative"}
        status, body = await api.call("POST", "/review/corrections", "super1", correction)
        assert status == 404 and f"第 {turn} 則" in body["error"]
    correction = {"conversation_id": cid, "turn": 0, "sentiment": "negative"}
    status, body = await api.call("POST", "/review/corrections", "super1", correction)
    assert status == 200 and body["by"] == "super1" and body["complaint_type"] is None
    check(body, "Correction")


@pytest.mark.parametrize(
    "change, status, word",
    [
        ({"suggestion_id": None}, 400, "suggestion_id"),
        ({"verdict": "meh"}, 400, "verdict"),
        ({"reason": "  "}, 400, "reason"),
        ({"reason": "太" * 501}, 413, "500"),
        ({"suggestion_id": "s9"}, 404, "s9"),
    ],
)
async def test_a_bad_rating_is_refused_in_words(api, cid, change, status, word):
    rating = {"conversation_id": cid, "suggestion_id": "s1", "verdict": "bad"}
    answer = await api.call("POST", "/review/suggestion-ratings", "super1", {**rating, **change})
    assert answer[0] == status and word in answer[1]["error"], answer
    check(answer[1], "Error")


async def test_a_rating_with_the_longest_reason_is_kept(api, cid):
    rating = {"conversation_id": cid, "suggestion_id": "s1", "verdict": "bad", "reason": "太" * 500}
    status, body = await api.call("POST", "/review/suggestion-ratings", "super1", rating)
    assert status == 200 and body["verdict"] == "bad" and body["by"] == "super1"
