"""Each criterion met, not met and not applicable; weak wording matches; masking; the score."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.log import qa
from tests.helpers.qa import GOOD, T0, agent, conversation, customer, item


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
