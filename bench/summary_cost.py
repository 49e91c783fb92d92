"""What the case summary adds to reading a conversation (docs/case-summary.md).

    .venv/bin/python bench/summary_cost.py [--repeat 30]

The summary is computed on read (bot/channels/summary.py). This starts an embedded Redis,
writes conversations of 10, 100 and 300 customer turns as the system stores them (the
transcript, one ``message`` and three ``shown`` outcome events per turn, a reply every
turn), without and with an offer the customer declined, and prints the median and p95
of reading the view's 100 newest messages and ``case_summary`` per conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis.asyncio  # noqa: E402

from bot.channels.summary import case_summary  # noqa: E402
from bot.devredis import start  # noqa: E402
from bot.log.outcomes import OutcomeLog  # noqa: E402
from bot.store.conversations import Conversations  # noqa: E402
from bot.store.grants import Grants  # noqa: E402

ASSIST = {
    "analysis": {
        "complaint_type": "complaint_defect",
        "customer_said": {"problem": {"text": "您買的吹風機壞了", "source": "我買的吹風機壞了"}},
    },
    "context": {"order": {"id": "KF20261102001", "products": ["吹風機"]}},
}


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _conversation(services, cid: str, turns: int, offer: bool) -> None:
    conversations = services.conversations
    await conversations.create(cid, agent="agent1")
    events = []
    for turn in range(turns):
        await conversations.record_customer_turn(cid, "我買的吹風機壞了", ASSIST, [], [], {})
        await conversations.record_agent_reply(cid, {"role": "agent", "text": "好的", "ts": 0.0})
        events.append(
            {
                "conversation_id": cid,
                "action": "message",
                "turn": turn,
                "intent": "complaint_defect",
                "complaint_type": "complaint_defect",
                "sentiment": "negative",
                "score": -0.5,
                "stage": "clarify",
            }
        )
        for k in range(3):
            events.append(
                {
                    "conversation_id": cid,
                    "action": "shown",
                    "turn": turn,
                    "suggestion_id": f"s{turn}.{k}",
                    "technique": "empathy",
                    "complaint_type": "complaint_defect",
                    "stage": "clarify",
                }
            )
    if offer:
        await conversations.record_offer(cid, "coupon")
        await conversations.record_answer(cid, "coupon", "declined")
        events.append(
            {"conversation_id": cid, "action": "offered", "option_id": "coupon", "cost": 100}
        )
    await services.outcomes.append_many(events)


async def main(repeat: int) -> None:
    folder = Path(tempfile.mkdtemp())
    server = start(folder, _port())
    client = redis.asyncio.Redis(port=server.port)
    services = SimpleNamespace(
        conversations=Conversations(client),
        grants=Grants(client),
        outcomes=OutcomeLog(client, folder / "spool"),
    )
    print("| turns | offer | median ms | p95 ms |")
    print("|---:|---|---:|---:|")
    try:
        for turns in (10, 100, 300):
            for offer in (False, True):
                cid = f"bench-{turns}-{int(offer)}"
                await _conversation(services, cid, turns, offer)
                record = await services.conversations.get(cid)
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    # as the conversation view reads it: its newest 100 messages first
                    tail = await services.conversations.tail(cid, 100)
                    messages = tail.messages if tail.first == 0 else None
                    await case_summary(services, cid, record, messages=messages)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                print(
                    f"| {turns} | {'yes' if offer else 'no'} | "
                    f"{statistics.median(times):.1f} | {p95:.1f} |"
                )
    finally:
        await client.close()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    asyncio.run(main(parser.parse_args().repeat))
