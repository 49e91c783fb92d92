"""The tracker store's share of a turn, as a conversation grows: Rasa's store and ours.

    .venv/bin/python bench/tracker_store.py [--turns 150] [--block 10]

No model and no Rasa server: an embedded Redis on a free port, and each store driven the
way a turn drives it (bot/channels/pipeline.py and Rasa's processor): the customer's
message (read the tracker, add the turn's events, save), then the agent's reply (read,
add one bot event, save). A turn's events are shaped like the ones a real turn stores
(17 events, about 7.5 KB: the user message with its parse data, the two actions, the
slots they set, the assist payload the stage action sends, the reply). Prints the median
milliseconds per block of turns for each store. bench/long_conversation.py measures the
whole turn on the running system.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from rasa.core.tracker_store import RedisTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import footer  # noqa: E402
from bot.devredis import start  # noqa: E402
from bot.store.tracker import AppendOnlyRedisTrackerStore  # noqa: E402
from tests.conftest import free_port  # noqa: E402

_TEXT = "您好，造成您的不便真的很抱歉，我會盡快幫您確認處理的方式。"
_SLOTS = (
    "product",
    "complaint_type",
    "sentiment_history",
    "escalated",
    "escalating",
    "has_order",
    "stage",
    "suggested",
)
DOMAIN = Domain.from_dict({"slots": {name: {"type": "any", "mappings": []} for name in _SLOTS}})


def _customer_events(turn: int) -> List[Event]:
    """What Rasa and the two actions add for one customer message (sizes as measured)."""
    intent = {"name": "complaint_defect", "confidence": 0.93}
    parse = {
        "text": "我上週買的吹風機用兩天就壞了，插電完全沒反應",
        "intent": intent,
        "intent_ranking": [{"name": f"intent_{k}", "confidence": 0.01} for k in range(10)],
        "entities": [{"entity": "product", "value": "吹風機", "start": 5, "end": 8}],
        "sentiment": {"label": "negative", "score": -0.87},
        "escalation": {"flag": False, "cues": []},
    }
    assist = {
        "analysis": {**parse, "complaint_type": "complaint_defect", "sentiment_trend": [-0.8]},
        "stage": "clarify",
        "suggestions": [
            {"id": f"general.clarify.t{k}", "technique": "empathy", "text": _TEXT * 2}
            for k in range(3)
        ],
        "compensation": [{"id": f"o{k}", "label": "折價券", "reason": _TEXT} for k in range(2)],
    }
    return [
        UserUttered(parse["text"], intent, parse["entities"], parse),
        SlotSet("product", "吹風機"),
        ActionExecuted("action_analyze_message"),
        BotUttered(None, {"custom": {"audience": "agent", "analysis": "complaint_defect"}}),
        *(SlotSet(name, turn) for name in ("complaint_type", "sentiment_history", "escalated")),
        *(SlotSet(name, False) for name in ("escalating", "has_order")),
        ActionExecuted("action_stage_clarify"),
        BotUttered(None, {"custom": {"audience": "agent", "assist": assist}}),
        SlotSet("stage", "clarify"),
        SlotSet("suggested", [s["id"] for s in assist["suggestions"]]),
        ActionExecuted("action_listen"),
    ]


async def _step(store: TrackerStore, cid: str, events: List[Event]) -> float:
    started = time.perf_counter()
    tracker: DialogueStateTracker = await store.get_or_create_tracker(cid)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return (time.perf_counter() - started) * 1000


async def measure(port: int, turns: int) -> Dict[str, List[float]]:
    """Milliseconds per turn (message and reply) for each store."""
    stores = {
        "Rasa's RedisTrackerStore": RedisTrackerStore(DOMAIN, "127.0.0.1", port, key_prefix="old"),
        "append-only (bot/store/tracker.py)": AppendOnlyRedisTrackerStore(
            DOMAIN, "127.0.0.1", port, key_prefix="new"
        ),
    }
    results: Dict[str, List[float]] = {}
    for name, store in stores.items():
        costs = []
        for turn in range(turns):
            cost = await _step(store, "long", _customer_events(turn))
            cost += await _step(store, "long", [BotUttered(_TEXT, metadata={"kefu": {}})])
            costs.append(cost)
        results[name] = costs
        print(f"{name}: {turns} turns stored", flush=True)
    return results


def table(results: Dict[str, List[float]], turns: int, block: int) -> List[str]:
    names = list(results)
    lines = [
        "| customer turns | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for first in range(0, turns, block):
        cells = " | ".join(
            f"{statistics.median(results[n][first : first + block]):.1f} ms" for n in names
        )
        lines.append(f"| {first + 1}–{min(first + block, turns)} | {cells} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--block", type=int, default=10)
    args = parser.parse_args()
    server = start(Path(tempfile.mkdtemp(prefix="kefu-store-")), free_port())
    try:
        results = asyncio.run(measure(server.port, args.turns))
    finally:
        server.stop()
    print(
        "\nThe tracker store's time per turn (read, add, save for the customer's message,"
        " then for the agent's reply), median per block:\n"
    )
    print("\n".join(table(results, args.turns, args.block) + footer()))


if __name__ == "__main__":
    main()
