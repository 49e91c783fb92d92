"""Webhook round trip of the REST assist API: message in → suggestions out.

    make bench            (or: .venv/bin/python bench/assist_latency.py [--turns 300])

Starts the system as `make run` does (embedded Redis, action server, Rasa server, on
free ports, loopback only), logs in as agent1 and plays scripted complaint
conversations through ``POST /webhooks/assist/webhook``, in three runs:

* 1 conversation, each message sent as soon as the previous answer arrives;
* 10 live conversations at once, each customer taking 1–3 s (uniform, mean 2 s) before
  the next message: a busy live-chat desk, and the target of p95 ≤ 150 ms;
* 10 conversations with no pause at all (closed loop): the saturation throughput.

Prints p50 / p95 / p99 of the round trip seen by the client, throughput, errors, and
where the server's time went: NLU (the parse), dialogue (policies, tracker store and
lock, the call to the action server) and actions (time inside the turn action), as
reported in each answer's ``timing``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, Optional

import aiohttp

ROOT = Path(__file__).resolve().parent.parent

SCRIPTS = [
    [
        "你好，我想反映一個問題",
        "我上週買的吹風機用兩天就壞了，插電完全沒反應",
        "訂單編號是 KF20261102001",
        "我明天要出差，現在沒得用很困擾",
        "那我想要換一台新的",
        "好，就這樣處理，謝謝你",
    ],
    [
        "結帳的時候多收了我 300 元，跟標價不一樣",
        "訂單 KF20260803019，冷氣的價格標 38900 結果刷了 39200",
        "我要你們把差額退給我",
        "這樣不行，我只要退錢",
        "好吧，可以",
    ],
    [
        "我備註不要香菜結果整碗都是香菜",
        "你們到底有沒有在看備註？第三次了！",
        "再不處理我就去消基會申訴，叫你們主管出來",
        "好，那我等主管的電話",
    ],
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def start_system(model: Path, data_dir: Path, extra_env: Optional[Dict[str, str]] = None):
    """`python -m bot.launcher` on free ports (demo password ``bench-pw``), once ready:
    (process, the assist API's URL). ``extra_env`` adds to or overrides its environment."""
    ports = {
        "KEFU_RASA_PORT": _free_port(),
        "KEFU_ACTION_PORT": _free_port(),
        "KEFU_REDIS_PORT": _free_port(),
    }
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        {"KEFU_DATA_DIR": str(data_dir), "KEFU_MODEL": str(model), "KEFU_DEMO_PASSWORD": "bench-pw"}
    )
    env.update(extra_env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in process.stdout:
        if "[kefu] ready" in line:
            break
        if process.poll() is not None:
            raise SystemExit("the system did not start; see " + str(data_dir / "log"))
    return process, f"http://127.0.0.1:{ports['KEFU_RASA_PORT']}/webhooks/assist"


async def run_level(base: str, token: str, concurrency: int, turns: int, warmup: int, think: float):
    samples, server, errors = [], [], 0
    remaining = turns + warmup
    lock = asyncio.Lock()

    async def worker(session: aiohttp.ClientSession, index: int):
        nonlocal remaining, errors
        script_no = index
        while True:
            cid = f"bench-{uuid.uuid4().hex[:10]}"
            for text in SCRIPTS[script_no % len(SCRIPTS)]:
                async with lock:
                    if remaining <= 0:
                        return
                    remaining -= 1
                    counted = remaining < turns
                started = time.perf_counter()
                try:
                    async with session.post(
                        f"{base}/webhook",
                        json={"sender": cid, "message": text},
                        headers={"Authorization": f"Bearer {token}"},
                    ) as response:
                        body = await response.json()
                        ok = response.status == 200 and len(body.get("suggestions", [])) == 3
                except aiohttp.ClientError:
                    ok, body = False, {}
                elapsed = (time.perf_counter() - started) * 1000
                if not counted:
                    continue
                if not ok:
                    errors += 1
                    continue
                samples.append(elapsed)
                server.append(body["timing"])
                if think:
                    await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))
            script_no += 1

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session, i) for i in range(concurrency)))
        wall = time.perf_counter() - started
    return samples, server, errors, wall


async def main_async(args) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    process, base = start_system(Path(args.model), data_dir)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{base}/login", json={"username": "agent1", "password": "bench-pw"}
            ) as response:
                token = (await response.json())["token"]
        rows = []
        runs = [
            (1, 0.0, "back to back"),
            (10, args.think, f"live, {args.think:g} s pauses"),
            (10, 0.0, "saturation"),
        ]
        for concurrency, think, label in runs:
            samples, server, errors, wall = await run_level(
                base, token, concurrency, args.turns, args.warmup, think
            )
            totals = [t["nlu_ms"] + t["dialogue_ms"] + t["actions_ms"] for t in server]
            total = sum(totals) or 1.0
            rows.append(
                (
                    label,
                    concurrency,
                    len(samples),
                    statistics.median(samples),
                    _percentile(samples, 95),
                    _percentile(samples, 99),
                    len(samples) / wall,
                    errors,
                    sum(t["nlu_ms"] for t in server) / total,
                    sum(t["dialogue_ms"] for t in server) / total,
                    sum(t["actions_ms"] for t in server) / total,
                    statistics.mean(s - t for s, t in zip(samples, totals)),
                )
            )
        print(
            "\nREST assist webhook round trip (message in → suggestions out), loopback, this machine"
        )
        print(
            f"{'run':<20} {'conc.':>5} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'turns/s':>8} {'errors':>6}  {'NLU':>5} {'dialog':>6} {'actions':>7}  {'outside ms':>10}"
        )
        for label, c, n, p50, p95, p99, tput, err, nlu, dia, act, outside in rows:
            print(
                f"{label:<20} {c:>5} {n:>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {tput:>8.1f} {err:>6}  {nlu:>5.0%} {dia:>6.0%} {act:>7.0%}  {outside:>10.1f}"
            )
        print(
            "NLU / dialog / actions: shares of the server's handling time; outside: the rest of the"
            " round trip (HTTP, auth, saving the conversation), mean per turn."
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", default=os.environ.get("KEFU_MODEL", str(ROOT / "models/kefu.tar.gz"))
    )
    parser.add_argument("--turns", type=int, default=300, help="measured turns per level")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean pause between a customer's messages (s)"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
