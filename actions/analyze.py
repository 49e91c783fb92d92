"""``action_analyze_message``: the analysis of the latest customer message, for the agent."""

from __future__ import annotations

import time
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.assist.analysis import analyse


class ActionAnalyzeMessage(Action):
    """Updates the complaint type, sentiment history, escalation and order-known slots."""

    def name(self) -> str:
        return "action_analyze_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        started = time.perf_counter()
        analysis = analyse(
            tracker.latest_message or {},
            tracker.get_slot("sentiment_history") or [],
            tracker.get_slot("complaint_type"),
            bool(tracker.get_slot("escalated")),
        )
        # addressed to the agent's side, never relayed to the customer (DESIGN.md §2)
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
            # the two flags the dialogue policy reads (data/rules/stages.yml)
            SlotSet("escalating", analysis.escalating),
            SlotSet("has_order", bool(tracker.get_slot("order_id"))),
        ]
