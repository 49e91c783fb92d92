"""One customer message through Rasa, for any channel: the assist payload comes back.

Both the REST assist API and the live chat channel call :func:`process_customer_message`:
it parses the text (timed), runs Rasa's dialogue and actions with a collecting output
channel (so nothing the actions say ever reaches the customer), keeps the payload with
the conversation and returns it for the agent's side.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from redis.exceptions import RedisError

from bot.assist.analysis import analysis_payload
from bot.assist.escalation import escalated, escalating
from bot.assist.facts import TurnFacts
from bot.log.events import sent_as, suggestion_outcome
from bot.services import Services
from bot.store.tracker import AppendOnlyRedisTrackerStore

logger = logging.getLogger(__name__)


def escape_command(text: str) -> str:
    """Text starting with "/" would be read by Rasa as an intent command, not parsed."""
    return "／" + text[1:] if text.startswith("/") else text


async def process_customer_message(
    *,
    rasa_agent: Any,
    services: Services,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    cid: str,
    text: str,
    channel: str,
    staff: Optional[str],
    customer_id: Optional[str],
) -> Dict[str, Any]:
    """Run ``text`` as the customer's next message in conversation ``cid``.

    ``staff`` is the username whose authority the compensation marks are for (the caller
    of the REST API, or the agent the conversation is assigned to).
    """
    started = time.perf_counter()
    collector = CollectingOutputChannel()
    message = UserMessage(
        escape_command(text),
        collector,
        cid,
        input_channel=channel,
        metadata={"kefu": {"agent": staff, "customer_id": customer_id}},
    )
    parse_started = time.perf_counter()
    message.parse_data = await rasa_agent.processor.parse_message(message)
    handle_started = time.perf_counter()
    await on_new_message(message)
    handled = time.perf_counter()
    payload, case, action_ms = collect(collector.messages, message.parse_data, cid)
    payload["timing"] = {
        "nlu_ms": round((handle_started - parse_started) * 1000, 2),
        "dialogue_ms": round(max((handled - handle_started) * 1000 - action_ms, 0), 2),
        "actions_ms": round(action_ms, 2),
        "total_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    suggestions = payload.get("suggestions", [])
    complaint = payload["analysis"].get("complaint_type")
    turn = await services.conversations.record_customer_turn(
        cid,
        text,
        payload,
        [{**s, "stage": payload.get("stage"), "complaint_type": complaint} for s in suggestions],
        payload.get("compensation", []),
        case,
        escalated=escalated(payload["analysis"]),
    )
    await log_turn(services, cid, staff, turn, payload)
    return payload


async def log_turn(
    services: Services, cid: str, staff: Optional[str], turn: int, payload: Dict[str, Any]
) -> None:
    """The outcome log's record of one customer turn: what was understood and shown."""
    analysis = payload["analysis"]
    complaint = analysis.get("complaint_type")
    sentiment = analysis.get("sentiment") or {}
    common = {"conversation_id": cid, "agent": staff, "turn": turn}
    events: List[Dict[str, Any]] = [
        {
            **common,
            "action": "message",
            "intent": (analysis.get("intent") or {}).get("name"),
            "complaint_type": complaint,
            "sentiment": sentiment.get("label") or "neutral",
            "score": float(sentiment.get("score") or 0.0),
            "stage": payload.get("stage"),
        }
    ]
    if escalating(analysis):
        cues = (analysis.get("escalation") or {}).get("cues") or []
        events.append({**common, "action": "escalation", "cues": list(cues)})
    events += [
        {
            **common,
            "action": "shown",
            "suggestion_id": suggestion["id"],
            "technique": suggestion["technique"],
            "complaint_type": complaint,
            "stage": payload.get("stage"),
        }
        for suggestion in payload.get("suggestions", [])
    ]
    await services.outcomes.append_many(events)
    if payload.get("suggestions"):
        try:  # statistics for the learned order: best effort, the turn goes on without
            await services.template_stats.record_shown(
                complaint, [s["id"] for s in payload["suggestions"]]
            )
        except RedisError as error:
            logger.warning("template statistics not recorded: %s", error)


REPLY_DETAILS = ("agent", "suggestion_id", "technique", "technique_label", "edited")


async def append_to_tracker(
    rasa_agent: Any, cid: str, make_events: Callable[[float], List[Any]]
) -> None:
    """Add events to the conversation's tracker under Rasa's lock.

    The events are made inside the lock, stamped after the tracker's last event, so the
    tracker's events stay in time order whichever server handled the message before (the
    tracker store appends them after it: bot/store/tracker.py). Our tracker store does it
    without building the tracker; any other (or a new conversation) through one.
    """
    async with rasa_agent.lock_store.lock(cid):
        store = rasa_agent.tracker_store
        store = getattr(store, "_tracker_store", store)  # inside Rasa's FailSafeTrackerStore
        if isinstance(store, AppendOnlyRedisTrackerStore) and store.append_after_last(
            cid, make_events, time.time()
        ):
            return
        tracker = await rasa_agent.tracker_store.get_or_create_tracker(cid)
        last = tracker.events[-1].timestamp if tracker.events else 0.0
        for event in make_events(max(time.time(), last + 0.001)):
            tracker.update(event)
        await rasa_agent.tracker_store.save(tracker)


async def record_reply(
    rasa_agent: Any,
    services: Services,
    username: str,
    cid: str,
    text: str,
    suggestion: Optional[Dict[str, Any]],
    ts: Optional[float] = None,
    *,
    to_customer: bool = True,
) -> Dict[str, Any]:
    """An agent's reply into the tracker (a bot event with metadata), the transcript, the
    live customer's outbox (unless ``to_customer`` is False: it was relayed while Redis
    was away) and the outcome log (used / edited when it came from a suggestion); returns
    the message."""
    edited = suggestion is not None and sent_as(suggestion, text) == "edited"
    details = {
        "agent": username,
        "suggestion_id": suggestion["id"] if suggestion else None,
        "technique": suggestion["technique"] if suggestion else None,
        "technique_label": suggestion.get("technique_label") if suggestion else None,
        "edited": edited,
    }
    message = {"role": "agent", "text": text, "ts": round(ts or time.time(), 3), **details}
    await append_to_tracker(
        rasa_agent, cid, lambda at: [BotUttered(text, metadata={"kefu": details}, timestamp=at)]
    )
    await services.conversations.record_agent_reply(cid, message, to_customer=to_customer)
    if suggestion is not None:
        event = suggestion_outcome(sent_as(suggestion, text), cid, username, suggestion, text)
        await services.outcomes.append(event)
        await count_use(services, suggestion)
    return message


async def count_use(services: Services, suggestion: Dict[str, Any]) -> None:
    """One more use of this template for its complaint type (the learned order)."""
    try:
        await services.template_stats.record_used(
            suggestion.get("complaint_type"), suggestion["id"]
        )
    except RedisError as error:
        logger.warning("template statistics not recorded: %s", error)


def collect(
    messages: List[Dict[str, Any]], parse_data: Dict[str, Any], cid: str
) -> Tuple[Dict[str, Any], Dict[str, Any], float]:
    """The assist payload the turn action sent, the case, and the time the action took
    (its analysis summary and its payload each carry their part)."""
    payload: Optional[Dict[str, Any]] = None
    case: Dict[str, Any] = {}
    action_ms = 0.0
    summary = None
    for message in messages:
        custom = message.get("custom") or {}
        if custom.get("audience") != "agent":
            continue
        action_ms += float((custom.get("timing") or {}).get("action_ms", 0.0))
        if "analysis" in custom and isinstance(custom["analysis"], str):
            summary = custom["analysis"]
        if "assist" in custom:
            payload = dict(custom["assist"])
            case = custom.get("case") or {}
            action_ms += float((payload.pop("timing", None) or {}).get("action_ms", 0.0))
    if payload is None:
        # no turn action answered (the action server is down or failed): still say what
        # was understood, and that suggestions are missing
        payload = {
            "conversation_id": cid,
            "analysis": analysis_payload(TurnFacts.from_tracker(cid, {}, parse_data)),
            "stage": None,
            "suggestions": [],
            "compensation": [],
            "alerts": [
                {
                    "kind": "no_suggestions",
                    "text": "建議暫時無法產生（動作伺服器沒有回應），請直接回覆顧客",
                }
            ],
        }
    payload["analysis"]["summary"] = summary
    return payload, case, action_ms
