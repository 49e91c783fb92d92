"""The review list and the KPIs over a long outcome log: aggregates against the full scan.

    .venv/bin/python bench/kpi_scale.py                       (1,000,000 events, 60 days)
    .venv/bin/python bench/kpi_scale.py --events 100000 --rebuild
    .venv/bin/python bench/kpi_scale.py --old-on 0            (no full-scan timings)

Starts its own redis-server (bot/devredis.py, a free port, a temporary folder; the
append-only file switched off for the fill) and fills it with ``--events`` synthetic
outcome events over ``--days`` Taiwan days: conversations of 2–8 customer messages, each
with its suggestions shown and what the agent did with them, escalations, compensation
(grants, approvals by supervisors), closes, ratings and the odd correction, spread over
``--agents`` agents, some running past midnight. The events go through the log's own
append (``OutcomeLog.append_many``: make_event, then the Lua script that appends and
aggregates), in batches of 2,000, oldest first, with progress printed.

Then it times, ``--repeat`` times each (the median), what the routes compute (without the
HTTP around it): the KPIs of the last 30 days (everyone's, one agent's) and review lists
(filtered; the unfiltered 7-day default for scale), from the aggregates (bot/log/views.py),
as wall-clock time and as CPU time (this process's and the Redis server's, which other work
on a shared machine does not inflate); and, once each, by the full scan of the stream the
routes did before (``OutcomeLog.read``, starting one day before the period as it does when
stream ids are the times events were logged, + bot/log/kpis.py). The full scan is timed
on a log of ``--old-on`` events (default: the same log; 0 skips it), filled the same way.
It checks that both give the same figures, and prints a markdown table. Also measured: the
Redis time per logged event with and without the aggregation (20,000 events, INFO
commandstats), and with ``--rebuild`` the one-off rebuild of the aggregates.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.assist.analysis import COMPLAINT_TYPES  # noqa: E402
from bot.assist.replies import TECHNIQUES  # noqa: E402
from bot.devredis import start  # noqa: E402
from bot.log import aggregates, kpis  # noqa: E402
from bot.log.entries import parse  # noqa: E402
from bot.log.outcomes import STREAM, OutcomeLog  # noqa: E402
from bot.log.rebuild import rebuild  # noqa: E402
from bot.log.views import OutcomeViews  # noqa: E402
from tests.conftest import free_port  # noqa: E402

FIRST_DAY = dt.date(2026, 9, 1)
BATCH = 2000
TYPES = sorted(COMPLAINT_TYPES)
TECHNIQUE_IDS = sorted(TECHNIQUES)
SUPERVISORS = ("super1", "super2", "super3")


def _budget(agent: str) -> int:
    return 50_000 if agent.startswith("super") else 3000


# ---- synthetic conversations ----


def conversation(rng: random.Random, cid: str, agent: str, start: float) -> List[Dict[str, Any]]:
    """One conversation's events, oldest first."""
    events: List[Dict[str, Any]] = []
    now = start
    kind = rng.choice(TYPES)

    def add(action: str, who: Optional[str] = agent, **fields: Any) -> None:
        events.append(
            {"action": action, "conversation_id": cid, "agent": who, "ts": round(now, 3), **fields}
        )

    score = rng.uniform(-0.9, 0.2)
    for turn in range(rng.randint(2, 8)):
        now += rng.uniform(10, 240)
        score = max(-1.0, min(1.0, score + rng.uniform(-0.3, 0.4)))
        label = "negative" if score < -0.2 else "positive" if score > 0.2 else "neutral"
        typed = kind if turn == 0 or rng.random() < 0.7 else None
        add(
            "message",
            turn=turn * 2,
            intent=typed,
            complaint_type=typed,
            sentiment=label,
            score=round(score, 4),
            stage="clarify",
        )
        if rng.random() < 0.08:
            add("escalation", turn=turn * 2, cues=["消基會"])
        shown = rng.sample(TECHNIQUE_IDS, 3)
        for n, technique in enumerate(shown):
            sid = f"{cid}.{turn}.{n}"
            add(
                "shown",
                turn=turn * 2,
                suggestion_id=sid,
                technique=technique,
                complaint_type=kind,
                stage="clarify",
            )
        now += rng.uniform(5, 60)
        fate = rng.random()
        sid, technique = f"{cid}.{turn}.0", shown[0]
        if fate < 0.45:
            add("used", suggestion_id=sid, technique=technique, complaint_type=kind)
        elif fate < 0.7:
            add(
                "edited",
                suggestion_id=sid,
                technique=technique,
                complaint_type=kind,
                similarity=round(rng.uniform(0.5, 0.95), 3),
                text="好的，我們馬上為您處理",
            )
        if rng.random() < 0.2:
            add(
                "dismissed",
                suggestion_id=f"{cid}.{turn}.1",
                technique=shown[1],
                complaint_type=kind,
            )
    cost = 0
    if rng.random() < 0.3:
        option, price = rng.choice((("coupon_200", 200), ("shipping", 80), ("refund_10", 150)))
        add("offered", option_id=option, cost=price)
        add("accepted", who=None, option_id=option, cost=price)
        add("granted", option_id=option, cost=price)
        cost += price
    if rng.random() < 0.04:
        supervisor = rng.choice(SUPERVISORS)
        approval = f"{cid}.a"
        add(
            "approval_requested",
            option_id="refund",
            cost=1200,
            approval_id=approval,
            approver=supervisor,
            reason="顧客要求全額退款",
        )
        now += rng.uniform(30, 600)
        decision = "approved" if rng.random() < 0.7 else "denied"
        add(
            decision,
            who=supervisor,
            option_id="refund",
            cost=1200,
            approval_id=approval,
            requested_by=agent,
        )
        cost += 1200 if decision == "approved" else 0
    if rng.random() < 0.9:
        now += rng.uniform(10, 120)
        handle = round(now - start, 1)
        add(
            "closed",
            resolution=rng.choices(kpis.OUTCOMES[:3], weights=(70, 20, 10))[0],
            compensation=[],
            compensation_cost=cost,
            handle_time_s=handle,
            first_response_s=round(rng.uniform(5, 120), 1),
            note="已處理",
        )
        if rng.random() < 0.5:
            now += rng.uniform(5, 60)
            add(
                "rated",
                who=None,
                rating=rng.choices((1, 2, 3, 4, 5), weights=(5, 5, 15, 35, 40))[0],
            )
    if rng.random() < 0.03:
        now += rng.uniform(3600, 30_000)
        add(
            "corrected",
            who=rng.choice(SUPERVISORS),
            turn=0,
            complaint_type=rng.choice(TYPES),
            sentiment=None,
        )
    return events


def synthetic(total: int, days: int, agents: int, seed: int = 7) -> Iterator[List[Dict[str, Any]]]:
    """``total`` events over ``days`` days, oldest first, a day (or what is due) at a time."""
    rng = random.Random(seed)
    names = [f"agent{n:03d}" for n in range(1, agents + 1)]
    carried: List[Dict[str, Any]] = []
    made = 0
    number = 0
    for day in range(days):
        begin = kpis.day_start(FIRST_DAY + dt.timedelta(days=day))
        due = total * (day + 1) // days
        fresh: List[Dict[str, Any]] = []
        while made < due:
            number += 1
            start = begin + min(rng.betavariate(3, 2) * 86_400, 86_399)  # evenings busier
            found = conversation(rng, f"c{number:07d}", rng.choice(names), start)
            found = found[: total - made]
            made += len(found)
            fresh.extend(found)
        pending = sorted(carried + fresh, key=lambda e: e["ts"])
        end = begin + 86_400
        carried = [e for e in pending if e["ts"] >= end]
        if day == days - 1:
            yield pending
        else:
            yield [e for e in pending if e["ts"] < end]


async def fill(log: OutcomeLog, total: int, days: int, agents: int) -> float:
    """Log the synthetic events through the log's own append; returns the seconds taken."""
    started = time.perf_counter()
    done = 0
    mark = 100_000
    for day_events in synthetic(total, days, agents):
        for at in range(0, len(day_events), BATCH):
            batch = day_events[at : at + BATCH]
            await log.append_many(batch)
            done += len(batch)
            if done >= mark or done == total:
                rate = done / (time.perf_counter() - started)
                print(f"  {done:>9,} events logged ({rate:,.0f}/s)", flush=True)
                mark += 100_000
    return time.perf_counter() - started


# ---- the queries ----


async def _redis_cpu(client) -> float:  # noqa: ANN001
    stats = await client.info("cpu")
    return stats["used_cpu_user"] + stats["used_cpu_sys"]


async def _timed(
    client,  # noqa: ANN001
    work: Callable[[], Awaitable[Any]],
    repeat: int,
    warm_up: bool = True,
) -> Tuple[float, float, Any]:
    """Medians in ms of ``repeat`` runs (after one untimed run): the wall-clock time, and
    the CPU time (this process's and the Redis server's: what other work on the machine
    does not inflate); and the last result."""
    if warm_up:
        await work()
    wall, cpu = [], []
    for _ in range(repeat):
        redis_before = await _redis_cpu(client)
        began, began_cpu = time.perf_counter(), time.process_time()
        result = await work()
        wall.append((time.perf_counter() - began) * 1000)
        python_cpu = time.process_time() - began_cpu
        cpu.append((python_cpu + await _redis_cpu(client) - redis_before) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def _period(days: int, length: int) -> Tuple[dt.date, dt.date]:
    end = FIRST_DAY + dt.timedelta(days=days - 1)
    return end - dt.timedelta(days=length - 1), end


def queries(days: int, agent: str) -> List[Tuple[str, int, Optional[str], Dict[str, str]]]:
    """(label, period length, the KPIs' agent or None for a list, the list's filters)."""
    kind = TYPES[0]
    return [
        ("KPIs, 30 days, everyone", 30, "*", {}),
        (f"KPIs, 30 days, {agent}", 30, agent, {}),
        (f"review list, 30 days, agent={agent}", 30, None, {"agent": agent}),
        ("review list, 30 days, outcome=unresolved", 30, None, {"outcome": "unresolved"}),
        (
            f"review list, 7 days, {kind} + negative",
            7,
            None,
            {"complaint_type": kind, "sentiment": "negative"},
        ),
        (
            f"review list, 30 days, agent={agent} + resolved",
            30,
            None,
            {"agent": agent, "outcome": "resolved"},
        ),
        ("review list, 7 days, no filter", 7, None, {}),
    ]


def _shown(result: Any) -> Tuple[int, str]:
    """How many conversations, and the JSON the route would send (what is compared)."""
    if isinstance(result, dict):
        return result["conversations"], json.dumps(result, sort_keys=True)
    return len(result), json.dumps(result)


async def new_way(views: OutcomeViews, first: dt.date, last: dt.date, agent, filters) -> Any:  # noqa: ANN001
    days = kpis.date_range(first, last)
    if agent is not None:
        counted = await views.tally(days, None if agent == "*" else agent)
        return kpis.figures(counted, _budget)
    return [s.as_dict() for s in await views.summaries(days, **filters)]


async def _start_of(client, since: float) -> str:  # noqa: ANN001
    """The stream id ``OutcomeLog.read`` starts from in production, where an id is the time
    the event was logged: one day before the period. Here every id is a time of the fill,
    so the first event of that day is found by bisection over the ids (about 20 reads)."""
    first = await client.xrange(STREAM, count=1)
    last = await client.xrevrange(STREAM, count=1)
    if not first:
        return "-"
    low = int(first[0][0].split(b"-")[0])
    high = int(last[0][0].split(b"-")[0]) + 1
    while low < high:
        middle = (low + high) // 2
        found = await client.xrange(STREAM, min=str(middle), count=1)
        if found and json.loads(found[0][1][b"event"])["ts"] < since - 86_400:
            low = middle + 1
        else:
            high = middle
    return str(low)


async def old_way(client, first: dt.date, last: dt.date, agent, filters) -> Any:  # noqa: ANN001
    """What the routes computed before: ``OutcomeLog.read`` (XRANGE from one day before
    the period, every event parsed, those of the period kept), then bot/log/kpis.py."""
    days = kpis.date_range(first, last)
    since = kpis.day_start(first)
    until = kpis.day_start(last + dt.timedelta(days=1))
    entries = await client.xrange(STREAM, min=await _start_of(client, since), max="+")
    events, _ = parse(entries)
    events = [e for e in events if since <= e["ts"] < until]
    if agent is not None:
        if agent != "*":
            events = kpis.only_agent(events, agent)
        return kpis.kpis(events, days, _budget)
    return [s.as_dict() for s in kpis.select(kpis.summarize(events).values(), **filters)]


def _same(new: Any, old: Any) -> bool:
    if isinstance(new, dict):  # a day's mean sentiment may differ by a rounding edge (0.001)
        new, old = json.loads(json.dumps(new)), json.loads(json.dumps(old))
        for a, b in zip(new["days"], old["days"]):
            if a["sentiment_mean"] is not None and b["sentiment_mean"] is not None:
                if abs(a["sentiment_mean"] - b["sentiment_mean"]) <= 0.0010001:
                    a["sentiment_mean"] = b["sentiment_mean"]
    return new == old


async def write_cost(port: int, spool: Path, events: int = 20_000) -> Dict[str, float]:
    """Redis time per logged event (µs, INFO commandstats): the append script with the
    aggregation, and the same script while it skips it (about the append before it)."""
    import redis.asyncio

    cost = {}
    for mode in ("without aggregation", "with aggregation"):
        client = redis.asyncio.Redis(port=port, db=1)
        try:
            await client.flushdb()
            if mode == "without aggregation":
                await client.hset(aggregates.META, "state", "rebuilding")
            await client.config_resetstat()
            log = OutcomeLog(client, spool)
            for day_events in synthetic(events, 2, 20, seed=11):
                for at in range(0, len(day_events), BATCH):
                    await log.append_many(day_events[at : at + BATCH])
            stats = await client.info("commandstats")
            cost[mode] = stats["cmdstat_evalsha"]["usec_per_call"]
            await client.flushdb()
        finally:
            await client.close()
    return cost


async def aggregate_memory(client) -> float:  # noqa: ANN001
    """MB the aggregates take (MEMORY USAGE of every kefu:agg:* key)."""
    total = 0
    names = [name async for name in client.scan_iter(aggregates.PATTERN, count=5000)]
    for at in range(0, len(names), 5000):
        async with client.pipeline(transaction=False) as pipe:
            for name in names[at : at + 5000]:
                pipe.memory_usage(name, samples=0)
            total += sum(size or 0 for size in await pipe.execute())
    return total / 2**20


async def time_queries(client, views, args, with_old: bool) -> List[Tuple[Any, ...]]:  # noqa: ANN001
    """(label, conversations, aggregates ms, their CPU ms, full scan ms or None, same)."""
    rows = []
    for label, length, agent, filters in queries(args.days, "agent007"):
        first, last = _period(args.days, length)
        new_ms, new_cpu, new = await _timed(
            client, functools.partial(new_way, views, first, last, agent, filters), args.repeat
        )
        old_ms, same = None, "–"
        if with_old:
            old_ms, _, old = await _timed(
                client,
                functools.partial(old_way, client, first, last, agent, filters),
                1,
                False,
            )
            same = "yes" if _same(new, old) else "NO"
        rows.append((label, _shown(new)[0], new_ms, new_cpu, old_ms, same))
        scan = f" (full scan {old_ms:,.0f} ms)" if old_ms is not None else ""
        print(f"  {label}: {new_ms:,.0f} ms, CPU {new_cpu:,.0f} ms{scan}", flush=True)
    return rows


def _table(rows: List[Tuple[Any, ...]]) -> List[str]:
    lines = [
        "| query | conversations | aggregates ms | their CPU ms | full scan ms | same figures |",
        "|---|---|---|---|---|---|",
    ]
    for label, count, new_ms, new_cpu, old_ms, same in rows:
        old = f"{old_ms:,.0f}" if old_ms is not None else "–"
        lines.append(f"| {label} | {count:,} | {new_ms:,.0f} | {new_cpu:,.0f} | {old} | {same} |")
    return lines


async def measure(args: argparse.Namespace) -> List[str]:
    """Fill, time, and return the report's lines."""
    import redis.asyncio

    report = [f"{dt.date.today().isoformat()}, `{' '.join(['bench/kpi_scale.py', *sys.argv[1:]])}`"]
    old_on = args.events if args.old_on is None else args.old_on
    with tempfile.TemporaryDirectory(prefix="kefu-kpi-") as folder:
        server = start(Path(folder) / "redis", free_port())
        client = redis.asyncio.Redis(port=server.port, socket_timeout=600)
        try:
            await client.config_set("appendonly", "no")
            cost = await write_cost(server.port, Path(folder) / "spool")
            print(f"Redis time per logged event: {cost}")
            log = OutcomeLog(client, Path(folder) / "spool")
            print(f"filling: {args.events:,} events over {args.days} days, {args.agents} agents")
            seconds = await fill(log, args.events, args.days, args.agents)
            memory = (await client.info("memory"))["used_memory"] / 2**20
            conversations = len([k async for k in client.scan_iter("kefu:agg:cday:*", count=5000)])
            report.append(
                f"{await client.xlen(STREAM):,} events over {args.days} days, {conversations:,}"
                f" conversations, {args.agents} agents; filled in {seconds:,.0f} s"
                f" ({args.events / seconds:,.0f} events/s); Redis {memory:,.0f} MB, of which"
                f" the aggregates {await aggregate_memory(client):,.0f} MB. Redis time per"
                f" logged event {cost['with aggregation']:.0f} µs"
                f" ({cost['without aggregation']:.0f} µs without the aggregation)."
            )
            print(report[-1])
            if args.rebuild:
                began = time.perf_counter()
                rebuilt = await rebuild(client, force=True)
                report.append(
                    f"`python -m bot.log.rebuild --force`: {rebuilt.folded:,} events in"
                    f" {time.perf_counter() - began:,.0f} s."
                )
                print(report[-1])
            before = os.getloadavg()[0]
            rows = await time_queries(client, OutcomeViews(client), args, old_on == args.events)
            report.append(
                f"Load average while timing: {before:.1f} → {os.getloadavg()[0]:.1f}"
                f" ({os.cpu_count()} cores)."
            )
        finally:
            await client.close()
            server.stop()
    report += ["", f"Median of {args.repeat} runs (the full scan: one run):", "", *_table(rows)]
    if old_on and old_on != args.events:
        report += ["", *await measure_old_only(args, old_on)]
    return report


async def measure_old_only(args: argparse.Namespace, events: int) -> List[str]:
    """The same queries on a smaller log, with the full scan (too slow on the big one)."""
    import redis.asyncio

    with tempfile.TemporaryDirectory(prefix="kefu-kpi-old-") as folder:
        server = start(Path(folder) / "redis", free_port())
        client = redis.asyncio.Redis(port=server.port, socket_timeout=600)
        try:
            await client.config_set("appendonly", "no")
            print(f"filling a second log: {events:,} events over {args.days} days")
            await fill(OutcomeLog(client, Path(folder) / "spool"), events, args.days, args.agents)
            rows = await time_queries(client, OutcomeViews(client), args, True)
        finally:
            await client.close()
            server.stop()
    return [f"The same on {events:,} events, with the full scan:", "", *_table(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--agents", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--old-on", type=int, default=None, help="time the full scan on a log this long (0: skip)"
    )
    parser.add_argument("--rebuild", action="store_true", help="also time the one-off rebuild")
    report = asyncio.run(measure(parser.parse_args()))
    print("\n" + "\n".join(report))


if __name__ == "__main__":
    main()
