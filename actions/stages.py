"""The stage actions: ``action_stage_<stage>`` sets the stage and tells the agent what to say.

The dialogue policy picks one per customer turn (data/rules/stages.yml). Each gathers
the facts (tracker, order and customer profiles, the agent's role and spending) and
hands them to :func:`bot.assist.turn.build_assist`; the payload goes to the agent's
side only (``audience: agent``), never to the customer.
"""

from __future__ import annotations

import logging
import random
import time
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from redis.exceptions import RedisError

from bot.assist.learning import thompson_ranker
from bot.assist.turn import Staff, TurnFacts, build_assist
from bot.services import get_services
from bot.store.grants import today

logger = logging.getLogger(__name__)


class _StageAction(Action, metaclass=ABCMeta):
    @property
    @abstractmethod
    def stage(self) -> str:
        """The stage id (data/replies/strategy.yml); subclasses set it as a class attribute."""

    def name(self) -> str:
        return f"action_stage_{self.stage}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        started = time.perf_counter()
        services = get_services()
        facts = TurnFacts.from_tracker(
            tracker.sender_id, tracker.current_slot_values(), tracker.latest_message or {}
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
                staff = Staff(
                    account.username, account.name, services.policy.role(account.role), spent
                )
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
            self.stage,
            replies=services.replies,
            policy=services.policy,
            today=day,
            staff=staff,
            order=order,
            customer=customer,
            rank=rank,
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
        # A stage action always ends the turn (every rule and story waits for the customer
        # after it), so Rasa need not ask its three policies what comes next.
        return [
            SlotSet("stage", self.stage),
            SlotSet("suggested", suggested),
            FollowupAction("action_listen"),
        ]


class ActionStageClarify(_StageAction):
    stage = "clarify"


class ActionStageAssess(_StageAction):
    stage = "assess"


class ActionStageAcknowledge(_StageAction):
    stage = "acknowledge"


class ActionStagePropose(_StageAction):
    stage = "propose"


class ActionStageAgree(_StageAction):
    stage = "agree"


class ActionStageFollowUp(_StageAction):
    stage = "follow_up"


class ActionStageClose(_StageAction):
    stage = "close"


class ActionStageRefer(_StageAction):
    stage = "refer"
