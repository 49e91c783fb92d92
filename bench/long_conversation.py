"""One long conversation: does a turn cost more as the conversation grows?

    .venv/bin/python bench/long_conversation.py                    (old and new store)
    .venv/bin/python bench/long_conversation.py --tracker-store new --turns 60
    .venv/bin/python bench/long_conversation.py --base http://127.0.0.1:5005 \\
        --password kefu-demo --redis-url redis://127.0.0.1:6390/0     (a running system)

Starts the system as `make run` does (bench/assist_latency.py's ``start_system``: embedded
Redis, action server, Rasa server, free ports, loopback), once per tracker store named by
``--tracker-store`` (default ``old,new``, one after the other in the same run):

* ``new``: the project's endpoints.yml (bot/store/tracker.py, append-only lists);
* ``old``: the same endpoints with Rasa 3.6's own ``RedisTrackerStore`` (the store before
  issue 14: one JSON string per conversation, merged and rewritten on every save),
  through ``KEFU_ENDPOINTS``; ``--old-turns`` gives it a shorter conversation (its turns
  take seconds past turn 50, so 150 of them take the better part of an hour).

Then one conversation of ``--turns`` customer messages (default 150), each posted to
``POST /webhooks/assist/webhook`` as agent1 and answered by the agent at once with the
first suggestion (``POST /webhooks/assist/reply``; a fixed sentence on a turn whose stage
offers none). Prints progress every block of
``--block`` turns, then a table of the median latency per block (message → suggestions,
and the agent's reply), the ratio of the last full block to the first, and the Redis
memory the conversation takes (its keys' ``MEMORY USAGE``, the tracker's apart, and the
growth of ``used_memory``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import aiohttp
import redis.asyncio as aioredis
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.assist_latency import start_system  # noqa: E402
from bench.load import footer, launcher_redis_url  # noqa: E402

# A refund dispute that goes round and round, as long complaint chats do.
MESSAGES = [
    "你好，我上週買的吹風機用兩天就壞了，插電完全沒反應",
    "訂單編號是 KF20261102001",
    "我明天要出差，現在沒得用很困擾",
    "我想要退貨退款，不想換了",
    "為什麼退款要等這麼久？",
    "你們的客服一直叫我等，我已經等很久了",
    "那運費誰要負責？",
    "我要你們把錢全部退給我",
    "這樣的處理我不太能接受",
    "可以幫我查一下退款進度嗎？",
    "上次的專員說會回電，結果都沒有",
    "好，那你們什麼時候會處理好？",
    "我再確認一次，是全額退款對吧？",
    "如果再拖下去我就要去消基會申訴了",
    "好吧，那就先這樣，麻煩你了",
]


@dataclass
class Result:
    """One conversation on one tracker store."""

    store: str
    webhook: List[Optional[float]] = field(default_factory=list)  # ms per turn; None: failed
    reply: List[Optional[float]] = field(default_factory=list)
    dialogue: List[Optional[float]] = field(default_factory=list)  # the server's own timing
    actions: List[Optional[float]] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    without_suggestions: int = 0  # answered, but the stage had none to offer
    tracker_bytes: int = 0
    conversation_bytes: int = 0
    used_memory_growth: int = 0
    tracker_events: Optional[int] = None


def _endpoints(store: str, folder: Path) -> Optional[Path]:
    """The endpoints file for ``store``: None (the project's) for new, Rasa's own for old."""
    if store == "new":
        return None
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    config["tracker_store"] = {
        "type": "redis",  # Rasa 3.6's RedisTrackerStore: the store before issue 14
        "url": "${REDIS_HOST}",
        "port": "${REDIS_PORT}",
        "db": "${REDIS_DB}",
        "password": "${REDIS_PASSWORD}",
        "key_prefix": "kefu",
    }
    path = folder / "endpoints-old.yml"
    # Rasa expands ${VAR} only in plain (unquoted) scalars
    path.write_text(yaml.safe_dump(config).replace("'${", "${").replace("}'", "}"))
    return path


async def _post(
    http: aiohttp.ClientSession, url: str, body: dict, token: str
) -> Tuple[int, dict, float]:
    started = time.perf_counter()
    try:
        async with http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as r:
            answer = await r.json(content_type=None)
            status = r.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        answer, status = {"error": str(error)}, 0
    return (
        status,
        answer if isinstance(answer, dict) else {},
        (time.perf_counter() - started) * 1000,
    )


async def _memory(redis_url: str, cid: str) -> Tuple[int, int, Optional[int]]:
    """Bytes of the conversation's tracker keys, of all its keys, and its tracker events."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        tracker_keys = [
            f"kefu:tracker-events:{cid}",
            f"kefu:tracker-meta:{cid}",
            f"kefu:tracker:{cid}",
        ]
        other = [key async for key in client.scan_iter(match=f"kefu:conv:{cid}*")]
        sizes = {}
        for key in [*tracker_keys, *other]:
            sizes[key] = await client.memory_usage(key, samples=0) or 0
        events = None
        if await client.exists(tracker_keys[0]):
            events = await client.llen(tracker_keys[0])
    finally:
        await client.close()
    tracker = sum(sizes[key] for key in tracker_keys)
    return tracker, sum(sizes.values()), events


async def _used_memory(redis_url: str) -> int:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return int((await client.info("memory"))["used_memory"])
    finally:
        await client.close()


async def converse(
    assist: str, password: str, redis_url: Optional[str], store: str, turns: int, block: int
) -> Result:
    """One conversation of ``turns`` customer messages, each answered by the agent."""
    result = Result(store)
    cid = f"long-{store}-{uuid.uuid4().hex[:8]}"
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        status, login, _ = await _post(
            http, f"{assist}/login", {"username": "agent1", "password": password}, ""
        )
        if status != 200:
            raise SystemExit(f"login failed: HTTP {status} {login}")
        token = login["token"]
        before = await _used_memory(redis_url) if redis_url else 0
        for turn in range(turns):
            text = MESSAGES[turn % len(MESSAGES)]
            status, assist_payload, elapsed = await _post(
                http, f"{assist}/webhook", {"sender": cid, "message": text}, token
            )
            suggestions = assist_payload.get("suggestions") or []
            timing = assist_payload.get("timing") or {}
            result.dialogue.append(timing.get("dialogue_ms"))
            result.actions.append(timing.get("actions_ms"))
            if status != 200:
                result.errors.append(f"turn {turn + 1}: webhook HTTP {status} {assist_payload}")
                result.webhook.append(None)
                result.reply.append(None)
                continue
            result.webhook.append(elapsed)
            reply = {"conversation_id": cid, "text": "好的，我了解，我馬上為您確認。"}
            if suggestions:  # the agent sends the first suggestion as it is
                reply.update(text=suggestions[0]["text"], suggestion_id=suggestions[0]["id"])
            else:
                result.without_suggestions += 1
            status, _, elapsed = await _post(http, f"{assist}/reply", reply, token)
            if status != 200:
                result.errors.append(f"turn {turn + 1}: reply HTTP {status}")
            result.reply.append(elapsed if status == 200 else None)
            if (turn + 1) % block == 0:
                print(
                    f"[{store}] turns {turn + 2 - block}–{turn + 1}: message → suggestions "
                    f"median {_median(result.webhook[-block:])} ms (Rasa's dialogue "
                    f"{_median(result.dialogue[-block:])} ms, actions "
                    f"{_median(result.actions[-block:])} ms), reply median "
                    f"{_median(result.reply[-block:])} ms"
                    f"{f', {len(result.errors)} errors' if result.errors else ''}"
                    f"{f', {result.without_suggestions} turns without suggestions' if result.without_suggestions else ''}",
                    flush=True,
                )
        if redis_url:
            result.used_memory_growth = await _used_memory(redis_url) - before
            result.tracker_bytes, result.conversation_bytes, result.tracker_events = await _memory(
                redis_url, cid
            )
    return result


def _median(values: List[Optional[float]]) -> str:
    present = [v for v in values if v is not None]
    return f"{statistics.median(present):,.0f}" if present else "–"


def _med(values: List[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def table(results: List[Result], turns: int, block: int) -> List[str]:
    """Median per block, side by side for each store; then the ratios and memory."""
    heads = " | ".join(
        f"{r.store}: message → suggestions | {r.store}: dialogue / actions | {r.store}: reply"
        for r in results
    )
    lines = [
        f"| customer turns | {heads} |",
        "|---|" + "---:|" * (3 * len(results)),
    ]
    for first in range(0, turns, block):
        cells = " | ".join(
            f"{_median(r.webhook[first : first + block])} ms"
            f" | {_median(r.dialogue[first : first + block])} / "
            f"{_median(r.actions[first : first + block])} ms"
            f" | {_median(r.reply[first : first + block])} ms"
            for r in results
        )
        lines.append(f"| {first + 1}–{min(first + block, turns)} | {cells} |")
    lines.append("")
    for r in results:
        full = len(r.webhook) // block
        base = _med(r.webhook[:block])
        if full < 2 or not base:
            continue
        ratios = []
        for index in sorted({min(9, full - 1), full - 1}):  # turns 91–100 (the target), the last
            later = _med(r.webhook[index * block : (index + 1) * block])
            if later is not None:
                ratios.append(
                    f"turns {index * block + 1}–{(index + 1) * block}: {later / base:.2f}× "
                    f"({later:,.0f} ms)"
                )
        lines.append(
            f"{r.store}: median against turns 1–{block} ({base:,.0f} ms): "
            f"{'; '.join(ratios)}; {len(r.errors)} errors; {r.without_suggestions} turns"
            " answered without suggestions"
        )
    for r in results:
        for error in r.errors[:5]:
            lines.append(f"{r.store}: {error}")
    for r in results:
        if r.conversation_bytes:
            events = f", {r.tracker_events} events" if r.tracker_events is not None else ""
            lines.append(
                f"{r.store}: Redis memory for the conversation: {r.conversation_bytes / 1024:,.0f} KB"
                f" in its keys, of which the tracker {r.tracker_bytes / 1024:,.0f} KB{events};"
                f" used_memory grew {r.used_memory_growth / 1024:,.0f} KB"
            )
    return lines


async def _main(args: argparse.Namespace) -> None:
    results: List[Result] = []
    if args.base:
        assist = args.base.rstrip("/").removesuffix("/webhooks/assist") + "/webhooks/assist"
        results.append(
            await converse(assist, args.password, args.redis_url, "running", args.turns, args.block)
        )
    for store in [] if args.base else args.tracker_store:
        data_dir = Path(tempfile.mkdtemp(prefix=f"kefu-long-{store}-"))
        endpoints = _endpoints(store, data_dir)
        extra: Dict[str, str] = {"KEFU_ENDPOINTS": str(endpoints)} if endpoints else {}
        print(f"[{store}] starting the system ({endpoints or 'endpoints.yml'})", flush=True)
        process, assist = start_system(Path(args.model), data_dir, extra)
        try:
            redis_url = launcher_redis_url(process.pid)
            turns = args.old_turns if store == "old" and args.old_turns else args.turns
            results.append(await converse(assist, "bench-pw", redis_url, store, turns, args.block))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    print(
        f"\nOne conversation of {args.turns} customer turns over the REST assist API, each"
        " answered by the agent at once with the first suggestion; median latency per block"
        f" of {args.block} turns (old: Rasa 3.6's RedisTrackerStore; new: bot/store/tracker.py)\n"
    )
    print("\n".join(table(results, args.turns, args.block) + footer()))


def _stores(text: str) -> List[str]:
    stores = [s.strip() for s in text.split(",") if s.strip()]
    if not stores or any(s not in ("old", "new") for s in stores):
        raise argparse.ArgumentTypeError(f"--tracker-store wants old, new or old,new, not {text!r}")
    return stores


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tracker-store", type=_stores, default=["old", "new"])
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument(
        "--old-turns",
        type=int,
        help="a shorter conversation for the old store (its turns take seconds past 50)",
    )
    parser.add_argument(
        "--model", default=os.environ.get("KEFU_MODEL", str(ROOT / "models/kefu.tar.gz"))
    )
    parser.add_argument("--base", help="a running system's URL (skips starting one)")
    parser.add_argument("--password", default="kefu-demo", help="agent1's password (--base)")
    parser.add_argument("--redis-url", help="the Redis to report memory from (--base)")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
