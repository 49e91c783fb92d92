"""The REST assist API against the running system, checked against docs/openapi.yaml.

One launch of `make run`'s processes for the module (real Rasa, real action server,
real Redis with the demo data); every answer is validated against the OpenAPI schema.
Only whole flows are here: each route's refusals (4xx) are tested in-process, in
tests/channels/test_rest_*.py.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.helpers.api import SPEC, call, check, new_id, say  # noqa: F401 (test_review_api)

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def tokens(system):
    result = {}
    for user in ("agent1", "agent2", "senior1", "super1"):
        status, body = call(
            system, "POST", "/login", {"username": user, "password": system["password"]}
        )
        assert status == 200, body
        check(body, "Login")
        result[user] = body["token"]
    return result


@pytest.fixture(scope="module")
def store(system):
    return redis.Redis(port=system["redis_port"])


def test_health_needs_no_token(system):
    status, body = call(system, "GET", "/health")
    assert status == 200 and body == {"status": "ok", "redis": "ok", "model": True}
    check(body, "Health")


def test_a_broken_product_conversation_end_to_end(system, tokens, store):
    """The issue's 'done when': suggestions per turn, marks per role, a grant and an approval."""
    cid = new_id()
    first = say(system, tokens["agent1"], cid, "我上週買的吹風機用兩天就壞了，你們怎麼處理？")
    assert first["analysis"]["intent"]["name"] == "complaint_defect"
    assert first["analysis"]["sentiment"]["label"] == "negative"
    assert first["stage"] == "clarify"  # no order number yet
    techniques = [s["technique"] for s in first["suggestions"]]
    assert len(set(techniques)) == 3 and "clarifying_question" in techniques
    assert "order_missing" in {a["kind"] for a in first["alerts"]}

    second = say(system, tokens["agent1"], cid, "訂單編號是 KF20261102001")
    assert second["stage"] == "assess"
    assert second["context"]["customer"]["title"] == "王先生"
    marks = {o["id"]: o for o in second["compensation"]}
    assert marks["coupon"]["within_authority"] is True
    assert marks["full_refund"]["within_authority"] is False
    assert (
        marks["full_refund"]["approver"] == "supervisor"
        and "權限" in marks["full_refund"]["reason"]
    )

    third = say(system, tokens["super1"], cid, "我明天就要出國，現在沒有吹風機可以用，很困擾")
    assert third["stage"] == "acknowledge"
    assert all(o["within_authority"] for o in third["compensation"])

    fourth = say(system, tokens["agent1"], cid, "那我要退貨退款")
    assert fourth["stage"] == "propose"
    texts = [s["text"] for turn in (first, second, third, fourth) for s in turn["suggestions"]]
    assert len(texts) == 12 and len(set(texts)) == 12  # never the same text twice
    assert not any("{" in t or "}" in t for t in texts)
    assert any("王先生" in t or "吹風機" in t or "KF20261102001" in t for t in texts)

    # a grant within authority spends agent1's budget once, however often it is retried
    spent_before = sum(int(store.get(k)) for k in store.keys("kefu:budget:agent1:*"))
    grant = {"conversation_id": cid, "option_id": "coupon", "idempotency_key": "k-" + cid}
    status, body = call(system, "POST", "/compensation/grant", grant, tokens["agent1"])
    assert status == 200 and body["granted"] is True, body
    check(body, "Grant")
    again = call(system, "POST", "/compensation/grant", grant, tokens["agent1"])
    assert again == (200, body)
    budget_keys = store.keys("kefu:budget:agent1:*")
    spent = sum(int(store.get(k)) for k in budget_keys) - spent_before
    assert spent == marks["coupon"]["cost"]

    # beyond authority: 403, an approval for super1, and nothing spent
    refund = {"conversation_id": cid, "option_id": "full_refund", "idempotency_key": "r-" + cid}
    status, refused = call(system, "POST", "/compensation/grant", refund, tokens["agent1"])
    assert status == 403, refused
    check(refused, "GrantRefused")
    assert refused["approver"] == "supervisor" and "authority" in refused["limits"]
    spent = sum(int(store.get(k)) for k in budget_keys) - spent_before
    assert spent == marks["coupon"]["cost"]
    assert call(system, "POST", "/compensation/grant", refund, tokens["agent1"]) == (403, refused)

    assert call(system, "GET", "/approvals", token=tokens["agent1"])[0] == 403
    status, listing = call(system, "GET", "/approvals?status=pending", token=tokens["super1"])
    assert status == 200
    pending = [a for a in listing["approvals"] if a["id"] == refused["approval_id"]]
    assert pending and pending[0]["requested_by"] == "agent1" and pending[0]["status"] == "pending"
    for approval in listing["approvals"]:
        check(approval, "Approval")
    # senior1 may not decide what needs a supervisor
    decision = f"/approvals/{refused['approval_id']}"
    assert call(system, "POST", decision, {"decision": "approve"}, tokens["senior1"])[0] == 403
    status, decided = call(system, "POST", decision, {"decision": "approve"}, tokens["super1"])
    assert status == 200 and decided["status"] == "approved" and decided["decided_by"] == "super1"
    check(decided, "Approval")
    assert call(system, "POST", decision, {"decision": "deny"}, tokens["super1"])[0] == 409

    status, conversation = call(system, "GET", f"/conversations/{cid}", token=tokens["agent1"])
    assert status == 200
    check(conversation, "Conversation")
    assert [g["option_id"] for g in conversation["granted"]] == ["coupon", "full_refund"]
    assert [m["role"] for m in conversation["messages"]] == ["customer"] * 4


def test_replies_and_outcomes_are_recorded_in_the_tracker(system, tokens):
    cid = new_id()
    say(system, tokens["agent1"], cid, "我買的吹風機壞了，插電完全沒反應")
    turn = say(system, tokens["agent1"], cid, "訂單編號 KF20261102001")
    assert turn["stage"] == "assess" and turn["compensation"]
    suggestion = turn["suggestions"][0]
    status, body = call(
        system,
        "POST",
        "/reply",
        {
            "conversation_id": cid,
            "text": suggestion["text"] + "請稍等。",
            "suggestion_id": suggestion["id"],
        },
        tokens["agent1"],
    )
    assert status == 200 and body["edited"] is True and body["technique"] == suggestion["technique"]
    check(body, "ReplyRecorded")
    status, body = call(
        system,
        "POST",
        "/outcome",
        {
            "conversation_id": cid,
            "suggestion_id": turn["suggestions"][1]["id"],
            "action": "dismissed",
        },
        tokens["agent1"],
    )
    assert status == 200, body
    check(body, "OutcomeRecorded")
    option = turn["compensation"][0]["id"]
    status, _ = call(
        system,
        "POST",
        "/outcome",
        {"conversation_id": cid, "suggestion_id": option, "action": "offered"},
        tokens["agent1"],
    )
    assert status == 200
    with urllib.request.urlopen(
        f"{system['base']}/conversations/{cid}/tracker", timeout=30
    ) as response:
        tracker = json.loads(response.read())
    assert tracker["slots"]["offers_made"] == [option]
    bot_events = [
        e for e in tracker["events"] if e["event"] == "bot" and e.get("metadata", {}).get("kefu")
    ]
    assert bot_events[-1]["text"].endswith("請稍等。")
    assert bot_events[-1]["metadata"]["kefu"]["edited"] is True
    # the next turn after an offer: the customer accepts, the stage is agree
    accepted = say(system, tokens["agent1"], cid, "好，這樣可以，就這樣處理吧")
    assert accepted["stage"] == "agree"
    assert accepted["suggestions"][0]["technique"] == "paraphrase_confirm"


def test_a_turn_is_one_action_and_one_prediction(system, tokens):
    """One call to the action server per customer message (actions/stages.py: analysis,
    stage and payload in one action), which ends the turn: Rasa listens as a follow-up,
    so each turn runs the policy once."""
    cid = new_id()
    first = say(system, tokens["agent1"], cid, "我買的吹風機壞了，插電完全沒反應")
    second = say(system, tokens["agent1"], cid, "訂單編號 KF20261102001")
    assert (first["stage"], second["stage"]) == ("clarify", "assess")
    with urllib.request.urlopen(
        f"{system['base']}/conversations/{cid}/tracker", timeout=30
    ) as response:
        events = json.loads(response.read())["events"]
    actions = [e for e in events if e["event"] == "action"]
    turns = [
        following
        for action, following in zip(actions, actions[1:])
        if action["name"] == "action_listen"
    ]
    assert [e["name"] for e in turns] == ["action_assist_turn"] * 2
    assert all("RulePolicy" in e["policy"] for e in turns)
    after_turn = [
        following
        for action, following in zip(actions, actions[1:])
        if action["name"] == "action_assist_turn"
    ]
    assert [e["name"] for e in after_turn] == ["action_listen"] * 2
    assert all(e["policy"] == "followup_action" for e in after_turn)


def test_a_leading_slash_is_not_an_intent_command(system, tokens):
    """`/goodbye` or `/restart` typed by a customer is text, not a Rasa command."""
    cid = new_id()
    say(system, tokens["agent1"], cid, "我的吹風機壞了")
    turn = say(system, tokens["agent1"], cid, "/goodbye")
    assert turn["analysis"]["intent"]["confidence"] < 1.0  # parsed by NLU, not by the command path
    say(system, tokens["agent1"], cid, "/restart")
    with urllib.request.urlopen(
        f"{system['base']}/conversations/{cid}/tracker", timeout=30
    ) as response:
        events = json.loads(response.read())["events"]
    assert not [e for e in events if e["event"] == "restart"]
    assert [e["text"] for e in events if e["event"] == "user"][-1] == "／restart"


def test_two_quick_messages_of_one_conversation_are_both_answered_promptly(system, tokens):
    """Customers write in bursts. Rasa handles one conversation's messages one at a time;
    the second waits for the first's lock, polled every 50 ms (bot/store/locks.py), not
    once a second as with Rasa's own lock store."""
    cid = new_id()
    say(system, tokens["agent1"], cid, "你好")

    def timed(text: str) -> tuple[str, float]:
        say(system, tokens["agent1"], cid, text)
        return text, time.monotonic()

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(timed, "我的訂單到現在還沒收到")
        time.sleep(0.02)
        second = pool.submit(timed, "已經等一個禮拜了")
        done = sorted([first.result(), second.result()], key=lambda pair: pair[1])
    assert done[1][1] - done[0][1] < 0.6  # Rasa's one-second poll: about 0.8 s or more
    with urllib.request.urlopen(
        f"{system['base']}/conversations/{cid}/tracker", timeout=30
    ) as response:
        events = json.loads(response.read())["events"]
    texts = [e["text"] for e in events if e["event"] == "user"]
    assert texts[-2:] == [done[0][0], done[1][0]]  # each once, in the order handled


def test_concurrent_retries_of_one_grant_spend_once(system, tokens, store):
    cid = new_id()
    say(system, tokens["agent2"], cid, "訂單 KF20261102001 的吹風機收到就壞掉了")
    grant = {"conversation_id": cid, "option_id": "free_shipping", "idempotency_key": "same-" + cid}
    before = sum(int(store.get(k)) for k in store.keys("kefu:budget:agent2:*"))
    with ThreadPoolExecutor(20) as pool:
        answers = list(
            pool.map(
                lambda _: call(system, "POST", "/compensation/grant", grant, tokens["agent2"]),
                range(20),
            )
        )
    assert {status for status, _ in answers} == {200}
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    after = sum(int(store.get(k)) for k in store.keys("kefu:budget:agent2:*"))
    assert after - before == 80


def test_a_date_in_the_customers_plans_is_not_the_date_of_the_problem(system, tokens):
    cid = new_id()
    say(system, tokens["agent1"], cid, "我買的吹風機壞了，插電沒反應")
    say(system, tokens["agent1"], cid, "訂單編號 KF20261102001")
    # a training sentence, so the test is about the slot mapping, not about NLU accuracy
    impact = say(system, tokens["agent1"], cid, "那是要送我媽的生日禮物欸，後天就要用了😭")
    assert impact["analysis"]["intent"]["name"] == "inform_impact"
    assert "date" in {e["entity"] for e in impact["analysis"]["entities"]}  # 後天 was found
    assert impact["stage"] == "acknowledge"
    with urllib.request.urlopen(
        f"{system['base']}/conversations/{cid}/tracker", timeout=30
    ) as response:
        assert json.loads(response.read())["slots"]["date"] is None


def test_closing_over_rest_is_checked_against_the_schema(system, tokens):
    cid = new_id()
    say(system, tokens["agent1"], cid, "我的吹風機壞了")
    assert (
        call(
            system,
            "POST",
            f"/conversations/{cid}/close",
            {"resolution": "resolved"},
            tokens["agent2"],
        )[0]
        == 403
    )
    status, body = call(
        system,
        "POST",
        f"/conversations/{cid}/close",
        {"resolution": "referred", "note": "轉主管"},
        tokens["agent1"],
    )
    assert status == 200, body
    check(body, "Closed")
    assert body["resolution"] == "referred" and body["customer_messages"] == 1


def test_a_conversation_view_carries_the_newest_messages(system, tokens):
    cid = new_id()
    say(system, tokens["agent1"], cid, "我買的吹風機壞了，插電完全沒反應")
    for n in range(3):
        status, _ = call(
            system,
            "POST",
            "/reply",
            {"conversation_id": cid, "text": f"回覆 {n}"},
            tokens["agent1"],
        )
        assert status == 200
    status, body = call(system, "GET", f"/conversations/{cid}?last=2", None, tokens["agent1"])
    assert status == 200, body
    check(body, "Conversation")
    assert [m["text"] for m in body["messages"]] == ["回覆 1", "回覆 2"]
    assert (body["messages_total"], body["messages_from"]) == (4, 2)
    status, body = call(system, "GET", f"/conversations/{cid}", None, tokens["agent1"])
    assert len(body["messages"]) == 4 and body["messages_from"] == 0  # the default: 100
