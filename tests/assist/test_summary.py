"""The case summary built from a conversation's stored facts (bot/assist/summary.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.assist.grounding import Grounding, Said, ground
from bot.assist.summary import (
    LINE_CHARS,
    MAX_LINES,
    CaseFacts,
    SummaryError,
    UnknownStatus,
    past_alert,
    past_entry,
    said_from_slots,
    summarise,
)
from tests.helpers.grants import approval, grant

SAID = Grounding(
    problem=Said("您買的吹風機用兩天就壞了", "我買的吹風機用兩天就壞了"),
    impact=Said("您明天要出國沒得用", "我明天要出國沒得用"),
    request=Said("退貨退款", "那我要退貨退款"),
)


def facts(**changes) -> CaseFacts:
    base = dict(
        status="waiting",
        complaint_type="complaint_defect",
        said=SAID,
        order_id="KF20261102001",
        products=("吹風機",),
    )
    base.update(changes)
    return CaseFacts(**base)


def test_each_field_comes_from_its_fact():
    summary = summarise(facts(escalated=True))
    view = summary.as_dict()
    assert view["complaint_type"] == "complaint_defect"
    assert view["complaint_label"] == "服務或產品問題或瑕疵"
    assert view["problem"] == "您買的吹風機用兩天就壞了"
    assert view["impact"] == "您明天要出國沒得用"
    assert view["request"] == "退貨退款"
    assert (view["order_id"], view["product"]) == ("KF20261102001", "吹風機")
    assert (view["status"], view["status_label"], view["resolution"]) == (
        "waiting",
        "待客服回覆",
        None,
    )
    assert view["escalated"] is True
    assert view["compensation"] == [] and view["open_promises"] == []


def test_the_customers_words_come_from_grounding():
    said = ground(["我上週買的吹風機用兩天就壞了，害我早上沒辦法出門", "我要退貨退款"])
    summary = summarise(facts(said=said))
    assert "壞了" in summary.problem and "退" in summary.request
    # the slots as the assist payload carries them give the same summary
    slots = {
        name: value.as_slot()
        for name, value in zip(("problem", "request"), (said.problem, said.request))
    }
    assert summarise(facts(said=said_from_slots(slots))).problem == summary.problem
    assert said_from_slots({"problem": {"text": ""}, "impact": "not a slot"}) == Grounding()


def test_compensation_keeps_the_furthest_state_of_each_option_in_order():
    summary = summarise(
        facts(
            events=[
                {"action": "offered", "option_id": "coupon", "ts": 10.0},
                {"action": "offered", "option_id": "shipping", "ts": 11.0},
                {"action": "declined", "option_id": "shipping", "ts": 12.0},
                {"action": "accepted", "option_id": "coupon", "ts": 13.0},
                {"action": "shown", "suggestion_id": "s1", "ts": 14.0},
            ],
            grants=[grant("coupon", "200 元折價券", granted_at=13.5)],
            approvals=[approval("full_refund", "全額退款", requested_at=15.0)],
            labels={"shipping": "免運費重寄"},
        )
    )
    assert [(c.option_id, c.label, c.state) for c in summary.compensation] == [
        ("coupon", "200 元折價券", "granted"),
        ("shipping", "免運費重寄", "declined"),
        ("full_refund", "全額退款", "pending"),
    ]
    assert summary.as_dict()["compensation"][1]["state_label"] == "顧客婉拒"


def test_a_pending_approval_is_an_open_promise_until_decided():
    pending = approval("full_refund", "全額退款", approver="supervisor", requested_at=1.0)
    summary = summarise(facts(approvals=[pending]))
    assert [p.as_dict() for p in summary.open_promises] == [
        {"kind": "approval", "text": "「全額退款」等待主管核准"}
    ]
    assert "待辦：「全額退款」等待主管核准" in summary.lines
    approved = summarise(facts(approvals=[replace(pending, status="approved")]))
    assert approved.open_promises == ()
    assert approved.compensation[0].state == "granted"
    denied = summarise(facts(approvals=[replace(pending, status="denied")]))
    assert denied.open_promises == () and denied.compensation[0].state == "denied"


def test_a_call_back_the_agent_promised_is_an_open_promise():
    summary = summarise(
        facts(
            agent_messages=[
                "王先生您好，很抱歉造成您的困擾。",
                "我先幫您查詢物流狀況，查到後會在今天下午五點前回電給您，請稍候。",
            ]
        )
    )
    assert [p.kind for p in summary.open_promises] == ["callback"]
    assert "回電" in summary.open_promises[0].text
    # saying thanks for calling is no promise
    assert summarise(facts(agent_messages=["謝謝您的來電"])).open_promises == ()


def test_the_text_is_three_to_six_short_lines():
    full = summarise(
        facts(
            status="closed",
            resolution="referred",
            grants=[grant("coupon", "200 元折價券")],
            approvals=[approval("full_refund", "全額退款", approver="supervisor")],
            agent_messages=["主管核准後我會再跟您聯絡"],
        )
    )
    lines = full.text.split("\n")
    assert lines[0] == "服務或產品問題或瑕疵｜訂單 KF20261102001（吹風機）｜已轉介結案"
    assert lines[1] == "問題：「顧客買的吹風機用兩天就壞了」"  # read by a third party
    assert lines[2:4] == ["影響：「顧客明天要出國沒得用」", "訴求：「退貨退款」"]
    assert lines[4] == "補償：已核發「200 元折價券」；待核准「全額退款」"
    assert lines[5].startswith("待辦：「全額退款」等待主管核准")
    assert len(lines) == MAX_LINES and all(len(line) <= LINE_CHARS for line in lines)
    bare = summarise(CaseFacts(status="new"))
    assert bare.text.split("\n") == [
        "尚未判定客訴類型｜未提供訂單編號｜新進",
        "問題：尚未說明",
        "補償：尚未提出",
    ]


def test_personal_data_is_masked_in_what_is_stored():
    said = Grounding(problem=Said("請打 0912-345-678 找您", "請打 0912-345-678 找我"))
    summary = summarise(facts(said=said, agent_messages=["明天會回電到 0912345678 給您"]))
    assert "0912-345-678" in summary.text  # the agent's own view is the transcript's
    stored = summary.masked()
    assert "0912" not in str(stored)
    assert "[手機]" in stored["text"] and "[手機]" in stored["problem"]
    assert "[手機]" in stored["open_promises"][0]["text"]
    assert "0912" not in summary.short()
    # a long promise is cut in the text only after it is masked: no part of the number shows
    long = "我們會在三個工作天內查明原因，並由專人回電到您留的 0912-345-678 這支手機說明處理結果"
    cut = summarise(facts(agent_messages=[long])).masked()
    assert "0912" not in str(cut) and cut["open_promises"][0]["text"].endswith("說明處理結果")


def test_bad_facts_have_names():
    with pytest.raises(UnknownStatus):
        summarise(CaseFacts(status="archived"))
    with pytest.raises(UnknownStatus):
        summarise(CaseFacts(status="closed", resolution="forgotten"))
    with pytest.raises(SummaryError):
        summarise(CaseFacts(status="active", complaint_type="complaint_weather"))
    with pytest.raises(SummaryError):
        summarise(CaseFacts(status="active", approvals=[approval("x", status="lost")]))


def test_a_returning_customer_sees_the_newest_two_past_summaries():
    closed = summarise(
        facts(
            status="closed",
            resolution="resolved",
            grants=[grant("coupon", "折價券")],
            said=Grounding(problem=Said("您寄到台北市信義區松仁路100號5樓的壺壞了", "x")),
        )
    )
    entry = past_entry(closed, "c-1", 1795000000.0)  # 2026-11-18 in Taipei
    assert "松仁路" not in entry["text"] and "[地址]" in entry["text"]
    assert entry["text"].endswith("（已解決結案，已核發折價券）")
    older = {"conversation_id": "c-0", "closed_at": 1790000000.0, "text": "誤會或溝通不良：等很久"}
    oldest = {"conversation_id": "c-00", "closed_at": 1780000000.0, "text": "最舊的一筆"}
    alert = past_alert([entry, older, oldest])
    assert alert["kind"] == "past_summary"
    assert alert["text"].startswith("過去對話：11/18 服務或產品問題或瑕疵")
    assert "等很久" in alert["text"] and "最舊" not in alert["text"]
    # the conversation itself is not its own past
    assert "最舊" in past_alert([entry, older, oldest], current="c-1")["text"]
    assert past_alert([]) is None and past_alert([entry], current="c-1") is None
