"""Closed conversations to score, shared by the tests of bot/log/qa/: message and
conversation builders, a complete well-handled conversation (:data:`GOOD`) and a qa event
as the outcome log stores it."""

from __future__ import annotations

from bot.log import qa

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


def qa_event(cid: str, owner: str, card: qa.Scorecard, day: str, **more) -> dict:
    return {
        "action": "qa_scored",
        "conversation_id": cid,
        "agent": None,
        "owner": owner,
        "day": day,
        **card.as_dict(),
        **more,
    }
