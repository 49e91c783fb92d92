"""Load test: simulated customers and agents, REST and socket.io, at 1 to 100 conversations.

    .venv/bin/python bench/load.py                       (levels 1,10,50,100; 60 s each)
    .venv/bin/python bench/load.py --levels 1,5 --seconds 20          (a quick check)
    .venv/bin/python bench/load.py --think 0 --levels 10,20             (saturation)
    .venv/bin/python bench/load.py --base http://127.0.0.1:8080 --password PW
        [--pid rasa=PID --pid actions=PID --pid redis=PID] [--redis-url redis://…]
                                (a system that is already running; the processes and the
                                 Redis to report on, if they are on this machine)

Without ``--base`` it starts the system as ``make run`` does (bench/assist_latency.py's
``start_system``: embedded Redis, action server, Rasa server, free ports, loopback only,
demo password ``bench-pw``). Every simulated conversation is a customer and an agent:

* even-numbered conversations: the customer's platform posts each message to
  ``POST /webhooks/assist/webhook`` with the agent's token (the conversation is the
  agent's from its first message); the latency is that HTTP round trip;
* odd-numbered ones: the customer is a Rasa web chat widget on socket.io
  (``session_request`` → ``session_confirm``, ``user_uttered``); the latency is from the
  customer's emit to the ``conversation_update`` carrying the suggestions for that message
  on the agent's console (namespace ``/agent``). The agent claims the conversation after
  the first message.

After each customer message the agent replies (``POST /webhooks/assist/reply``) with the
first suggestion's text and id; a socket customer must receive it as ``bot_uttered``
(missing: an error; its delay is the "relay" column). After the last message of the
script the agent closes the conversation and a new customer takes the slot. Agents are
agent1, agent2 and senior1, one console each, conversations spread over them.

Customers pause between messages (``--think``, default uniform 2–6 s, counted from the
agent's reply): that pause is what makes "N concurrent conversations" an amount of live
chat rather than a request rate; ``--think 0`` sends the next message as soon as the
reply is there (saturation). Agents answer as soon as the suggestions are there unless
``--agent-think`` gives them time to read and choose (e.g. ``5-15``): the default is the
harder load; a desk of people is slower on both sides. Each level runs ``--seconds`` (no
new message after that; the turns under way finish) and starts at most
``--max-conversations`` conversations.
Prints one markdown table row per level: latency percentiles (both channels, and each),
throughput, errors, whether the target (p95 ≤ 300 ms, no errors) was met, peak RSS and
CPU of each process (Rasa server, action server, redis-server: sampled from /proc every
0.5 s during the level), Redis's ``used_memory_peak_human`` and its growth per
conversation; then which levels met the target and what was busiest where it was
missed, the machine and the command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import aiohttp
import redis.asyncio as aioredis
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.assist_latency import SCRIPTS, _percentile, start_system  # noqa: E402

AGENTS = ("agent1", "agent2", "senior1")
TARGET_P95_MS = 300.0
SAMPLE_EVERY = 0.5  # seconds between /proc samples
GROWTH_MIN_CONVERSATIONS = 20  # below this, Redis's allocator noise hides the growth
ProcessMap = Callable[[], Dict[str, int]]  # process name → pid, asked at every sample


# ---------------------------------------------------------------- options and records


@dataclass(frozen=True)
class Think:
    """A pause (the customer's between messages, or the agent's before replying): uniform
    in [low, high] seconds."""

    low: float
    high: float

    @classmethod
    def parse(cls, text: str) -> "Think":
        low, _, high = text.partition("-")
        try:
            think = cls(float(low), float(high or low))
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"a pause is '2-6' or '0', not {text!r}") from error
        if think.low < 0 or think.high < think.low:
            raise argparse.ArgumentTypeError(f"a pause wants 0 <= low <= high, not {text!r}")
        return think

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}–{self.high:g}"

    def describe(self) -> str:
        if self.high == 0:
            return "customers send their next message as soon as the agent's reply is there"
        spread = f"{self} s" if self.low == self.high else f"uniform {self} s"
        return f"customers pause {spread} between messages, after the agent's reply"

    def describe_agent(self) -> str:
        if self.high == 0:
            return "agents reply as soon as the suggestions are there"
        spread = f"{self} s" if self.low == self.high else f"uniform {self} s"
        return f"agents take {spread} to read the suggestions and reply"

    def pause(self) -> float:
        return random.uniform(self.low, self.high)


@dataclass
class Options:
    """What one load run does (the command-line options)."""

    levels: List[int]
    seconds: float
    think: Think
    max_conversations: int
    timeout: float
    password: str
    agent_think: Think = Think(0.0, 0.0)


@dataclass
class Conversation:
    """One simulated conversation: what was sent, and where it went."""

    cid: str
    channel: str  # "rest" | "socket"
    agent: str
    sent: List[str] = field(default_factory=list)
    replies: List[str] = field(default_factory=list)
    upstreams: List[str] = field(default_factory=list)  # X-Upstream of each REST answer
    script: List[str] = field(default_factory=list)
    engine_sid: Optional[str] = None  # the socket customer's engine.io session
    failed: bool = False


@dataclass
class Level:
    """One level's conversations and measurements."""

    size: int
    deadline: float
    cap: int
    latency: Dict[str, List[float]] = field(default_factory=lambda: {"rest": [], "socket": []})
    relay: List[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    conversations: List[Conversation] = field(default_factory=list)
    wall: float = 0.0
    processes: Dict[str, Tuple[float, float]] = field(default_factory=dict)  # MB, CPU share
    redis_peak: str = "–"
    redis_growth: Optional[float] = None  # used_memory added per conversation started, KB
    bench_cpu: float = 0.0

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def open(self) -> Optional[Conversation]:
        """The next conversation (REST and socket alternate), or None at the cap or the end.
        A socket customer's id is replaced by the session id the server issues."""
        number = len(self.conversations)
        if number >= self.cap or not self.running():
            return None
        channel = "rest" if number % 2 == 0 else "socket"
        script = SCRIPTS[number // 2 % len(SCRIPTS)]  # every script on both channels
        conversation = Conversation(
            f"load-{uuid.uuid4().hex[:16]}",
            channel,
            AGENTS[number % len(AGENTS)],
            script=script,
        )
        self.conversations.append(conversation)
        return conversation

    def fail(self, conversation: Conversation, kind: str) -> None:
        conversation.failed = True
        self.errors[f"{conversation.channel}: {kind}"] += 1

    @property
    def samples(self) -> List[float]:
        """Every turn's latency (ms), both channels."""
        return self.latency["rest"] + self.latency["socket"]

    @property
    def turns(self) -> int:
        return len(self.samples)


# ---------------------------------------------------------------- the clients


class Api:
    """The REST assist API, shared by all simulated agents and REST platforms."""

    def __init__(self, root: str, timeout: float) -> None:
        self.assist = f"{root}/webhooks/assist"
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=timeout),
        )

    async def post(
        self, path: str, body: Optional[dict], token: Optional[str] = None
    ) -> Tuple[int, dict, str]:
        """Status (0: no answer), JSON body and the answering upstream (behind the proxy)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self.http.post(f"{self.assist}{path}", json=body, headers=headers) as r:
                answer = await r.json(content_type=None)
                return (
                    r.status,
                    answer if isinstance(answer, dict) else {},
                    r.headers.get("X-Upstream", ""),
                )
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return 0, {}, ""

    async def close(self) -> None:
        await self.http.close()


def _socket_client(http: aiohttp.ClientSession) -> socketio.AsyncClient:
    """A python-socketio client on the polling transport (see tests/channels)."""
    return socketio.AsyncClient(
        reconnection=False, handle_sigint=False, http_session=http, request_timeout=30
    )


def _cookie_session() -> aiohttp.ClientSession:
    """A client's own cookie jar, as a browser has: the proxy's sticky cookie lives there.
    ``unsafe``: aiohttp otherwise refuses cookies from an IP address such as 127.0.0.1."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _hang_up(client: socketio.AsyncClient, http: aiohttp.ClientSession) -> None:
    """Close without waiting for the pending long-poll (up to the 25 s ping interval)."""
    await client.eio.disconnect(abort=True)
    await http.close()


class Customer:
    """A Rasa web chat widget: session_request → session_confirm, user_uttered, bot_uttered."""

    def __init__(self) -> None:
        self.http = _cookie_session()
        self.client = _socket_client(self.http)
        self.received: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self._uttered)

    async def _uttered(self, data: dict) -> None:
        await self.received.put((time.perf_counter(), data.get("text")))

    async def connect(self, root: str, timeout: float) -> str:
        """Connect and ask for a new session; returns the conversation id."""
        confirmed = asyncio.get_running_loop().create_future()

        async def session_confirm(session_id: str) -> None:
            if not confirmed.done():
                confirmed.set_result(session_id)

        self.client.on("session_confirm", session_confirm)
        await self.client.connect(
            root, transports=["polling"], socketio_path="/socket.io", wait_timeout=timeout
        )
        await self.client.emit("session_request", {"session_id": None})
        return await asyncio.wait_for(confirmed, timeout)

    @property
    def engine_sid(self) -> Optional[str]:
        return self.client.eio.sid

    async def say(self, cid: str, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": cid})

    async def reply_arrival(self, text: str, timeout: float) -> float:
        """When ``text`` arrived as bot_uttered (perf_counter); TimeoutError if it did not."""

        async def arrival() -> float:
            while True:
                arrived, uttered = await self.received.get()
                if uttered == text:
                    return arrived

        return await asyncio.wait_for(arrival(), timeout)

    async def hang_up(self) -> None:
        await _hang_up(self.client, self.http)


class Desk:
    """The agents: a login token and one console (socket on ``/agent``) per account.

    Consoles hand each ``conversation_update`` that carries suggestions to whoever waits
    for that conversation's message (:meth:`expect`), stamped on arrival.
    """

    def __init__(self, root: str, api: Api, password: str) -> None:
        self.root, self.api, self.password = root, api, password
        self.tokens: Dict[str, str] = {}
        self.consoles: List[Tuple[socketio.AsyncClient, aiohttp.ClientSession]] = []
        self.waiting: Dict[str, Tuple[str, asyncio.Future]] = {}

    async def open(self, timeout: float) -> None:
        for username in AGENTS:
            status, body, _ = await self.api.post(
                "/login", {"username": username, "password": self.password}
            )
            if status != 200:
                raise SystemExit(f"login as {username} failed ({status}): {body}")
            self.tokens[username] = body["token"]
            http = _cookie_session()
            console = _socket_client(http)
            console.on("conversation_update", self._update, namespace="/agent")
            await console.connect(
                self.root,
                transports=["polling"],
                socketio_path="/socket.io",
                namespaces=["/agent"],
                auth={"token": body["token"]},
                wait_timeout=timeout,
            )
            self.consoles.append((console, http))

    async def _update(self, data: dict) -> None:
        message = data.get("message") or {}
        entry = self.waiting.get(data.get("conversation_id"))
        if entry is None or "assist" not in data or message.get("role") != "customer":
            return
        text, future = entry
        if message.get("text") == text and not future.done():
            future.set_result((time.perf_counter(), data["assist"]))

    def expect(self, cid: str, text: str) -> asyncio.Future:
        """A future for (arrival time, assist payload) of ``text`` in conversation ``cid``."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[cid] = (text, future)
        return future

    def done(self, cid: str) -> None:
        self.waiting.pop(cid, None)

    async def close(self) -> None:
        for console, http in self.consoles:
            await _hang_up(console, http)


@dataclass
class Run:
    """Everything the simulated conversations share during a run."""

    root: str
    api: Api
    desk: Desk
    options: Options


# ---------------------------------------------------------------- one conversation


async def _agent_reply(run: Run, level: Level, conv: Conversation, assist: dict) -> Optional[float]:
    """After ``--agent-think``, the agent sends the first suggestion as is; returns when the
    request was sent (perf_counter), or None after recording an error."""
    if run.options.agent_think.high:
        await asyncio.sleep(run.options.agent_think.pause())
    suggestion = assist["suggestions"][0]
    started = time.perf_counter()
    status, body, upstream = await run.api.post(
        "/reply",
        {
            "conversation_id": conv.cid,
            "text": suggestion["text"],
            "suggestion_id": suggestion["id"],
        },
        run.desk.tokens[conv.agent],
    )
    if status != 200:
        level.fail(conv, f"reply HTTP {status} {body.get('error', '')}".strip())
        return None
    conv.replies.append(suggestion["text"])
    conv.upstreams.append(upstream)
    return started


async def _rest_turn(run: Run, level: Level, conv: Conversation, text: str) -> bool:
    """One message through the webhook, then the agent's reply."""
    started = time.perf_counter()
    status, body, upstream = await run.api.post(
        "/webhook", {"sender": conv.cid, "message": text}, run.desk.tokens[conv.agent]
    )
    elapsed = (time.perf_counter() - started) * 1000
    conv.sent.append(text)
    if status != 200 or not body.get("suggestions"):
        level.fail(conv, f"webhook HTTP {status} {body.get('error', 'no suggestions')}")
        return False
    conv.upstreams.append(upstream)
    level.latency["rest"].append(elapsed)
    return await _agent_reply(run, level, conv, body) is not None


async def _socket_turn(
    run: Run, level: Level, conv: Conversation, customer: Customer, text: str, first: bool
) -> bool:
    """One message from the widget to the agent's console, then the reply back to the widget."""
    timeout = run.options.timeout
    pending = run.desk.expect(conv.cid, text)
    started = time.perf_counter()
    await customer.say(conv.cid, text)
    conv.sent.append(text)
    try:
        arrived, assist = await asyncio.wait_for(pending, timeout)
    except asyncio.TimeoutError:
        level.fail(conv, "no suggestions on the console")
        return False
    finally:
        run.desk.done(conv.cid)
    if not assist.get("suggestions"):
        level.fail(conv, "update without suggestions")
        return False
    level.latency["socket"].append((arrived - started) * 1000)
    if first:
        status, body, _ = await run.api.post(
            f"/conversations/{conv.cid}/claim", None, run.desk.tokens[conv.agent]
        )
        if status != 200:
            level.fail(conv, f"claim HTTP {status} {body.get('error', '')}".strip())
            return False
    sent = await _agent_reply(run, level, conv, assist)
    if sent is None:
        return False
    try:
        received = await customer.reply_arrival(conv.replies[-1], timeout)
    except asyncio.TimeoutError:
        level.fail(conv, "reply never reached the customer")
        return False
    level.relay.append((received - sent) * 1000)
    return True


async def _close(run: Run, level: Level, conv: Conversation) -> None:
    status, body, _ = await run.api.post(
        f"/conversations/{conv.cid}/close", {"resolution": "resolved"}, run.desk.tokens[conv.agent]
    )
    if status != 200:
        level.fail(conv, f"close HTTP {status} {body.get('error', '')}".strip())


async def _converse(run: Run, level: Level, conv: Conversation) -> None:
    """Play the conversation's script (stopping at the level's end or the first error), then close."""
    customer: Optional[Customer] = None
    try:
        if conv.channel == "socket":
            customer = Customer()
            try:
                conv.cid = await customer.connect(run.root, run.options.timeout)
            except (socketio.exceptions.ConnectionError, asyncio.TimeoutError) as error:
                level.fail(conv, f"connect: {error or 'timed out'}")
                return
            conv.engine_sid = customer.engine_sid
        for turn, text in enumerate(conv.script):
            if turn:
                await asyncio.sleep(run.options.think.pause())
                if not level.running():
                    return
            if customer is None:
                ok = await _rest_turn(run, level, conv, text)
            else:
                ok = await _socket_turn(run, level, conv, customer, text, first=turn == 0)
            if not ok:
                return
        await _close(run, level, conv)
    finally:
        if customer is not None:
            await customer.hang_up()


async def _slot(run: Run, level: Level) -> None:
    """One of the level's concurrent conversations: a new customer as soon as one ends.
    Slots start spread over one turn's pauses (the customer's and the agent's), so the
    level does not begin with a burst of first messages."""
    await asyncio.sleep(random.uniform(0, run.options.think.high + run.options.agent_think.high))
    while (conv := level.open()) is not None:
        await _converse(run, level, conv)


# ---------------------------------------------------------------- processes and Redis


def _proc_status(pid: int) -> Tuple[float, float]:
    """(resident MB, CPU seconds so far) of ``pid`` from /proc; OSError when it is gone."""
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return rss / 1024, cpu


async def _sample(processes: ProcessMap, level: Level, stop: asyncio.Event) -> None:
    """Peak RSS and CPU share of each process during the level (a restarted process's
    successor counts on)."""
    peak: Dict[str, float] = {}
    cpu: Dict[Tuple[str, int], Tuple[float, float]] = {}  # first, last CPU seconds by pid
    started = time.monotonic()
    while True:
        for name, pid in processes().items():
            try:
                rss, seconds = _proc_status(pid)
            except (OSError, StopIteration):
                continue
            peak[name] = max(peak.get(name, 0.0), rss)
            first, _ = cpu.get((name, pid), (seconds, seconds))
            cpu[(name, pid)] = (first, seconds)
        if stop.is_set():
            break
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)
        except asyncio.TimeoutError:
            pass
    wall = max(time.monotonic() - started, 1e-9)
    for name, rss in peak.items():
        used = sum(last - first for (owner, _), (first, last) in cpu.items() if owner == name)
        level.processes[name] = (rss, used / wall)


async def _redis_memory(redis_url: Optional[str]) -> Tuple[Optional[int], str]:
    """Redis's used_memory (bytes) and used_memory_peak_human, or (None, "–")."""
    if not redis_url:
        return None, "–"
    client = aioredis.Redis.from_url(redis_url)
    try:
        info = await client.info("memory")
    finally:
        await client.close()
    return info["used_memory"], info["used_memory_peak_human"]


def launched_processes(launcher_pid: int, data_dir: Path) -> ProcessMap:
    """The processes `python -m bot.launcher` started: its pid files (``run/*.pid``,
    rewritten when it restarts one), else its children found in /proc."""

    def current() -> Dict[str, int]:
        found: Dict[str, int] = {}
        for pid, comm, argv in children(launcher_pid):
            if comm == "redis-server":  # it rewrites its command line
                found["redis"] = pid
            elif "actions" in argv:
                found["actions"] = pid
            elif "run" in argv:
                found["rasa"] = pid
        for name in ("rasa", "actions"):
            pid_file = data_dir / "run" / f"{name}.pid"
            if pid_file.exists():
                found[name] = int(pid_file.read_text())
        return found

    return current


def children(parent: int) -> List[Tuple[int, str, List[str]]]:
    """(pid, process name, command line) of each child of ``parent``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid != parent:
                continue
            comm = (entry / "comm").read_text().strip()
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        found.append((int(entry.name), comm, argv))
    return found


def launcher_redis_url(launcher_pid: int) -> str:
    """The embedded Redis of the launcher: the port is in its environment."""
    environ = Path(f"/proc/{launcher_pid}/environ").read_bytes().decode(errors="replace")
    variables = dict(item.partition("=")[::2] for item in environ.split("\0") if item)
    return f"redis://127.0.0.1:{variables['KEFU_REDIS_PORT']}/0"


# ---------------------------------------------------------------- levels


async def _run_level(run: Run, size: int, processes: ProcessMap, redis_url: Optional[str]) -> Level:
    options = run.options
    level = Level(size, time.monotonic() + options.seconds, options.max_conversations)
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(processes, level, stop))
    memory_before, _ = await _redis_memory(redis_url)
    cpu_before, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(_slot(run, level) for _ in range(size)))
    level.wall = time.perf_counter() - started
    level.bench_cpu = (time.process_time() - cpu_before) / level.wall
    stop.set()
    await sampler
    memory_after, level.redis_peak = await _redis_memory(redis_url)
    if memory_before is not None and len(level.conversations) >= GROWTH_MIN_CONVERSATIONS:
        level.redis_growth = (memory_after - memory_before) / len(level.conversations) / 1024
    return level


async def _warm_up(run: Run) -> None:
    """One untimed message over each channel (first requests load lazily)."""
    scratch = Level(2, time.monotonic() + 60, 2)
    for _ in range(2):
        conv = scratch.open()
        conv.script = conv.script[:1]
        await _converse(run, scratch, conv)
    if scratch.errors:
        raise SystemExit(f"the warm-up failed: {dict(scratch.errors)}")


async def run_levels(
    root: str, options: Options, processes: ProcessMap, redis_url: Optional[str]
) -> List[Level]:
    """Log the agents in, warm up, then run each level; ``root`` is the server's base URL."""
    api = Api(root, options.timeout)
    desk = Desk(root, api, options.password)
    try:
        await desk.open(options.timeout)
        run = Run(root, api, desk, options)
        await _warm_up(run)
        levels = []
        for size in options.levels:
            levels.append(await _run_level(run, size, processes, redis_url))
            print(f"[load] {size} conversations: {levels[-1].turns} turns", file=sys.stderr)
        return levels
    finally:
        await desk.close()
        await api.close()


# ---------------------------------------------------------------- the report


def _ms(samples: List[float], q: float) -> str:
    return f"{_percentile(samples, q):.0f}" if samples else "–"


def _meets_target(level: Level) -> bool:
    samples = level.samples
    return bool(samples) and not level.errors and _percentile(samples, 95) <= TARGET_P95_MS


def table(levels: List[Level], think: Think, agent_think: Think = Think(0.0, 0.0)) -> List[str]:
    """The markdown table: one row per level."""
    names = sorted({name for level in levels for name in level.processes})
    head = (
        ["conversations", "think s", "agent s", "turns", "turns/s", "p50 ms", "p95 ms", "p99 ms"]
        + ["p95 REST", "p95 socket", "relay p95", "errors", "target met"]
        + [f"{name} peak RSS, CPU" for name in names]
        + ["Redis used_memory_peak", "Redis KB per conversation", "load generator CPU"]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for level in levels:
        samples = level.samples
        row = [
            str(level.size),
            str(think),
            str(agent_think),
            str(level.turns),
            f"{level.turns / level.wall:.1f}",
            _ms(samples, 50),
            _ms(samples, 95),
            _ms(samples, 99),
            _ms(level.latency["rest"], 95),
            _ms(level.latency["socket"], 95),
            _ms(level.relay, 95),
            str(sum(level.errors.values())),
            "✓" if _meets_target(level) else "✗",
        ]
        for name in names:
            rss, cpu = level.processes.get(name, (0.0, 0.0))
            row.append(f"{rss:.0f} MB, {cpu:.0%}" if rss else "–")
        growth = "–" if level.redis_growth is None else f"{level.redis_growth:.0f}"
        row += [level.redis_peak, growth, f"{level.bench_cpu:.0%}"]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _verdict(levels: List[Level]) -> str:
    """Which levels met the target, and for those that did not, what was busiest."""
    met = [str(level.size) for level in levels if _meets_target(level)]
    missed = []
    for level in levels:
        if _meets_target(level):
            continue
        busiest = max(level.processes.items(), key=lambda item: item[1][1], default=None)
        load = f"; busiest: {busiest[0]} at {busiest[1][1]:.0%} of a core" if busiest else ""
        missed.append(
            f"{level.size} (p95 {_ms(level.samples, 95)} ms, "
            f"{sum(level.errors.values())} errors{load})"
        )
    return (
        f"Target p95 ≤ {TARGET_P95_MS:.0f} ms with no errors: met at "
        f"{', '.join(met) or 'no level'}; missed at {', '.join(missed) or 'no level'}."
    )


def machine() -> str:
    """``nproc`` and the CPU model."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{len(os.sched_getaffinity(0))} cores (nproc), {model}"


def command() -> str:
    """How this run was started, relative to the project."""
    exe = os.path.relpath(sys.executable, ROOT)
    return shlex.join([exe, *sys.argv])


def report(levels: List[Level], options: Options, what: str) -> List[str]:
    """What was measured, the table, the verdict and the errors of one run."""
    lines = [
        f"\n{what}: message in → suggestions out; half the conversations over REST, half over"
        f" socket.io; {options.think.describe()}; {options.agent_think.describe_agent()};"
        f" {options.seconds:g} s per level.",
        "",
        *table(levels, options.think, options.agent_think),
        "",
        "relay: the agent's reply from POST /reply to the customer's bot_uttered (socket"
        " customers). CPU: share of one core during the level. Redis used_memory_peak: since"
        " Redis started; KB per conversation: used_memory added during the level per"
        f" conversation started, from {GROWTH_MIN_CONVERSATIONS} conversations on (nothing"
        " expires: trackers, transcripts, outcome events stay).",
        _verdict(levels),
    ]
    for level in levels:
        for kind, count in sorted(level.errors.items()):
            lines.append(f"errors at {level.size}: {count} × {kind}")
    return lines


def footer() -> List[str]:
    """Where and how it was measured."""
    return [f"Machine: {machine()}.", f"Command: `{command()}`"]


# ---------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser, levels: str, think: str) -> None:
    """The options load.py and scaleout.py share."""
    parser.add_argument(
        "--levels", default=levels, help="concurrent conversations per level, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each level")
    parser.add_argument(
        "--think",
        type=Think.parse,
        default=Think.parse(think),
        help="customer's pause between messages in seconds: 'low-high' (uniform) or one number",
    )
    parser.add_argument(
        "--agent-think",
        type=Think.parse,
        default=Think(0.0, 0.0),
        help="agent's pause before replying in seconds: 'low-high' or one number (default 0)",
    )
    parser.add_argument(
        "--max-conversations", type=int, default=2000, help="at most this many per level"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a turn")


def options_from(args: argparse.Namespace, password: str) -> Options:
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    if not levels or min(levels) < 1 or max(levels) > 500:
        raise SystemExit("--levels wants numbers from 1 to 500")
    return Options(
        levels,
        args.seconds,
        args.think,
        args.max_conversations,
        args.timeout,
        password,
        args.agent_think,
    )


def _static_processes(pairs: List[str]) -> ProcessMap:
    pids = {}
    for pair in pairs:
        name, _, pid = pair.partition("=")
        if not pid.isdigit():
            raise SystemExit(f"--pid wants NAME=PID, not {pair!r}")
        pids[name] = int(pid)
    return lambda: dict(pids)


async def _main(args: argparse.Namespace) -> None:
    if args.base:
        options = options_from(args, args.password)
        root = args.base.rstrip("/").removesuffix("/webhooks/assist")
        levels = await run_levels(root, options, _static_processes(args.pid), args.redis_url)
        print("\n".join(report(levels, options, f"Load test against {root}") + footer()))
        return
    options = options_from(args, "bench-pw")
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-load-"))
    process, assist = start_system(Path(args.model), data_dir)
    try:
        processes = launched_processes(process.pid, data_dir)
        root = assist.removesuffix("/webhooks/assist")
        levels = await run_levels(root, options, processes, launcher_redis_url(process.pid))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    what = "Load test, one Rasa server as `make run` starts it, loopback"
    print("\n".join(report(levels, options, what) + footer() + [f"Logs: {data_dir / 'log'}"]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser, levels="1,10,50,100", think="2-6")
    parser.add_argument(
        "--model", default=os.environ.get("KEFU_MODEL", str(ROOT / "models/kefu.tar.gz"))
    )
    parser.add_argument("--base", help="a running system's URL (skips starting one)")
    parser.add_argument("--password", default="bench-pw", help="the agents' password (--base)")
    parser.add_argument(
        "--pid", action="append", default=[], help="NAME=PID of a process to watch (--base)"
    )
    parser.add_argument("--redis-url", help="the Redis to report on (--base)")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
