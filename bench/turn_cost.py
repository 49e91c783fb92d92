"""What one customer turn costs the Rasa server, step by step, in-process.

    .venv/bin/python bench/turn_cost.py [--model models/kefu.tar.gz] [--repeat 300]

A turn is: parse the message (NLU), ask the policies for the next action (→
``action_analyze_message``), ask again (→ ``action_stage_<stage>``), and, in Rasa's
default loop, ask a third time (→ ``action_listen``). The stage actions end the turn
with ``FollowupAction("action_listen")`` (actions/stages.py), so the third prediction is
not made; this script measures what it would cost. It replays a scripted conversation
(a defect complaint: the complaint, the order number, the impact) and times each step at
every turn, each after one untimed call, with the served model. The HTTP calls to the action server,
the tracker store and the lock are not in these figures (bench/assist_latency.py and
bench/load.py measure the whole round trip).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Awaitable, Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(ROOT))

from bench.assist_latency import _percentile  # noqa: E402

# (customer text, intent, the slots the analysis and the stage actions set, the stage)
SCRIPT = [
    ("我買的吹風機壞了，插電完全沒反應", "complaint_defect", {"has_order": False}, "clarify"),
    ("訂單編號 KF20261102001", "inform_order", {"has_order": True}, "assess"),
    ("這樣我明天出差就沒得用了", "inform_impact", {"has_order": True}, "acknowledge"),
]


async def _time(step: Callable[[], Awaitable[object]], repeat: int) -> List[float]:
    """``repeat`` timings of ``step`` in ms, after one untimed call (the warm-up)."""
    await step()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await step()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def measure(model: str, repeat: int) -> Dict[str, List[float]]:
    from rasa.core.agent import Agent
    from rasa.shared.core.events import (
        ActionExecuted,
        SessionStarted,
        SlotSet,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(model)
    processor = agent.processor
    names = agent.domain.action_names_or_texts
    events = [ActionExecuted("action_session_start"), SessionStarted()]
    samples: Dict[str, List[float]] = {
        "parse": [],
        "→ analysis": [],
        "→ stage": [],
        "→ listen": [],
    }

    async def predict(expected: str) -> List[float]:
        """Timings of the policies' prediction on the script so far; it must be ``expected``."""
        tracker = DialogueStateTracker.from_events("bench", events, agent.domain.slots)
        got = names[processor._predict_next_with_tracker(tracker).max_confidence_index]
        if got != expected:
            raise SystemExit(f"the model predicted {got}, the script expects {expected}")

        async def step() -> object:
            return processor._predict_next_with_tracker(tracker)

        return await _time(step, repeat)

    for text, intent, slots, stage in SCRIPT:
        samples["parse"] += await _time(lambda text=text: agent.parse_message(text), repeat)
        parsed = await agent.parse_message(text)
        events += [
            ActionExecuted("action_listen"),
            UserUttered(text, {"name": intent, "confidence": 1.0}, parse_data=parsed),
        ]
        samples["→ analysis"] += await predict("action_analyze_message")
        events += [ActionExecuted("action_analyze_message")]
        events += [SlotSet(name, value) for name, value in slots.items()]
        events += [SlotSet("escalating", False)]
        samples["→ stage"] += await predict(f"action_stage_{stage}")
        events += [ActionExecuted(f"action_stage_{stage}"), SlotSet("stage", stage)]
        samples["→ listen"] += await predict("action_listen")
    return samples


def table(samples: Dict[str, List[float]]) -> List[str]:
    lines = ["| step | median ms | p95 ms | mean ms |", "|---|---|---|---|"]
    for name, values in samples.items():
        lines.append(
            f"| {name} | {statistics.median(values):.2f} | {_percentile(values, 95):.2f} | "
            f"{statistics.mean(values):.2f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models/kefu.tar.gz"))
    parser.add_argument("--repeat", type=int, default=300, help="timings per step and turn")
    args = parser.parse_args()
    if args.repeat < 1:
        raise SystemExit("--repeat wants a positive number")
    if not Path(args.model).exists():
        raise SystemExit(f"no model at {args.model}: run `make train` first")
    samples = asyncio.run(measure(args.model, args.repeat))
    print(f"\nOne customer turn on the Rasa server, in-process, {len(SCRIPT)} turns:")
    print("\n".join(table(samples)))
    print("\n→ listen is the prediction the stage actions' FollowupAction now spares.")


if __name__ == "__main__":
    main()
