"""Supervisors' routes on the running system: the log, review, corrections, KPIs, the export.

One conversation with personal data in it is played through the REST API; afterwards
nothing of that data may be found in the stored outcome log. End-to-end flows only: who
may call each route and every refusal are tested in-process, in tests/channels/review/.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
import uuid

import pytest
import redis
import yaml

from tests.helpers.api import call, check

pytestmark = pytest.mark.model

PERSONAL = {
    "mobile": "0912-345-678",
    "email": "chen.mei@example.com",
    "national_id": "F223456789",
    "card": "4111 1111 1111 1111",
    "address": "台北市信義區松仁路100號5樓",
}


def raw(system, path: str, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(system["assist"] + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


@pytest.fixture(scope="module")
def tokens(system):
    return {
        user: call(system, "POST", "/login", {"username": user, "password": system["password"]})[1][
            "token"
        ]
        for user in ("agent1", "agent2", "super1")
    }


@pytest.fixture(scope="module")
def played(system, tokens):
    """One whole conversation through the API; returns its id and what was shown."""
    token = tokens["agent1"]
    cid = f"review-{uuid.uuid4().hex[:8]}"
    say = lambda text: call(  # noqa: E731
        system, "POST", "/webhook", {"sender": cid, "message": text}, token
    )
    first = say("我上週買的吹風機用兩天就壞了，真的很誇張，不處理我就去消基會")[1]
    say(f"訂單編號 KF20261102001，我的電話 {PERSONAL['mobile']}，email {PERSONAL['email']}")
    third = say(
        f"我明天出國就要用，身分證 {PERSONAL['national_id']}，刷的卡是 {PERSONAL['card']}，"
        f"請寄到{PERSONAL['address']}"
    )[1]
    used, dismissed = first["suggestions"][0], first["suggestions"][1]
    status, _ = call(
        system,
        "POST",
        "/reply",
        {
            "conversation_id": cid,
            "suggestion_id": used["id"],
            "text": used["text"] + f"我會打 {PERSONAL['mobile']} 跟您聯絡",
        },
        token,
    )
    assert status == 200
    assert (
        call(
            system,
            "POST",
            "/outcome",
            {"conversation_id": cid, "suggestion_id": dismissed["id"], "action": "dismissed"},
            token,
        )[0]
        == 200
    )
    within = next(o for o in third["compensation"] if o["within_authority"])
    grant = {"conversation_id": cid, "option_id": within["id"], "idempotency_key": "r-1"}
    assert call(system, "POST", "/compensation/grant", grant, token)[0] == 200
    assert call(system, "POST", "/compensation/grant", grant, token)[0] == 200  # a retry
    status, _ = call(
        system,
        "POST",
        f"/conversations/{cid}/close",
        {"resolution": "resolved", "note": f"已回電 {PERSONAL['mobile']}"},
        token,
    )
    assert status == 200
    return {"cid": cid, "used": used, "dismissed": dismissed, "within": within}


def test_every_step_is_in_the_log_once(system, tokens, played):
    status, body = call(
        system, "GET", f"/log?conversation_id={played['cid']}", None, tokens["super1"]
    )
    assert status == 200 and body["problems"] == []
    actions = [e["action"] for e in body["events"]]
    assert actions.count("message") == 3 and actions.count("shown") == 9
    assert actions.count("escalation") >= 1
    assert actions.count("edited") == 1 and actions.count("dismissed") == 1
    assert actions.count("granted") == 1  # the retried grant is logged once
    assert actions.count("closed") == 1
    edited = next(e for e in body["events"] if e["action"] == "edited")
    assert edited["suggestion_id"] == played["used"]["id"] and 0 < edited["similarity"] < 1
    assert "[手機]" in edited["text"]
    for event in body["events"]:
        check(event, "OutcomeEvent")


def test_no_personal_data_is_stored_in_the_log(system, played):
    client = redis.Redis(port=system["redis_port"])
    stored = json.dumps(
        [fields[b"event"].decode() for _, fields in client.xrange("kefu:outcomes")],
        ensure_ascii=False,
    )
    spool = system["data_dir"] / "spool"
    if spool.is_dir():
        stored += "".join(p.read_text(encoding="utf-8") for p in spool.iterdir())
    corrections = client.hgetall("kefu:corrections")
    stored += "".join(v.decode() for v in corrections.values())
    client.close()
    assert played["cid"] in stored
    for kind, value in PERSONAL.items():
        assert value not in stored, kind
        assert value.replace(" ", "").replace("-", "") not in stored, kind


def test_review_lists_filters_and_opens_the_conversation(system, tokens, played):
    token = tokens["super1"]
    status, body = call(system, "GET", "/review/conversations?agent=agent1", None, token)
    assert status == 200
    row = next(c for c in body["conversations"] if c["conversation_id"] == played["cid"])
    check(row, "ReviewSummary")
    assert row["outcome"] == "resolved" and row["escalated"] is True
    assert row["complaint_type"] in ("complaint_defect", "complaint_escalation")
    assert row["suggestions"]["shown"] == 9 and row["suggestions"]["edited"] == 1
    assert row["compensation_cost"] == played["within"]["cost"]
    other_type = next(
        t
        for t in ("complaint_price_error", "complaint_special_request")
        if t != row["complaint_type"]
    )
    for query in ("outcome=referred", "agent=agent2", f"complaint_type={other_type}"):
        status, other = call(system, "GET", f"/review/conversations?{query}", None, token)
        assert status == 200
        assert played["cid"] not in [c["conversation_id"] for c in other["conversations"]]

    status, detail = call(system, "GET", f"/review/conversations/{played['cid']}", None, token)
    assert status == 200
    customer_turns = [t for t in detail["turns"] if t["role"] == "customer"]
    assert len(customer_turns) == 3
    outcomes = {s["id"]: s["outcome"] for s in customer_turns[0]["suggestions"]}
    assert outcomes[played["used"]["id"]] == "edited"
    assert outcomes[played["dismissed"]["id"]] == "dismissed"
    assert customer_turns[0]["analysis"]["complaint_type"] == row["complaint_type"]
    text = json.dumps(detail["turns"], ensure_ascii=False)
    assert PERSONAL["mobile"] not in text and PERSONAL["address"] not in text
    for turn in detail["turns"]:
        check(turn, "ReviewTurn")


def test_an_agent_sees_only_their_own_figures(system, tokens, played):
    status, mine = call(system, "GET", "/kpis", None, tokens["agent2"])
    assert status == 200 and mine["agent"] == "agent2"
    assert mine["conversations"] == 0 or played["cid"] not in json.dumps(mine)
    status, agent1 = call(system, "GET", "/kpis", None, tokens["agent1"])
    assert status == 200 and agent1["agent"] == "agent1" and agent1["conversations"] >= 1
    check(agent1, "Kpis")


def test_kpis_and_their_csv_agree(system, tokens, played):
    status, figures = call(system, "GET", "/kpis", None, tokens["super1"])
    assert status == 200
    check(figures, "Kpis")
    assert figures["compensation"]["spent"] >= played["within"]["cost"]
    technique = played["used"]["technique"]
    assert figures["acceptance_by_technique"][technique]["edited"] >= 1
    status, headers, text = raw(system, "/kpis.csv", tokens["super1"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["section", "key", "measure", "value"]
    assert ["overall", "", "conversations", str(figures["conversations"])] in rows


def test_a_correction_is_exported_as_training_data(system, tokens, played):
    token = tokens["super1"]
    correction = {
        "conversation_id": played["cid"],
        "turn": 2,
        "complaint_type": "complaint_special_request",
        "sentiment": "negative",
    }
    status, stored = call(system, "POST", "/review/corrections", correction, token)
    assert status == 200
    check(stored, "Correction")
    assert PERSONAL["card"] not in stored["text"] and "[卡號]" in stored["text"]
    rating = {
        "conversation_id": played["cid"],
        "suggestion_id": played["dismissed"]["id"],
        "verdict": "bad",
        "reason": "顧客已經說過訂單了，不該再問",
    }
    assert call(system, "POST", "/review/suggestion-ratings", rating, token)[0] == 200
    status, headers, text = raw(system, "/export/nlu", token)
    assert status == 200
    data = yaml.safe_load(text)
    examples = {
        e["text"]: (block["intent"], e["metadata"]["sentiment"])
        for block in data["nlu"]
        for e in block["examples"]
    }
    assert examples[stored["text"]] == ("complaint_special_request", "negative")
    status, detail = call(system, "GET", f"/review/conversations/{played['cid']}", None, token)
    turn = next(t for t in detail["turns"] if t["turn"] == 2)
    assert turn["correction"]["complaint_type"] == "complaint_special_request"
    first = next(t for t in detail["turns"] if t["turn"] == 0)
    rated = next(s for s in first["suggestions"] if s["id"] == played["dismissed"]["id"])
    assert rated["rating"]["verdict"] == "bad"


CRITERIA = [
    "first_response",
    "clarify_before_proposal",
    "empathy_when_negative",
    "paraphrase_before_agreement",
    "compensation_within_policy",
    "closing",
    "customer_rating",
]


def _score(items) -> int:
    applicable = [i["met"] for i in items if i["met"] is not None]
    return round(100 * sum(applicable) / len(applicable))


def test_a_closed_conversation_has_its_qa_scorecard(system, tokens, played):
    status, detail = call(
        system, "GET", f"/review/conversations/{played['cid']}", None, tokens["super1"]
    )
    assert status == 200
    card = detail["qa"]
    check(card, "QaScorecard")
    items = {i["criterion"]: i for i in card["items"]}
    assert list(items) == CRITERIA
    assert items["first_response"]["met"] is True  # the reply came within seconds
    assert "[手機]" in items["first_response"]["evidence"]  # the reply, masked
    assert items["compensation_within_policy"]["met"] is True  # granted within authority
    assert played["within"]["label"] in items["compensation_within_policy"]["evidence"]
    assert items["customer_rating"]["met"] is None  # not rated yet
    assert card["score"] == _score(card["items"])
    for value in PERSONAL.values():
        assert value not in json.dumps(card, ensure_ascii=False)


def test_a_supervisor_overrides_a_qa_item_and_the_score_follows(system, tokens, played):
    path = f"/review/conversations/{played['cid']}/qa"
    token = tokens["super1"]
    detail = call(system, "GET", f"/review/conversations/{played['cid']}", None, token)[1]
    before = next(i for i in detail["qa"]["items"] if i["criterion"] == "closing")
    wanted = not before["met"]
    body = {"criterion": "closing", "met": wanted, "note": f"打 {PERSONAL['mobile']} 確認過"}
    _, coached = call(system, "GET", "/review/qa?agent=agent1", None, token)
    status, answer = call(system, "POST", path, body, token)
    assert status == 200
    check(answer["qa"], "QaScorecard")
    closing = next(i for i in answer["qa"]["items"] if i["criterion"] == "closing")
    assert closing["met"] is wanted
    override = closing["overridden_by"]
    assert override["by"] == "super1" and override["was"] is before["met"]
    assert "[手機]" in override["note"]
    assert answer["qa"]["score"] == _score(answer["qa"]["items"])
    assert answer["qa"]["score"] != detail["qa"]["score"]
    shown = call(system, "GET", f"/review/conversations/{played['cid']}", None, token)[1]
    assert shown["qa"] == answer["qa"]
    status, after = call(system, "GET", "/review/qa?agent=agent1", None, token)
    assert status == 200
    check(after, "QaCoaching")
    was, now = coached["days"][-1]["criteria"]["closing"], after["days"][-1]["criteria"]["closing"]
    assert now["met"] - was["met"] == (1 if wanted else -1)
    assert now["met"] + now["not_met"] == was["met"] + was["not_met"]
