"""QA scorecards: each criterion met, not met and not applicable; masking; the score;
overrides; the per-day aggregates kept as the qa events are logged."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.log import aggregates, qa
from bot.log.outcomes import OutcomeLog, make_event
from bot.log.views import OutcomeViews
from tests.log.outcome_events import DAY0

T0 = 1_000.0


def customer(text: str, ts: float) -> qa.Message:
    return qa.Message("customer", text, ts)


def agent(text: str, ts: float, technique=None, stage=None, edited=False) -> qa.Message:
    return qa.Message("agent", text, ts, technique, stage, edited)


def conversation(*messages: qa.Message, readings=(), compensation=(), rating=None):
    return qa.ClosedConversation(
        "c1", "agent1", tuple(messages), tuple(readings), tuple(compensation), "resolved", rating
    )


def item(card: qa.Scorecard, criterion: str) -> qa.Item:
    return next(i for i in card.items if i.criterion == criterion)


# a complete, well-handled conversation: every criterion applies and is met
GOOD = conversation(
    customer("你們寄來的吹風機壞了，很生氣！", T0),
    agent("真的很抱歉造成您的困擾。", T0 + 20, "empathy", "acknowledge"),
    agent("請問訂單編號是多少？", T0 + 30, "clarifying_question", "clarify"),
    customer("訂單 A123，我的手機 0912345678", T0 + 60),
    agent("跟您確認：吹風機收到就無法開機，對嗎？", T0 + 80, "paraphrase_confirm", "propose"),
    customer("對，我要換一台", T0 + 100),
    agent("還有其他需要幫忙的嗎？祝您順心。", T0 + 200, "clear_explanation", "close"),
    readings=(
        qa.Reading(0, "clarify", "negative", -0.8),
        qa.Reading(3, "propose", "neutral", 0.0),
        qa.Reading(5, "agree", "neutral", 0.1),
    ),
    compensation=(
        qa.Compensation(
            "exchange", "換貨", 0, True, offered_at=T0 + 90, accepted_at=T0 + 100, granted=True
        ),
    ),
    rating=5,
)


def test_a_well_handled_conversation_meets_every_criterion_with_its_evidence():
    card = qa.score(GOOD)
    assert [i.criterion for i in card.items] == [c.id for c in qa.CRITERIA]
    assert all(i.met is True for i in card.items), [(i.criterion, i.evidence) for i in card.items]
    assert card.score == 100
    assert "20 秒" in item(card, "first_response").evidence
    assert "跟您確認" in item(card, "paraphrase_before_agreement").evidence
    assert item(card, "empathy_when_negative").basis == "suggestion"
    assert item(card, "customer_rating").label == "顧客滿意度評分"


def test_first_response_over_the_threshold_is_not_met_and_the_threshold_is_configurable():
    slow = replace(GOOD, messages=(GOOD.messages[0], replace(GOOD.messages[1], ts=T0 + 90)))
    assert item(qa.score(slow), "first_response").met is False
    assert item(qa.score(slow, qa.Settings(first_response_s=120)), "first_response").met is True
    # a reply stamped before the customer's turn was recorded (it waited for the
    # conversation's lock while the turn was read) still answers it: the transcript's order
    raced = conversation(customer("在嗎", T0), agent("在的", T0 - 0.5))
    assert item(qa.score(raced), "first_response").met is True
    silent = conversation(customer("在嗎", T0))
    assert item(qa.score(silent), "first_response").met is False
    assert item(qa.score(conversation()), "first_response").met is None


def test_clarifying_question_must_come_before_the_proposal():
    no_question = conversation(
        customer("東西壞了", T0),
        agent("幫您換貨。", T0 + 10, "clear_explanation", "propose"),
        readings=(qa.Reading(0, "propose", "neutral"),),
    )
    found = item(qa.score(no_question), "clarify_before_proposal")
    assert found.met is False and "沒有提問釐清" in found.evidence
    late = conversation(
        customer("東西壞了", T0),
        agent("幫您換貨。", T0 + 10, "clear_explanation", "propose"),
        agent("請問還有別的問題嗎？", T0 + 20, "clarifying_question", "clarify"),
        readings=(qa.Reading(0, "propose", "neutral"),),
    )
    assert item(qa.score(late), "clarify_before_proposal").met is False
    no_proposal = conversation(customer("你好", T0), agent("您好", T0 + 5))
    assert item(qa.score(no_proposal), "clarify_before_proposal").met is None


def test_a_freehand_reply_is_matched_only_weakly_and_says_so():
    freehand = conversation(
        customer("東西壞了", T0),
        agent("可以告訴我是哪一件商品嗎？", T0 + 10),
        agent("幫您換貨。", T0 + 20),
        readings=(qa.Reading(0, "propose", "neutral"),),
        compensation=(qa.Compensation("exchange", "換貨", 0, True, offered_at=T0 + 20),),
    )
    found = item(qa.score(freehand), "clarify_before_proposal")
    assert found.met is True and found.basis == "wording"
    assert "僅依字面判斷" in found.evidence
    plain = conversation(
        customer("東西壞了", T0),
        agent("收到，我來處理。", T0 + 10),
        agent("幫您換貨。", T0 + 20),
        compensation=(qa.Compensation("exchange", "換貨", 0, True, offered_at=T0 + 20),),
    )
    missed = item(qa.score(plain), "clarify_before_proposal")
    assert missed.met is False and "請主管確認" in missed.evidence


def test_empathy_applies_only_when_the_customer_was_negative():
    calm = replace(GOOD, readings=(qa.Reading(0, "clarify", "neutral"),))
    assert item(qa.score(calm), "empathy_when_negative").met is None
    cold = conversation(
        customer("爛透了", T0),
        agent("請提供訂單編號。", T0 + 10, "clarifying_question", "clarify"),
        customer("A123", T0 + 20),
        agent("很抱歉讓您久等了", T0 + 30, "empathy", "acknowledge"),  # too late
        readings=(qa.Reading(0, "clarify", "negative", -0.9),),
    )
    found = item(qa.score(cold), "empathy_when_negative")
    assert found.met is False and "爛透了" in found.evidence


def test_paraphrase_applies_when_an_agreement_was_reached():
    no_paraphrase = replace(GOOD, messages=GOOD.messages[:3] + GOOD.messages[5:])
    no_paraphrase = replace(no_paraphrase, readings=(qa.Reading(0, "clarify", "negative"),))
    found = item(qa.score(no_paraphrase), "paraphrase_before_agreement")
    assert found.met is False  # the customer accepted the exchange at T0 + 100
    none = replace(GOOD, compensation=(), readings=(qa.Reading(0, "clarify", "negative"),))
    assert item(qa.score(none), "paraphrase_before_agreement").met is None


def test_compensation_beyond_authority_without_approval_is_not_met():
    beyond = qa.Compensation("refund_full", "全額退款", 1200, False, offered_at=T0 + 50)
    card = qa.score(replace(GOOD, compensation=(beyond,)))
    found = item(card, "compensation_within_policy")
    assert found.met is False and "全額退款" in found.evidence and "未經主管核准" in found.evidence
    approved = replace(beyond, approval="approved")
    assert item(qa.score(replace(GOOD, compensation=(approved,))), found.criterion).met is True
    denied = replace(beyond, approval="denied")
    assert item(qa.score(replace(GOOD, compensation=(denied,))), found.criterion).met is False
    asked_first = replace(beyond, offered_at=None, approval="requested")
    assert item(qa.score(replace(GOOD, compensation=(asked_first,))), found.criterion).met is True
    assert item(qa.score(replace(GOOD, compensation=())), found.criterion).met is None


def test_closing_and_rating():
    abrupt = replace(GOOD, messages=GOOD.messages[:-1])
    assert item(qa.score(abrupt), "closing").met is False
    assert item(qa.score(replace(GOOD, rating=2)), "customer_rating").met is False
    unrated = qa.score(replace(GOOD, rating=None))
    assert item(unrated, "customer_rating").met is None
    assert unrated.score == 100  # the score is over the applicable items only


def test_the_score_is_the_share_of_applicable_items_met():
    card = qa.score(replace(GOOD, rating=1))  # 6 of 7 met
    assert card.score == round(100 * 6 / 7)
    assert qa.score_of([]) is None


def test_evidence_is_masked():
    leaky = replace(
        GOOD,
        messages=GOOD.messages[:1]
        + (agent("抱歉！請回電 0912345678 或寫信 a.b@example.com", T0 + 5, "empathy"),)
        + GOOD.messages[2:],
    )
    text = json.dumps(qa.score(leaky).as_dict(), ensure_ascii=False)
    assert "0912345678" not in text and "example.com" not in text
    assert "[手機]" in text and "[電子郵件]" in text


def test_an_override_is_recorded_and_the_score_recomputed():
    card = qa.score(replace(GOOD, rating=1))
    changed = qa.override(card, "customer_rating", None, "super1", 123.4567, "電話 0912345678")
    found = item(changed, "customer_rating")
    assert found.met is None and changed.score == 100
    assert found.overridden_by == qa.Override("super1", 123.457, None, False, "電話 [手機]")
    again = qa.override(changed, "customer_rating", True, "super2", 200.0)
    assert item(again, "customer_rating").overridden_by.was is False  # what the scoring said
    with pytest.raises(qa.UnknownCriterion):
        qa.override(card, "tone", True, "super1", 1.0)
    assert qa.Scorecard.from_dict(again.as_dict()) == again
    rescored = qa.keep_overrides(qa.score(replace(GOOD, rating=1)), again)
    assert item(rescored, "customer_rating").met is True and rescored.score == 100


def test_a_stored_scorecard_that_is_not_one_is_named():
    with pytest.raises(qa.BadScorecard):
        qa.Scorecard.from_dict({"score": 1, "items": [{"criterion": "x"}]})


def test_conversation_from_the_stored_records():
    messages = [
        {"role": "customer", "text": "壞了", "ts": T0},
        {
            "role": "agent",
            "text": "抱歉",
            "ts": T0 + 5,
            "suggestion_id": "s1",
            "technique": "empathy",
            "edited": True,
        },
        {"role": "agent", "text": "請問？", "ts": T0 + 6, "suggestion_id": None, "technique": None},
    ]
    events = [
        {
            "action": "message",
            "turn": 0,
            "stage": "clarify",
            "sentiment": "neutral",
            "score": 0.0,
            "ts": T0,
        },
        {
            "action": "corrected",
            "turn": 0,
            "sentiment": "negative",
            "complaint_type": None,
            "ts": T0 + 1,
        },
        {"action": "offered", "option_id": "o1", "cost": 100, "ts": T0 + 7},
        {"action": "approval_requested", "option_id": "o1", "cost": 100, "ts": T0 + 8},
        {"action": "approved", "option_id": "o1", "cost": 100, "ts": T0 + 9},
    ]
    conv = qa.conversation_from_records(
        "c1",
        "agent1",
        messages,
        events,
        {"s1": {"stage": "acknowledge"}},
        {"o1": {"label": "折價券", "within_authority": False}},
        "resolved",
        4,
    )
    assert conv.messages[1] == qa.Message("agent", "抱歉", T0 + 5, "empathy", "acknowledge", True)
    assert conv.messages[2].technique is None
    assert conv.readings == (qa.Reading(0, "clarify", "negative", 0.0),)  # the correction wins
    assert conv.compensation == (
        qa.Compensation("o1", "折價券", 100, False, T0 + 7, None, False, "approved"),
    )


def _qa_event(cid: str, owner: str, card: qa.Scorecard, day: str, **more) -> dict:
    return {
        "action": "qa_scored",
        "conversation_id": cid,
        "agent": None,
        "owner": owner,
        "day": day,
        **card.as_dict(),
        **more,
    }


def test_coaching_per_day_and_agent_from_parts():
    good, bad = qa.score(GOOD), qa.score(replace(GOOD, rating=1))
    events = [
        make_event(_qa_event("c1", "agent1", good, "2026-11-20"), now=DAY0),
        make_event(_qa_event("c2", "agent2", bad, "2026-11-21"), now=DAY0 + 86400),
        make_event(_qa_event("c1", "agent1", bad, "2026-11-20"), now=DAY0 + 90000),  # later
    ]
    parts = qa.parts_from_events(events)
    shown = qa.coaching(parts, ["2026-11-20", "2026-11-21", "2026-11-22"])
    first = shown["days"][0]
    assert first["conversations"] == 1 and first["score_mean"] == bad.score  # the last wins
    assert first["criteria"]["customer_rating"] == {
        "met": 0,
        "not_met": 1,
        "not_applicable": 0,
        "rate": 0.0,
    }
    assert shown["days"][2]["score_mean"] is None
    assert [a["agent"] for a in shown["agents"]] == ["agent1", "agent2"]
    only = qa.coaching(parts, ["2026-11-20", "2026-11-21"], agent="agent2")
    assert [a["agent"] for a in only["agents"]] == ["agent2"]
    assert only["days"][0]["conversations"] == 0


async def test_the_aggregates_keep_the_last_scorecard_per_close_day(aioredis, tmp_path):
    log, views = OutcomeLog(aioredis, tmp_path), OutcomeViews(aioredis)
    good, bad = qa.score(GOOD), qa.score(replace(GOOD, rating=1))
    await log.append(_qa_event("c1", "agent1", good, "2026-11-20"))
    record = await log.append(
        {
            **_qa_event("c1", "agent1", bad, "2026-11-20"),
            "action": "qa_overridden",
            "agent": "super1",
            "criterion": "customer_rating",
            "met": False,
        }
    )
    assert await log._add(record) is False  # a retry changes nothing
    parts = await views.qa_parts(["2026-11-20", "2026-11-21"])
    assert parts == {"2026-11-20": {"c1": json.loads(bad.part("agent1"))}, "2026-11-21": {}}
    assert len(aggregates.facts(record)) == aggregates.FACTS
    events, _ = await log.read()
    assert qa.parts_from_events(events)["2026-11-20"] == parts["2026-11-20"]  # scan == aggregates
