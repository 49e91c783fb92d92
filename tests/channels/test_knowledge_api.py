"""Knowledge articles on the REST assist API, against the running system and the schema."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers.api import call, check

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def token(system):
    status, body = call(
        system, "POST", "/login", {"username": "agent1", "password": system["password"]}
    )
    assert status == 200, body
    return body["token"]


def turn(system, token, cid, text):
    status, answer = call(system, "POST", "/webhook", {"sender": cid, "message": text}, token)
    assert status == 200, answer
    check(answer, "Assist")
    return answer


def test_a_question_brings_its_article_and_small_talk_none(system, token):
    cid = "c-" + uuid.uuid4().hex[:12]
    answer = turn(system, token, cid, "請問發票可以打統編嗎？我們公司要報帳")
    first = answer["knowledge"][0]
    assert first["id"] == "invoice"
    assert first["title"] == "電子發票與統編"
    assert "統一發票使用辦法" in first["source"] and "統編" in first["text"]

    answer = turn(system, token, cid, "信用卡刷退大概多久會入帳？")
    assert answer["knowledge"][0]["id"] == "refund_timing"

    assert turn(system, token, cid, "好的，謝謝你")["knowledge"] == []

    # the console's view of the conversation carries the latest turn's articles
    status, detail = call(system, "GET", f"/conversations/{cid}", token=token)
    assert status == 200
    check(detail, "Conversation")
    assert detail["assist"]["knowledge"] == []
