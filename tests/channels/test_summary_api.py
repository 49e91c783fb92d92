"""The case summary on the running system: current after each turn, kept masked at the close,
and shown to the same customer's next conversation in the alerts."""

from __future__ import annotations

import pytest
import redis

from tests.helpers.api import call, check, login, new_id, say

pytestmark = pytest.mark.model

PHONE = "0912-345-678"


@pytest.fixture(scope="module")
def tokens(system):
    return {user: login(system, user) for user in ("agent1", "super1")}


def view(system, token, cid):
    status, body = call(system, "GET", f"/conversations/{cid}", token=token)
    assert status == 200, body
    check(body, "Conversation")
    return body["summary"]


def test_the_summary_follows_the_case_and_is_kept_masked_at_the_close(system, tokens):
    agent = tokens["agent1"]
    cid = new_id()
    say(system, agent, cid, "我上週買的吹風機用兩天就壞了，你們怎麼處理？")
    first = view(system, agent, cid)
    assert first["complaint_type"] == "complaint_defect"
    assert "壞了" in first["problem"] and first["order_id"] is None
    assert "未提供訂單編號" in first["text"].split("\n")[0]

    say(system, agent, cid, "訂單編號是 KF20261102001")
    options = [o["id"] for o in say(system, agent, cid, "那我要退貨退款")["compensation"]]
    other = next(o for o in options if o not in ("coupon", "full_refund"))
    summary = view(system, agent, cid)
    assert (summary["order_id"], summary["product"]) == ("KF20261102001", "吹風機")
    assert "退" in summary["request"]
    lines = summary["text"].split("\n")
    assert 3 <= len(lines) <= 6
    assert "訂單 KF20261102001（吹風機）" in lines[0]
    assert "壞了" in lines[1]  # the problem in the customer's words

    # offers (one the customer declines), a grant, and a refund beyond agent1's authority
    for option, action in (("coupon", "offered"), (other, "offered"), (other, "declined")):
        outcome = {"conversation_id": cid, "suggestion_id": option, "action": action}
        assert call(system, "POST", "/outcome", outcome, agent)[0] == 200
    for option, status in (("coupon", 200), ("full_refund", 403)):
        grant = {"conversation_id": cid, "option_id": option, "idempotency_key": f"{option}-{cid}"}
        assert call(system, "POST", "/compensation/grant", grant, agent)[0] == status
    reply = f"已為您申請全額退款。主管核准後我會回電到 {PHONE} 跟您說明"
    assert call(system, "POST", "/reply", {"conversation_id": cid, "text": reply}, agent)[0] == 200
    summary = view(system, agent, cid)
    states = {c["option_id"]: c["state"] for c in summary["compensation"]}
    assert states == {"coupon": "granted", "full_refund": "pending", other: "declined"}
    assert [p["kind"] for p in summary["open_promises"]] == ["approval", "callback"]
    assert PHONE in summary["open_promises"][1]["text"]  # the agent's own view is not masked
    assert "待辦：" in summary["text"]

    status, closed = call(
        system, "POST", f"/conversations/{cid}/close", {"resolution": "referred"}, agent
    )
    assert status == 200, closed
    check(closed, "Closed")
    status, log = call(system, "GET", f"/log?conversation_id={cid}", token=tokens["super1"])
    assert status == 200
    (event,) = [e for e in log["events"] if e["action"] == "closed"]
    stored = event["summary"]
    assert stored["status_label"] == "已轉介結案" and stored["order_id"] == "KF20261102001"
    assert "壞了" in stored["problem"]
    assert "0912" not in str(stored) and "[手機]" in stored["open_promises"][1]["text"]
    raw = redis.Redis(port=system["redis_port"])
    assert not any(
        PHONE.encode() in value
        for _, entry in raw.xrange("kefu:outcomes")
        for value in entry.values()
    )
    assert view(system, agent, cid)["status"] == "closed"

    # the same customer (C001 owns the order) comes back: their last case is in the alerts
    again = say(system, agent, new_id(), "你好，我想問一下退款進度", customer_id="C001")
    alerts = {a["kind"]: a["text"] for a in again["alerts"]}
    assert alerts["past_summary"].startswith("過去對話：")
    assert (
        "服務或產品問題或瑕疵" in alerts["past_summary"] and "已轉介結案" in alerts["past_summary"]
    )
    assert PHONE not in alerts["past_summary"]
