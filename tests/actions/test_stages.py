"""The stage actions with a real Redis holding the demo data."""

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


def tracker(slots=None, agent="agent1", score=-0.7, flag=False, intent="complaint_defect"):
    latest = {
        "text": "我的吹風機用兩天就壞了",
        "intent": {"name": intent, "confidence": 0.93},
        "entities": [{"entity": "product", "value": "吹風機"}],
        "sentiment": {"label": "negative", "score": score},
        "escalation": {"flag": flag, "cues": ["消基會"] if flag else []},
        "metadata": {"kefu": {"agent": agent}},
    }
    base = {"complaint_type": "complaint_defect", "sentiment_history": [score], "product": "吹風機"}
    return Tracker(
        "conv-a", {**base, **(slots or {})}, latest, [], False, None, {}, "action_listen"
    )


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return dispatcher.messages[0]["custom"], slots


async def test_propose_with_the_order_known_fills_details_and_marks_options(services):
    custom, slots = await run(stages.ActionStagePropose(), tracker({"order_id": "KF20261102001"}))
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
    custom, _ = await run(
        stages.ActionStagePropose(), tracker({"order_id": "KF20261102001"}, agent="super1")
    )
    assert all(o["within_authority"] for o in custom["assist"]["compensation"])


async def test_suggestions_do_not_repeat_across_turns(services):
    suggested: list = []
    texts: list = []
    for _ in range(4):
        custom, slots = await run(
            stages.ActionStageAcknowledge(), tracker({"suggested": suggested})
        )
        suggested = slots["suggested"]
        texts += [s["text"] for s in custom["assist"]["suggestions"]]
    assert len(texts) == len(set(texts)) == 12


async def test_unknown_order_and_escalation_raise_alerts(services):
    custom, _ = await run(
        stages.ActionStageRefer(), tracker({"order_id": "KF99999999999"}, flag=True, score=-0.9)
    )
    kinds = {a["kind"] for a in custom["assist"]["alerts"]}
    assert {"escalation", "anger", "order_unknown"} <= kinds


async def test_redis_down_still_suggests(services, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    async def broken(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(services.profiles, "order", broken)
    custom, slots = await run(stages.ActionStageClarify(), tracker())
    assert len(custom["assist"]["suggestions"]) == 3
    assert "degraded" in {a["kind"] for a in custom["assist"]["alerts"]}


async def test_the_wording_agents_use_comes_first(services):
    """The learned order: with one empathy template used on almost every showing for
    defects, the stage action puts it first among the empathy wordings."""
    first, _ = await run(stages.ActionStageAcknowledge(), tracker({"order_id": "KF20261102001"}))
    empathy = [s for s in first["assist"]["suggestions"] if s["technique"] == "empathy"]
    fitting = [
        t.id
        for t in services.replies.templates
        if t.technique == "empathy"
        and t.stage == "acknowledge"
        and t.complaint_type in ("any", "complaint_defect")
        and not t.sentiments
        and t.placeholders <= {"customer", "product", "order_id", "agent"}  # all known here
    ]
    favourite = next(t for t in fitting if not empathy or t != empathy[0]["id"])
    for _ in range(60):
        await services.template_stats.record_shown("complaint_defect", [favourite])
        await services.template_stats.record_used("complaint_defect", favourite)
    for other in fitting:
        if other != favourite:
            for _ in range(30):
                await services.template_stats.record_shown("complaint_defect", [other])
    chosen = []
    for _ in range(5):
        custom, _ = await run(
            stages.ActionStageAcknowledge(), tracker({"order_id": "KF20261102001"})
        )
        chosen += [s["id"] for s in custom["assist"]["suggestions"] if s["technique"] == "empathy"]
    assert chosen.count(favourite) >= 4
