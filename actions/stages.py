"""The turn action: ``action_assist_turn`` reads the customer's message, sets the stage and
tells the agent what to say, in one call to the action server per customer message.

The dialogue policy predicts it after every message (data/rules/stages.yml). It
analyses the message (:func:`bot.assist.analysis.analyse`), chooses the stage of the
complaint-handling procedure (:func:`bot.assist.stages.next_stage`, the table the rules
write down), gathers the facts (tracker, order and customer profiles, the agent's role
and spending) and hands them to :func:`bot.assist.turn.build_assist`. What it says goes
to the agent's side only (``audience: agent``), never to the customer: the analysis
summary, then the assist payload.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from redis.exceptions import RedisError

from bot.assist.analysis import analyse
from bot.assist.escalation import escalated
from bot.assist.learning import thompson_ranker
from bot.assist.stages import next_stage
from bot.assist.turn import Staff, TurnFacts, build_assist
from bot.config import Settings
from bot.knowledge import KnowledgeError, KnowledgeIndex, preload, shared_index
from bot.services import get_services
from bot.store.grants import today

logger = logging.getLogger(__name__)


class ActionAssistTurn(Action):
    """One customer message: the analysis, the stage and the assist payload."""

    def __init__(self) -> None:
        # the action server creates its actions as it starts: build the knowledge index
        # then, in the background, not in the first customer's turn
        preload(Settings.from_env(os.environ).knowledge_dir)

    def name(self) -> str:
        return "action_assist_turn"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        analysed = _analyse(dispatcher, tracker)
        slots = {**tracker.current_slot_values(), **{e["name"]: e["value"] for e in analysed}}
        stage = next_stage(
            ((tracker.latest_message or {}).get("intent") or {}).get("name"),
            escalating=slots["escalating"],
            has_order=slots["has_order"],
            previous=tracker.get_slot("stage"),
        )
        return analysed + await _assist(dispatcher, tracker, slots, stage)


def _analyse(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """The analysis of the message: its summary to the agent, the slots it updates."""
    started = time.perf_counter()
    analysis = analyse(
        tracker.latest_message or {},
        tracker.get_slot("sentiment_history") or [],
        tracker.get_slot("complaint_type"),
        escalated(tracker.current_slot_values()),
    )
    # addressed to the agent's side, never relayed to the customer (docs/design.md#a-customer-turn)
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    dispatcher.utter_message(
        json_message={
            "audience": "agent",
            "analysis": analysis.summary,
            "timing": {"action_ms": elapsed},
        }
    )
    return [
        SlotSet("complaint_type", analysis.complaint_type),
        SlotSet("sentiment_history", list(analysis.sentiment_history)),
        SlotSet("escalated", analysis.escalated),
        # the flags the stage is chosen from (bot/assist/stages.py)
        SlotSet("escalating", analysis.escalating),
        SlotSet("has_order", bool(tracker.get_slot("order_id"))),
    ]


async def _knowledge(folder: Path) -> Optional[KnowledgeIndex]:
    """The knowledge index (waits for the preload if it is still building); None, and
    an error in the log, when an article is wrong: the turn goes on without articles."""
    try:
        return await asyncio.to_thread(shared_index, folder)
    except KnowledgeError as error:
        logger.error("knowledge articles not loaded: %s", error)
        return None


async def _assist(
    dispatcher: CollectingDispatcher, tracker: Tracker, slots: Dict[str, Any], stage: str
) -> List[Dict[str, Any]]:
    """The assist payload of ``stage`` to the agent; the slots it updates, then the listen.

    ``slots`` are the tracker's with this turn's analysis in them.
    """
    started = time.perf_counter()
    services = get_services()
    facts = TurnFacts.from_tracker(
        tracker.sender_id,
        slots,
        tracker.latest_message or {},
        tracker.events,
    )
    day = today()
    order = customer = staff = None
    degraded = False
    try:
        order = await services.profiles.order(facts.order_id)
        customer = await services.profiles.customer(
            facts.customer_id or (order.customer_id if order else None)
        )
        account = await services.accounts.get(facts.agent) if facts.agent else None
        if account is not None:
            spent = await services.grants.spent(account.username, day)
            staff = Staff(account.username, account.name, services.policy.role(account.role), spent)
    except RedisError as error:
        # keep helping with what the tracker knows; the grant itself is checked again
        logger.warning("profiles unavailable for %s: %s", tracker.sender_id, error)
        degraded = True
    rank = None
    if not degraded:
        try:  # the template order learned from what agents used (bot/assist/learning.py)
            stats = await services.template_stats.stats(facts.complaint_type)
            rank = thompson_ranker(stats, random.Random())
        except RedisError as error:
            logger.warning("template statistics unavailable: %s", error)
    assist = build_assist(
        facts,
        stage,
        replies=services.replies,
        policy=services.policy,
        today=day,
        staff=staff,
        order=order,
        customer=customer,
        rank=rank,
        business=services.settings.business,
        knowledge=await _knowledge(services.settings.knowledge_dir),
    )
    payload = dict(assist.payload)
    if degraded:
        payload["alerts"] = [
            *payload["alerts"],
            {"kind": "degraded", "text": "顧客與訂單資料暫時無法讀取"},
        ]
    payload["timing"] = {"action_ms": round((time.perf_counter() - started) * 1000, 2)}
    dispatcher.utter_message(
        json_message={"audience": "agent", "assist": payload, "case": assist.case}
    )
    suggested = list(facts.suggested) + [s.id for s in assist.suggestions]
    # The turn action always ends the turn (every rule and story waits for the customer
    # after it), so Rasa need not ask its policy what comes next.
    said = assist.said  # the customer's own words, with the message each is from
    return [
        SlotSet("stage", stage),
        SlotSet("suggested", suggested),
        SlotSet("problem", said.problem.as_slot() if said.problem else None),
        SlotSet("impact", said.impact.as_slot() if said.impact else None),
        SlotSet("request", said.request.as_slot() if said.request else None),
        FollowupAction("action_listen"),
    ]
