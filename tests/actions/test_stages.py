"""The turn action (analysis, stage, assist payload) with a real Redis holding the demo data."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.stages as stages
from bot.config import Settings
from bot.demo import load
from bot.services import Services
from tests.conftest import ROOT


@pytest.fixture()
def services(redis_server, redis_client, monkeypatch):
    load(redis_client, ROOT / "data/demo", {"agent", "senior_agent", "supervisor", "manager"}, "pw")
    settings = Settings.from_env({"REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0"})
    created = Services.create(settings)
    monkeypatch.setattr(stages, "get_services", lambda: created)
    return created


def tracker(
    slots=None,
    agent="agent1",
    score=-0.7,
    flag=False,
    intent="complaint_defect",
    text="我的吹風機用兩天就壞了",
):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.93},
        "entities": [{"entity": "product", "value": "吹風機"}],
        "sentiment": {"label": "negative", "score": score},
        "escalation": {"flag": flag, "cues": ["消基會"] if flag else []},
        "metadata": {"kefu": {"agent": agent}},
    }
    # the slots before this message's analysis (a complaint told the turn before)
    base = {"complaint_type": "complaint_defect", "product": "吹風機"}
    return Tracker(
        "conv-a", {**base, **(slots or {})}, latest, [], False, None, {}, "action_listen"
    )


# the previous stage and the order after which a complaint message reaches each stage
# (bot/assist/stages.py)
ORDER = {"order_id": "KF20261102001"}
ACKNOWLEDGE = {**ORDER, "stage": "assess"}
PROPOSE = {**ORDER, "stage": "acknowledge"}


async def run(t, stage):
    """The turn action on ``t``: its assist message and the slots it set; it must have
    chosen ``stage`` and ended the turn."""
    dispatcher = CollectingDispatcher()
    events = await stages.ActionAssistTurn().run(dispatcher, t, {})
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["stage"] == stage
    summary, assist = (m["custom"] for m in dispatcher.messages)
    assert summary["audience"] == assist["audience"] == "agent"
    assert isinstance(summary["analysis"], str) and assist["assist"]["stage"] == stage
    return assist, slots


async def test_propose_with_the_order_known_fills_details_and_marks_options(services):
    custom, slots = await run(tracker(PROPOSE), "propose")
    assist = custom["assist"]
    assert custom["audience"] == "agent"
    assert slots["stage"] == "propose" and len(slots["suggested"]) == 3
    assert assist["stage"] == "propose" and assist["stage_label"] == "提出方案"
    assert len({s["technique"] for s in assist["suggestions"]}) == 3
    options = {o["id"]: o for o in assist["compensation"]}
    assert options["coupon"]["within_authority"] is True
    assert options["full_refund"]["within_authority"] is False
    assert options["full_refund"]["approver"] == "supervisor"
    assert assist["context"]["customer"]["title"] == "王先生"
    assert custom["case"]["order"]["value"] == 2980


async def test_supervisor_sees_the_same_options_within_authority(services):
    custom, _ = await run(tracker(PROPOSE, agent="super1"), "propose")
    assert all(o["within_authority"] for o in custom["assist"]["compensation"])


async def test_suggestions_do_not_repeat_across_turns(services):
    suggested: list = []
    texts: list = []
    for _ in range(4):
        custom, slots = await run(tracker({**ACKNOWLEDGE, "suggested": suggested}), "acknowledge")
        suggested = slots["suggested"]
        texts += [s["text"] for s in custom["assist"]["suggestions"]]
    assert len(texts) == len(set(texts)) == 12


async def test_unknown_order_and_escalation_raise_alerts(services):
    custom, _ = await run(tracker({"order_id": "KF99999999999"}, flag=True, score=-0.9), "refer")
    kinds = {a["kind"] for a in custom["assist"]["alerts"]}
    assert {"escalation", "anger", "order_unknown"} <= kinds


async def test_redis_down_still_suggests(services, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    async def broken(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(services.profiles, "order", broken)
    custom, slots = await run(tracker(), "clarify")
    assert len(custom["assist"]["suggestions"]) == 3
    assert "degraded" in {a["kind"] for a in custom["assist"]["alerts"]}


async def test_the_wording_agents_use_comes_first(services):
    """The learned order: with one wording used on almost every showing for defects, the
    turn action puts it first among the wordings of its technique that fit. (Where the
    customer's own words are known, the wordings that say them back come first whatever
    the counts, bot/assist/suggest.py: so this customer says nothing to say back.)"""
    plain = "這件事請你們處理一下"
    # with no counts yet the prior alone orders the wordings: what comes first varies
    shown: dict = {}
    for _ in range(12):
        custom, _ = await run(tracker(ACKNOWLEDGE, text=plain), "acknowledge")
        for s in custom["assist"]["suggestions"]:
            shown.setdefault(s["technique"], set()).add(s["id"])
    technique, ids = max(shown.items(), key=lambda item: len(item[1]))
    assert len(ids) >= 2, shown
    fitting = sorted(ids)
    favourite = fitting[-1]
    for _ in range(60):
        await services.template_stats.record_shown("complaint_defect", [favourite])
        await services.template_stats.record_used("complaint_defect", favourite)
    for other in fitting:
        if other != favourite:
            for _ in range(30):
                await services.template_stats.record_shown("complaint_defect", [other])
    chosen = []
    for _ in range(5):
        custom, _ = await run(tracker(ACKNOWLEDGE, text=plain), "acknowledge")
        chosen += [s["id"] for s in custom["assist"]["suggestions"] if s["technique"] == technique]
    assert chosen.count(favourite) >= 4, (technique, chosen)


def conversation(first, second, slots=None, agent="agent1"):
    """Two customer turns; the turn action runs after the second."""
    parses = [
        {
            "text": first,
            "intent": {"name": "complaint_defect", "confidence": 0.9},
            "entities": [{"entity": "product", "value": "吹風機"}],
            "sentiment": {"label": "negative", "score": -0.7},
            "complaint": {"is_complaint": True, "type": "complaint_defect", "uncertain": False},
        },
        {
            "text": second,
            "intent": {"name": "inform_order", "confidence": 0.9},
            "entities": [{"entity": "order_id", "value": "KF20261102001"}],
            "sentiment": {"label": "negative", "score": -0.3},
            "metadata": {"kefu": {"agent": agent}},
        },
    ]
    events = [{"event": "user", "text": p["text"], "parse_data": p} for p in parses]
    base = {"complaint_type": "complaint_defect", "product": "吹風機", "order_id": "KF20261102001"}
    return Tracker(
        "conv-b", {**base, **(slots or {})}, parses[-1], events, False, None, {}, "action_listen"
    )


async def test_the_customers_words_become_slots_and_the_question_is_answered(services):
    t = conversation(
        "我上週買的吹風機用兩天就壞了，害我出門前沒辦法吹頭髮",
        "訂單編號 KF20261102001，你們打算怎麼處理？",
    )
    custom, slots = await run(t, "assess")
    assert slots["problem"]["text"] == "您上週買的吹風機用兩天就壞了"
    assert slots["problem"]["source"].startswith("我上週買的吹風機")
    assert slots["impact"]["text"].startswith("害您出門前")
    assert slots["request"] is None
    first = custom["assist"]["suggestions"][0]
    assert first["id"].startswith("answers.how.")
    # the step that fits a broken product: an inspection, then a repair or a replacement applied for
    assert "檢測" in first["text"] and "申請" in first["text"], first["text"]
    assert custom["assist"]["suggestions_basis"] == "confident"


async def test_the_business_setting_reaches_the_wording(services, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(services, "settings", replace(services.settings, business="hotel"))
    custom, _ = await run(tracker(), "clarify")
    texts = " ".join(s["text"] for s in custom["assist"]["suggestions"])
    assert "收貨、使用，還是付款" not in texts


def message(intent="complaint_defect", slots=None, sentiment=None, escalation=None):
    """A tracker whose latest message has no agent and no entities."""
    latest = {
        "text": "吹風機用兩天就壞了",
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [],
        "sentiment": sentiment or {"label": "negative", "score": -0.8},
        "escalation": escalation or {"flag": False, "cues": []},
    }
    return Tracker("conv-1", slots or {}, latest, [], False, None, {}, "action_listen")


async def test_sets_the_analysis_slots_and_tells_the_agent_only(services):
    dispatcher = CollectingDispatcher()
    events = await stages.ActionAssistTurn().run(dispatcher, message(), {})
    analysis = [e["name"] for e in events[:5]]
    assert analysis == [
        "complaint_type",
        "sentiment_history",
        "escalated",
        "escalating",
        "has_order",
    ]
    assert {e["name"]: e["value"] for e in events[:5]} == {
        "complaint_type": "complaint_defect",
        "sentiment_history": [-0.8],
        "escalated": False,
        "escalating": False,
        "has_order": False,
    }
    assert [e.get("name") for e in events[5:]] == [
        "stage",
        "suggested",
        "problem",
        "impact",
        "request",
        "action_listen",
    ]
    summary = dispatcher.messages[0]["custom"]
    assert summary["audience"] == "agent" and "服務或產品問題或瑕疵" in summary["analysis"]
    assert all(
        m["custom"]["audience"] == "agent" and not m.get("text") for m in dispatcher.messages
    )


async def test_the_payload_reads_this_messages_analysis(services):
    """As when the stage action ran after the analysis action: the payload has the
    complaint type and the sentiment of the message it answers."""
    t = message("complaint_price_error", {"sentiment_history": [-0.2]})
    custom, slots = await run(t, "clarify")
    analysis = custom["assist"]["analysis"]
    assert analysis["complaint_type"] == slots["complaint_type"] == "complaint_price_error"
    assert analysis["sentiment_trend"] == slots["sentiment_history"] == [-0.2, -0.8]
    assert "sentiment_drop" in {a["kind"] for a in custom["assist"]["alerts"]}


async def test_appends_to_the_history_and_keeps_escalation(services):
    t = message(
        "thank",
        {"sentiment_history": [-0.8], "complaint_type": "complaint_defect", "escalated": True},
        {"label": "positive", "score": 0.4},
    )
    _, slots = await run(t, "close")
    assert slots["sentiment_history"] == [-0.8, 0.4]
    assert slots["complaint_type"] == "complaint_defect"
    assert slots["escalated"] is True and slots["escalating"] is False


async def test_escalating_is_this_message_only_and_has_order_follows_the_slot(services):
    flagged = message(escalation={"flag": True, "cues": ["消基會"]}, slots={"order_id": "KF1"})
    _, slots = await run(flagged, "refer")
    assert slots["escalating"] is True and slots["escalated"] is True and slots["has_order"] is True
    calm = message("thank", {"escalated": True}, {"label": "positive", "score": 0.5})
    _, slots = await run(calm, "close")
    assert (
        slots["escalating"] is False and slots["escalated"] is True and slots["has_order"] is False
    )


async def test_each_turn_starts_from_the_stage_the_last_one_set(services):
    """A conversation through the action alone: each turn's slots feed the next."""
    slots: dict = {}
    for intent, order, stage in [
        ("complaint_defect", None, "clarify"),
        ("inform_order", "KF20261102001", "assess"),
        ("inform_impact", None, "acknowledge"),
        ("complaint_defect", None, "propose"),
        ("reject_offer", None, "propose"),
        ("accept_offer", None, "agree"),
        ("thank", None, "close"),
    ]:
        if order:
            slots["order_id"] = order  # Rasa fills it from the entity before the action
        _, set_now = await run(message(intent, slots), stage)
        slots.update(set_now)


async def test_a_customers_question_brings_the_fitting_article(services):
    t = tracker()
    t.latest_message["text"] = "請問發票可以打統編嗎？"
    custom, _ = await run(t, "clarify")
    knowledge = custom["assist"]["knowledge"]
    assert knowledge[0]["id"] == "invoice" and knowledge[0]["source"]
    t = tracker()
    t.latest_message["text"] = "好的謝謝你"
    custom, _ = await run(t, "clarify")
    assert custom["assist"]["knowledge"] == []


# --- the tracker the Rasa server sends (bot/channels/speedups.py) ---------------------

LONG_TEXTS = [
    "你好，我上週買的吹風機用兩天就壞了，插電完全沒反應",
    "訂單編號是 KF20261102001",
    "我明天要出差，現在沒得用很困擾",
    "為什麼退款要等這麼久？",
    "如果再拖下去我就要去消基會申訴了",
    "你們到底打算怎麼處理？",
]


def long_tracker(turns):
    """A Rasa tracker of ``turns`` customer messages, each answered by the turn action."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    t = DialogueStateTracker("conv-long", domain.slots)
    t.update(ActionExecuted("action_session_start"))
    t.update(SlotSet("complaint_type", "complaint_defect"))
    t.update(SlotSet("order_id", "KF20261102001"))
    for n in range(turns):
        text = LONG_TEXTS[n % len(LONG_TEXTS)]
        t.update(ActionExecuted("action_listen"))
        intent = {"name": "complaint_defect", "confidence": 0.9}
        parse = {
            "text": text,
            "intent": intent,
            "entities": [],
            "sentiment": {"label": "negative", "score": -0.2 - (n % 5) / 10},
            "escalation": {"flag": False, "cues": []},
            "metadata": {"kefu": {"agent": "agent1"}},
        }
        t.update(UserUttered(text, intent, [], parse))
        if n == turns - 1:
            break
        t.update(ActionExecuted("action_assist_turn"))
        t.update(BotUttered(data={"custom": {"audience": "agent", "assist": {"n": n}}}))
        t.update(SlotSet("stage", "acknowledge"))
        t.update(SlotSet("suggested", [f"s{n}"]))
    return t, domain


def _without_timing(value):
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k != "timing"}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


async def test_the_action_gets_what_it_reads_from_a_long_trackers_trimmed_events(
    services, monkeypatch
):
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    from bot.assist.grounding import FIRST_MESSAGES, LAST_MESSAGES
    from bot.channels import speedups

    speedups.install()
    t, domain = long_tracker(200)
    sent = RemoteAction("action_assist_turn", None)._action_call_format(t, domain)
    whole = t.current_state(EventVerbosity.ALL)  # what Rasa itself sends
    trimmed = sent["tracker"]
    assert {k: v for k, v in trimmed.items() if k != "events"} == {
        k: v for k, v in whole.items() if k != "events"
    }
    users = [e for e in whole["events"] if e["event"] == "user"]
    assert len(users) == 200 and len(trimmed["events"]) < len(whole["events"]) / 10
    window = users[:FIRST_MESSAGES] + users[-LAST_MESSAGES:]
    assert [e for e in trimmed["events"] if e["event"] == "user"] == window
    assert trimmed["events"][-1] == whole["events"][-1]
    # another custom action would still get every event
    other = RemoteAction("action_other", None)._action_call_format(t, domain)
    assert other["tracker"]["events"] == whole["events"]

    # the action answers the same from either (the learned ranking left out: it samples)
    monkeypatch.setattr(stages, "thompson_ranker", lambda stats, rng: None)
    answers = []
    for state in (whole, trimmed):
        dispatcher = CollectingDispatcher()
        events = await stages.ActionAssistTurn().run(dispatcher, Tracker.from_dict(state), {})
        answers.append(_without_timing([events, dispatcher.messages]))
    assert answers[0] == answers[1]
    said = answers[0][1][1]["custom"]["assist"]["analysis"]["customer_said"]
    assert said["problem"]["source"] in LONG_TEXTS[:FIRST_MESSAGES]
