from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.analyze import ActionAnalyzeMessage


def make_tracker(intent="complaint_defect", slots=None, sentiment=None, escalation=None):
    latest = {
        "text": "吹風機用兩天就壞了",
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [],
        "sentiment": sentiment or {"label": "negative", "score": -0.8},
        "escalation": escalation or {"flag": False, "cues": []},
    }
    return Tracker("conv-1", slots or {}, latest, [], False, None, {}, "action_listen")


async def test_sets_the_slots_and_tells_the_agent_only():
    dispatcher = CollectingDispatcher()
    events = await ActionAnalyzeMessage().run(dispatcher, make_tracker(), {})
    assert {e["name"]: e["value"] for e in events} == {
        "complaint_type": "complaint_defect",
        "sentiment_history": [-0.8],
        "escalated": False,
        "escalating": False,
        "has_order": False,
    }
    assert dispatcher.messages[0]["custom"]["audience"] == "agent"
    assert "服務或產品問題或瑕疵" in dispatcher.messages[0]["custom"]["analysis"]


async def test_appends_to_the_history_and_keeps_escalation():
    tracker = make_tracker(
        "thank",
        {"sentiment_history": [-0.8], "complaint_type": "complaint_defect", "escalated": True},
        {"label": "positive", "score": 0.4},
    )
    events = await ActionAnalyzeMessage().run(CollectingDispatcher(), tracker, {})
    slots = {e["name"]: e["value"] for e in events}
    assert slots["sentiment_history"] == [-0.8, 0.4]
    assert slots["complaint_type"] == "complaint_defect"
    assert slots["escalated"] is True


async def test_escalating_is_this_message_only_and_has_order_follows_the_slot():
    flagged = make_tracker(escalation={"flag": True, "cues": ["消基會"]}, slots={"order_id": "KF1"})
    slots = {
        e["name"]: e["value"]
        for e in await ActionAnalyzeMessage().run(CollectingDispatcher(), flagged, {})
    }
    assert slots["escalating"] is True and slots["escalated"] is True and slots["has_order"] is True
    calm = make_tracker("thank", {"escalated": True}, {"label": "positive", "score": 0.5})
    slots = {
        e["name"]: e["value"]
        for e in await ActionAnalyzeMessage().run(CollectingDispatcher(), calm, {})
    }
    assert (
        slots["escalating"] is False and slots["escalated"] is True and slots["has_order"] is False
    )
