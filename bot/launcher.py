"""``make run``: Redis (embedded unless REDIS_URL is set), the action server, the Rasa server.

Starts each process, waits until it answers, prints the URLs, and stops everything
cleanly on Ctrl-C or when one of the processes dies. Logs go to ``var/log/``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List

from bot.assist.replies import RepliesError
from bot.channels import pages
from bot.config import ConfigError, Settings
from bot.demo import DemoDataError
from bot.devredis import EmbeddedRedis, RedisStartError, start
from bot.policy import PolicyError


class _Stop(Exception):
    """Raised by the signal handler: stop everything cleanly."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def _say(text: str) -> None:
    print(f"[kefu] {text}", flush=True)


def _wait_http(url: str, process: subprocess.Popen, name: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = 0.0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{name} exited (code {process.returncode}). Log tail:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() - last > 10:
            _say(f"waiting for {name} …")
            last = time.monotonic()
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s; see {log}")


def _spawn(args: List[str], env: Dict[str, str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "ab")  # noqa: SIM115 - lives as long as the child
    return subprocess.Popen(args, env=env, stdout=handle, stderr=subprocess.STDOUT)


def _load_demo(settings: Settings, url: str) -> None:
    """Demo orders, customers and accounts, so the assistant has context on a bare machine."""
    import redis

    from bot.assist.replies import load_replies
    from bot.demo import load
    from bot.policy import load_policy

    load_replies(settings.replies_dir)  # a broken template file stops here, in a sentence
    roles = {role.name for role in load_policy(settings.policy_dir).roles}
    client = redis.Redis.from_url(url)
    try:
        counts = load(client, Path("data/demo"), roles, settings.demo_password)
    finally:
        client.close()
    _say("demo data loaded: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


RESTART_LIMIT = 5  # restarts of one process within RESTART_WINDOW before giving up
RESTART_WINDOW = 120.0


def _write_pids(run_dir: Path, processes: Dict[str, subprocess.Popen]) -> None:
    """``<name>.pid`` for each child: for operators (and the fault tests)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for name, process in processes.items():
        (run_dir / f"{name}.pid").write_text(f"{process.pid}\n")


def _supervise(
    services: Dict[str, tuple], env: Dict[str, str], children: List[subprocess.Popen], run_dir: Path
) -> int:
    """Keep the action server and the Rasa server running: a process that exits is
    started again (it resumes from Redis: trackers, locks, everything a conversation
    needs); one that keeps exiting stops everything."""
    started: Dict[str, List[float]] = {name: [] for name in services}
    while True:
        time.sleep(1)
        for name, (process, args, log) in list(services.items()):
            if process.poll() is None:
                continue
            now = time.monotonic()
            recent = [t for t in started[name] if now - t < RESTART_WINDOW]
            if len(recent) >= RESTART_LIMIT:
                _say(
                    f"the {name} exited {RESTART_LIMIT} times within {RESTART_WINDOW:.0f} s "
                    f"(code {process.returncode}); stopping. See {log}"
                )
                return 1
            _say(f"the {name} exited (code {process.returncode}); starting it again. See {log}")
            replacement = _spawn(args, env, log)
            children[children.index(process)] = replacement
            services[name] = (replacement, args, log)
            started[name] = [*recent, now]
            _write_pids(run_dir, {"actions" if name == "action server" else "rasa": replacement})


def run(settings: Settings, bin_dir: Path) -> int:
    """Start all processes and block until interrupted or until one dies."""
    if not settings.model_path.exists():
        _say(f"no trained model at {settings.model_path}: run `make train` first")
        return 2
    logs = settings.data_dir / "log"
    redis_server: EmbeddedRedis | None = None
    children: List[subprocess.Popen] = []
    try:
        if settings.redis_url is None:
            _say(
                f"starting embedded Redis on port {settings.embedded_redis_port} "
                f"(data in {settings.data_dir / 'redis'})"
            )
            redis_server = start(settings.data_dir / "redis", settings.embedded_redis_port)
        target = settings.redis_target()
        if settings.redis_url is None or settings.load_demo:
            _load_demo(settings, target.url)
        else:
            # never overwrite accounts and profiles in a Redis someone else runs
            _say("REDIS_URL is set: demo data not loaded (KEFU_LOAD_DEMO=1 loads it)")
        env = {
            **os.environ,
            **target.endpoint_env(),
            "REDIS_URL": target.url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
        }
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        _say("starting the action server")
        action_args = [
            str(bin_dir / "rasa"),
            "run",
            "actions",
            "--actions",
            "actions",
            "--port",
            str(settings.action_port),
        ]
        actions = _spawn(action_args, env, logs / "actions.log")
        children.append(actions)
        _say("starting the Rasa server (loading the model takes a little while)")
        rasa_args = [
            str(bin_dir / "rasa"),
            "run",
            "--enable-api",
            "--model",
            str(settings.model_path),
            "--interface",
            settings.host,
            "--port",
            str(settings.rasa_port),
            "--endpoints",
            str(settings.endpoints),
            "--credentials",
            "credentials.yml",
        ]
        rasa = _spawn(rasa_args, env, logs / "rasa.log")
        children.append(rasa)
        _write_pids(settings.data_dir / "run", {"actions": actions, "rasa": rasa})
        _wait_http(
            f"http://127.0.0.1:{settings.action_port}/health",
            actions,
            "action server",
            logs / "actions.log",
            120,
        )
        _wait_http(
            f"http://127.0.0.1:{settings.rasa_port}/status",
            rasa,
            "Rasa server",
            logs / "rasa.log",
            300,
        )
        base = f"http://{settings.host}:{settings.rasa_port}"
        assist = f"{base}/webhooks/assist"
        page = pages.urls(base)
        print(
            f"\n  Customer chat    {page['chat']}\n"
            f"  Agent console    {page['console']}\n"
            f"  Supervisors      {page['supervisor']}  (review, approvals, KPIs)\n"
            f"  Rasa server      {base}\n"
            f'  NLU parse        curl -s {base}/model/parse -d \'{{"text":"我上週買的吹風機用兩天就壞了"}}\'\n'
            f"  Assist API       {assist}/  (docs/openapi.yaml; health: {assist}/health)\n"
            f"  Live chat        {base}/socket.io  (Rasa's socket.io protocol; agents: namespace /agent)\n"
            f"  Demo accounts    agent1, agent2, senior1, super1 (password: $KEFU_DEMO_PASSWORD, default kefu-demo)\n"
            f"  Action server    http://127.0.0.1:{settings.action_port}/health\n"
            f"  Redis            {target.url if settings.redis_url is None else '(REDIS_URL)'}\n"
            f"  Logs             {logs}/\n",
            flush=True,
        )
        _say("ready (Ctrl-C stops everything)")
        return _supervise(
            {
                "action server": (actions, action_args, logs / "actions.log"),
                "Rasa server": (rasa, rasa_args, logs / "rasa.log"),
            },
            env,
            children,
            settings.data_dir / "run",
        )
    except (KeyboardInterrupt, _Stop):
        _say("stopping")
        return 0
    except (RuntimeError, RedisStartError, PolicyError, RepliesError, DemoDataError) as error:
        _say(str(error))
        return 1
    finally:
        for child in children:
            if child.poll() is None:
                # SIGTERM, not SIGINT: a process started in the background inherits an
                # ignored SIGINT, and Sanic shuts down gracefully on SIGTERM
                child.terminate()
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis_server is not None:
            redis_server.stop()


def main() -> int:
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as error:
        _say(str(error))
        return 2
    # Ctrl-C and a service manager's SIGTERM both stop everything; set explicitly
    # because a background start inherits SIGINT as ignored
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    return run(settings, Path(sys.executable).parent)


if __name__ == "__main__":
    sys.exit(main())
