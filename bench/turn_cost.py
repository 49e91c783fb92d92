"""What one customer turn costs the Rasa server, step by step, in-process.

    .venv/bin/python bench/turn_cost.py [--model models/kefu.tar.gz]
                                        [--core CORE.tar.gz ...] [--repeat 300]

A turn is: parse the message (NLU), ask the policies for the next action (→
``action_assist_turn``, which analyses the message, chooses the stage and builds the
assist payload on the action server: actions/stages.py), and, in Rasa's default loop, ask
again (→ ``action_listen``). The turn action ends the turn with
``FollowupAction("action_listen")``, so that second prediction is not made; this script
measures what it would cost. A dialogue model from before issue 14 (two actions per turn:
``action_analyze_message``, then one ``action_stage_<stage>``) is timed the way it ran
then: → analysis, → stage, → listen.

It replays a scripted conversation (a defect complaint: the complaint, the order number,
the impact) and times each step at every turn, each after one untimed call. ``--core``
(repeatable) times the predictions of other dialogue models (``rasa train core`` makes
one in a minute without touching the NLU) on the same parse; the models take turns
step by step, so a machine whose load changes during the run slows them alike and the
ratios hold. The HTTP call to the action server, the tracker store and the lock are not
in these figures (bench/assist_latency.py and bench/load.py measure the whole round
trip).
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
from typing import Any, Awaitable, Callable, Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(ROOT))

from bench.assist_latency import _percentile  # noqa: E402

# (customer text, intent, the slots the turn action sets, the stage)
SCRIPT = [
    ("我買的吹風機壞了，插電完全沒反應", "complaint_defect", {"has_order": False}, "clarify"),
    ("訂單編號 KF20261102001", "inform_order", {"has_order": True}, "assess"),
    ("這樣我明天出差就沒得用了", "inform_impact", {"has_order": True}, "acknowledge"),
]
TURN_ACTION = "action_assist_turn"
LISTEN = "→ listen"
Step = Callable[[], Awaitable[object]]


def _steps(agent: Any, parses: Sequence[Dict[str, Any]]) -> List[Tuple[str, Step]]:
    """The script's predictions on ``agent``'s dialogue model, each checked once."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    domain = agent.domain
    names = domain.action_names_or_texts
    one_action = TURN_ACTION in names
    events = [ActionExecuted("action_session_start"), SessionStarted()]
    steps: List[Tuple[str, Step]] = []

    def predict(name: str, expected: str) -> None:
        tracker = DialogueStateTracker.from_events("bench", events, domain.slots)
        got = names[processor._predict_next_with_tracker(tracker).max_confidence_index]
        if got != expected:
            raise SystemExit(f"the model predicted {got}, the script expects {expected}")

        async def step() -> object:
            return processor._predict_next_with_tracker(tracker)

        steps.append((name, step))

    for (text, intent, slots, stage), parsed in zip(SCRIPT, parses):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(text, {"name": intent, "confidence": 1.0}, parse_data=parsed),
        ]
        analysed = [SlotSet(name, value) for name, value in slots.items()]
        analysed += [SlotSet("escalating", False)]
        if one_action:
            predict("→ turn", TURN_ACTION)
            events += [ActionExecuted(TURN_ACTION), *analysed, SlotSet("stage", stage)]
        else:
            predict("→ analysis", "action_analyze_message")
            events += [ActionExecuted("action_analyze_message"), *analysed]
            predict("→ stage", f"action_stage_{stage}")
            events += [ActionExecuted(f"action_stage_{stage}"), SlotSet("stage", stage)]
        predict(LISTEN, "action_listen")
    return steps


async def measure(
    model: str, cores: Sequence[str], repeat: int
) -> Dict[str, Dict[str, List[float]]]:
    """Timings in ms, per dialogue model (by file name) and step: ``repeat`` rounds in
    which every step of every model runs once, after one untimed round."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(model)
    parses = [await agent.parse_message(text) for text, *_ in SCRIPT]
    dialogues = {Path(model).name: agent}
    for core in cores:
        dialogues[core if Path(core).name in dialogues else Path(core).name] = Agent.load(core)
    parse: List[Tuple[str, Step]] = [
        ("parse", lambda text=text: agent.parse_message(text)) for text, *_ in SCRIPT
    ]
    plans = {label: parse + _steps(dialogue, parses) for label, dialogue in dialogues.items()}
    samples: Dict[str, Dict[str, List[float]]] = {
        label: {name: [] for name, _ in plan} for label, plan in plans.items()
    }
    for round_ in range(repeat + 1):
        for label, plan in plans.items():
            for name, step in plan:
                started = time.perf_counter()
                await step()
                if round_:  # the first round warms every step up
                    samples[label][name].append((time.perf_counter() - started) * 1000)
    return samples


def table(samples: Dict[str, List[float]]) -> List[str]:
    """One model's steps; "policies per turn" adds the medians of the predictions Rasa
    makes per turn (all but → listen, which the FollowupAction spares)."""
    lines = ["| step | median ms | p95 ms | mean ms |", "|---|---|---|---|"]
    for name, values in samples.items():
        lines.append(
            f"| {name} | {statistics.median(values):.2f} | {_percentile(values, 95):.2f} | "
            f"{statistics.mean(values):.2f} |"
        )
    made = [statistics.median(v) for name, v in samples.items() if name not in ("parse", LISTEN)]
    lines.append(f"| policies per turn | {sum(made):.2f} | | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models/kefu.tar.gz"))
    parser.add_argument(
        "--core",
        action="append",
        default=[],
        help="another dialogue model to time on the same parse (repeatable)",
    )
    parser.add_argument("--repeat", type=int, default=300, help="timings per step and turn")
    args = parser.parse_args()
    if args.repeat < 1:
        raise SystemExit("--repeat wants a positive number")
    for path in [args.model, *args.core]:
        if not Path(path).exists():
            raise SystemExit(f"no model at {path}: run `make train` first")
    results = asyncio.run(measure(args.model, args.core, args.repeat))
    for label, samples in results.items():
        print(f"\n{label}: one customer turn on the Rasa server, in-process, {len(SCRIPT)} turns")
        print("\n".join(table(samples)))
    print("\n→ listen is the prediction the FollowupAction of the last action of a turn spares.")


if __name__ == "__main__":
    main()
