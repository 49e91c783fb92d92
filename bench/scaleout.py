"""Scale-out: two Rasa servers and two action servers behind nginx, sharing one Redis.

    .venv/bin/python bench/scaleout.py                          (levels 20; no pauses; 60 s)
    .venv/bin/python bench/scaleout.py --levels 5 --seconds 20             (a quick check)

Starts the embedded redis-server (``bot.devredis``) with the demo data (agents'
password ``bench-pw``), action servers A and B, and Rasa servers A and B (``rasa run
--enable-api``, each calling its own action server), all on free loopback ports, and
nginx (the Debian package) as a child, configured from bench/nginx.conf.template:
socket.io sticky by a cookie nginx sets, REST to the least busy server (the template
explains why). Then runs bench/load.py's levels twice through nginx: with server A
alone in the upstreams, then with A and B, and prints both tables and the throughput
gain. Two checks on the two-server run:

* stickiness: from nginx's access log, every engine.io session (``sid``) was answered
  by one server only;
* consistency: every conversation's tracker (``GET /conversations/<id>/tracker``, read
  on each Rasa server directly: the proxy does not expose Rasa's HTTP API) holds exactly
  the customer's messages and the agent's replies that were sent, in order, none lost or
  doubled — counting the conversations whose turns were answered by both servers (REST
  turns and replies by the ``X-Upstream`` header nginx adds, a socket customer's turns
  by the server its session stuck to).

The load options are bench/load.py's; ``--think 0`` (the default here) measures what
the servers can take, which is where a second server shows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional, Set, Tuple

import aiohttp
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.assist_latency import _free_port  # noqa: E402
from bot.config import RedisTarget, Settings  # noqa: E402
from bot.demo import load as load_demo  # noqa: E402
from bot.devredis import EmbeddedRedis  # noqa: E402
from bot.devredis import start as start_redis  # noqa: E402
from bot.policy import load_policy  # noqa: E402

PASSWORD = "bench-pw"
TEMPLATE = ROOT / "bench" / "nginx.conf.template"
SHOWN_MISMATCHES = 10  # tracker reads that differ from what was sent, listed in full
# a socket.io request of an engine.io session, and the servers it went to (log_format kefu)
_LOGGED_SID = re.compile(r'"[A-Z]+ /socket\.io/\?\S*[?&]sid=([^&\s"]+)[^"]*" "([^"]*)"')


# ---------------------------------------------------------------- the servers


def _load_demo(redis_url: str) -> None:
    """Demo orders, customers and accounts, as the launcher loads them."""
    settings = Settings.from_env({"REDIS_URL": redis_url})
    roles = {role.name for role in load_policy(ROOT / settings.policy_dir).roles}
    client = redis.Redis.from_url(redis_url)
    try:
        load_demo(client, ROOT / "data" / "demo", roles, PASSWORD)
    finally:
        client.close()


def _env(redis_url: str, action_port: int, data_dir: Path) -> Dict[str, str]:
    """The environment the launcher gives its processes (bot/launcher.py)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(RedisTarget.from_url(redis_url).endpoint_env())
    env.update(
        {
            "REDIS_URL": redis_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "KEFU_DATA_DIR": str(data_dir),  # each server its own outcome spool
            "KEFU_DEMO_PASSWORD": PASSWORD,
            # behind the proxy: the client's address is the last X-Forwarded-For entry
            # (the login throttle counts failures per address)
            "SANIC_PROXIES_COUNT": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    return env


class Servers:
    """The child processes: pairs of (action server, Rasa server) on one Redis."""

    def __init__(self, work: Path, model: Path) -> None:
        self.work, self.model = work, model
        self.redis: Optional[EmbeddedRedis] = None
        self.rasa_ports: Dict[str, int] = {}
        self.processes: Dict[str, subprocess.Popen] = {}
        self.logs: List[BinaryIO] = []

    def start(self, suffixes: List[str]) -> None:
        """Redis with the demo data, then a pair of servers for each suffix."""
        self.redis = start_redis(self.work / "redis", _free_port())
        _load_demo(self.redis.url)
        for suffix in suffixes:
            self._start_pair(suffix)

    def _spawn(self, name: str, args: List[str], env: Dict[str, str]) -> None:
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 - closed by stop()
        self.logs.append(log)
        self.processes[name] = subprocess.Popen(
            [str(Path(sys.executable).parent / "rasa"), *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _start_pair(self, suffix: str) -> None:
        """Action server ``actions-<suffix>`` and Rasa server ``rasa-<suffix>`` calling it."""
        action_port, rasa_port = _free_port(), _free_port()
        env = _env(self.redis.url, action_port, self.work / f"data-{suffix}")
        self._spawn(
            f"actions-{suffix}",
            ["run", "actions", "--actions", "actions", "--port", str(action_port)],
            env,
        )
        self._spawn(
            f"rasa-{suffix}",
            ["run", "--enable-api", "--model", str(self.model), "--interface", "127.0.0.1"]
            + ["--port", str(rasa_port), "--endpoints", "endpoints.yml"]
            + ["--credentials", "credentials.yml"],
            env,
        )
        self.rasa_ports[suffix] = rasa_port

    def wait_ready(self, timeout: float = 600) -> None:
        """Until every Rasa server's health check says ok (model loaded, Redis reachable)."""
        deadline = time.monotonic() + timeout
        for suffix, port in self.rasa_ports.items():
            url = f"http://127.0.0.1:{port}/webhooks/assist/health"
            while not _healthy(url):
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        raise SystemExit(f"{name} exited; see {self.work / name}.log")
                if time.monotonic() > deadline:
                    raise SystemExit(f"rasa-{suffix} not ready; see {self.work}")
                time.sleep(1)

    def pids(self) -> Dict[str, int]:
        return {"redis": self.redis.process.pid} | {n: p.pid for n, p in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs:
            log.close()
        if self.redis is not None:
            self.redis.stop()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return b'"status":"ok"' in response.read().replace(b" ", b"")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


# ---------------------------------------------------------------- nginx


class Nginx:
    """nginx as a child process, from the template, in its own folder."""

    def __init__(self, folder: Path, rasa_ports: List[int]) -> None:
        if shutil.which("nginx") is None:
            raise SystemExit("nginx is not installed: apt-get install -y nginx")
        folder.mkdir(parents=True)
        self.folder, self.port = folder, _free_port()
        config = folder / "nginx.conf"
        config.write_text(render(folder, self.port, rasa_ports))
        self.process = subprocess.Popen(
            ["nginx", "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")]
            + ["-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_listening()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.folder / "error.log").read_text(errors="replace")
                raise SystemExit(f"nginx exited:\n{log[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"nginx does not listen on {self.port}")

    def worker(self) -> Dict[str, int]:
        """The worker process (the master only supervises)."""
        workers = [pid for pid, comm, _ in load.children(self.process.pid) if comm == "nginx"]
        return {"nginx": workers[0]} if workers else {}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # graceful: the access log is complete
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def sessions(self) -> Dict[str, Set[str]]:
        """engine.io sid → the servers that answered its requests, from the access log."""
        servers: Dict[str, Set[str]] = defaultdict(set)
        for line in (self.folder / "access.log").read_text().splitlines():
            match = _LOGGED_SID.search(line)
            if match:  # "$upstream_addr" lists every server tried: "a:1, b:2" or "a:1 : b:2"
                tried = re.split(r"[,:]\s", match.group(2))
                servers[match.group(1)].update(a.strip() for a in tried if a.strip())
        return servers


def render(folder: Path, port: int, rasa_ports: List[int]) -> str:
    """The template with its placeholders filled in."""
    # as root, nginx would run its worker as "nobody", which cannot enter the private folder
    user_line = "user root;" if os.geteuid() == 0 else ""
    text = (
        TEMPLATE.read_text()
        .replace("@@USER_LINE@@", user_line)
        .replace("@@DIR@@", str(folder))
        .replace("@@PORT@@", str(port))
        .replace(
            "@@RASA_SERVERS@@",
            "\n".join(f"        server 127.0.0.1:{p};" for p in rasa_ports),
        )
    )
    if "@@" in text:
        raise SystemExit(f"{TEMPLATE} has a placeholder this script does not fill")
    return text


# ---------------------------------------------------------------- the checks


def _named(upstreams: Set[str], names: Dict[str, str]) -> Set[str]:
    """Server names for upstream addresses."""
    return {names.get(address, address) for address in upstreams if address}


async def _tracker_turns(http: aiohttp.ClientSession, root: str, cid: str) -> List[tuple]:
    async with http.get(f"{root}/conversations/{cid}/tracker") as response:
        events = (await response.json())["events"]
    return [
        (event["event"], event["text"])
        for event in events
        if event["event"] in ("user", "bot") and event.get("text")
    ]


def _expected(conv: load.Conversation) -> List[tuple]:
    """user, bot, user, bot …: each message followed by the reply to it."""
    turns = []
    for number, text in enumerate(conv.sent):
        turns.append(("user", text))
        if number < len(conv.replies):
            turns.append(("bot", conv.replies[number]))
    return turns


async def check(
    levels: List[load.Level], sessions: Dict[str, Set[str]], names: Dict[str, str]
) -> List[str]:
    """Stickiness and tracker consistency of a run behind the proxy, as report lines.
    Each tracker is read from every server (``names``: address → name), directly: Rasa's
    HTTP API is not exposed through the proxy."""
    split = [sid for sid, servers in sessions.items() if len(servers) > 1]
    per_server: Dict[str, int] = defaultdict(int)
    for servers in sessions.values():
        for server in _named(servers, names):
            per_server[server] += 1
    lines = [
        f"Stickiness: {len(sessions)} engine.io sessions through nginx; {len(split)} answered"
        " by more than one server; sessions per server: "
        + ", ".join(f"{n} {c}" for n, c in sorted(per_server.items()))
        + "."
    ]
    conversations = [c for level in levels for c in level.conversations if not c.failed and c.sent]
    both, wrong = 0, []
    semaphore = asyncio.Semaphore(4)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def one(conv: load.Conversation) -> None:
            nonlocal both
            served = _named(set(conv.upstreams), names)
            served |= _named(sessions.get(conv.engine_sid or "", set()), names)
            both += len(served) > 1
            for address, name in names.items():
                async with semaphore:
                    turns = await _tracker_turns(http, f"http://{address}", conv.cid)
                if turns != _expected(conv):
                    wrong.append(f"  {conv.cid} ({conv.channel}) read on {name}: {turns}")

        await asyncio.gather(*(one(conv) for conv in conversations))
    lines.append(
        f"Consistency: {len(conversations)} conversations checked, each tracker read on every"
        f" server ({both} conversations were answered by both servers): "
        f"{len(conversations) * len(names) - len(wrong)} reads hold exactly the messages and"
        f" replies sent, in order; {len(wrong)} do not."
    )
    return lines + wrong[:SHOWN_MISMATCHES]


# ---------------------------------------------------------------- the runs


async def _phase(
    servers: Servers, options: load.Options, suffixes: List[str], folder: Path
) -> Tuple[List[load.Level], List[str]]:
    """bench/load.py's levels through nginx with these Rasa servers in the upstreams, then
    (with more than one) the stickiness and consistency checks."""
    nginx = Nginx(folder, [servers.rasa_ports[s] for s in suffixes])
    watched = {n for s in suffixes for n in (f"rasa-{s}", f"actions-{s}")} | {"redis"}
    names = {f"127.0.0.1:{servers.rasa_ports[s]}": f"rasa-{s}" for s in suffixes}
    try:
        levels = await load.run_levels(
            nginx.url,
            options,
            lambda: {n: p for n, p in servers.pids().items() if n in watched} | nginx.worker(),
            servers.redis.url,
        )
        checks = await check(levels, nginx.sessions(), names) if len(suffixes) > 1 else []
    finally:
        nginx.stop()
    return levels, checks


def _gain(one: List[load.Level], two: List[load.Level]) -> List[str]:
    """Throughput of each level with one server and with two, as a markdown table."""
    lines = [
        "| conversations | turns/s, 1 server | turns/s, 2 servers | gain |",
        "|---|---|---|---|",
    ]
    for a, b in zip(one, two):
        rate_a, rate_b = a.turns / a.wall, b.turns / b.wall
        lines.append(f"| {a.size} | {rate_a:.1f} | {rate_b:.1f} | {rate_b / rate_a:.2f}× |")
    return lines


async def _main(args: argparse.Namespace) -> None:
    options = load.options_from(args, PASSWORD)
    work = Path(tempfile.mkdtemp(prefix="kefu-scaleout-"))
    servers = Servers(work, Path(args.model))
    try:
        servers.start(["a", "b"])
        servers.wait_ready()
        one, _ = await _phase(servers, options, ["a"], work / "nginx-one")
        two, checks = await _phase(servers, options, ["a", "b"], work / "nginx-two")
    finally:
        servers.stop()
    what = "through nginx to {}, one Redis, loopback"
    print("\n".join(load.report(one, options, "One Rasa server " + what.format("rasa-a"))))
    print(
        "\n".join(load.report(two, options, "Two Rasa servers " + what.format("rasa-a and rasa-b")))
    )
    print("\nThroughput gain of the second server (both runs through nginx):\n")
    print("\n".join(_gain(one, two) + [""] + checks + load.footer()))
    print(f"Logs: {work}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    load.add_arguments(parser, levels="20", think="0")
    parser.add_argument(
        "--model", default=os.environ.get("KEFU_MODEL", str(ROOT / "models/kefu.tar.gz"))
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
