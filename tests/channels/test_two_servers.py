"""Two Rasa servers on one Redis: a customer on one, the agent on the other.

The second server is started here beside the `make run` system (same Redis, same action
server). The agent's reply, posted to server B, reaches the customer connected to server
A through python-socketio's Redis manager; both servers see one tracker.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from tests.helpers.api import call, login
from tests.helpers.live import Customer, wait_for

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def second_server(system, tmp_path_factory):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        {
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(system["redis_port"]),
            "REDIS_DB": "0",
            "REDIS_PASSWORD": "",
            "REDIS_URL": f"redis://127.0.0.1:{system['redis_port']}/0",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{system['action_port']}/webhook",
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    log = open(tmp_path_factory.mktemp("b") / "rasa-b.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "rasa"),
            "run",
            "--enable-api",
            "--model",
            str(system["model"]),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/status", timeout=2):
                break
        except OSError:
            time.sleep(1)
    else:
        process.kill()
        pytest.fail("the second Rasa server did not start")
    yield {**system, "base": base, "assist": f"{base}/webhooks/assist"}
    process.terminate()
    process.wait(60)
    log.close()


async def test_a_reply_on_one_server_reaches_a_customer_on_the_other(system, second_server):
    customer = Customer(system["base"])  # connected to server A
    session_id = await customer.connect()
    await customer.say(session_id, "我買的吹風機用兩天就壞了")
    token = login(second_server, "agent1")  # the agent works on server B
    await wait_for(
        lambda: call(second_server, "GET", f"/conversations/{session_id}", None, token)[0] == 200
    )
    assert call(second_server, "POST", f"/conversations/{session_id}/claim", None, token)[0] == 200
    status, body = await asyncio.to_thread(
        call,
        second_server,
        "POST",
        "/reply",
        {"conversation_id": session_id, "text": "您好，我來幫您查詢。"},
        token,
    )
    assert status == 200 and body["relayed"]
    assert await wait_for(lambda: customer.received) == [{"text": "您好，我來幫您查詢。"}]
    await customer.say(session_id, "訂單編號 KF20261102001")
    await wait_for(
        lambda: (
            len(
                call(second_server, "GET", f"/conversations/{session_id}", None, token)[1][
                    "messages"
                ]
            )
            == 3
        )
    )
    # one tracker, whichever server reads it: two customer turns, one agent turn, in order
    for base in (system["base"], second_server["base"]):
        with urllib.request.urlopen(
            f"{base}/conversations/{session_id}/tracker", timeout=30
        ) as response:
            events = json.loads(response.read())["events"]
        turns = [
            (e["event"], e.get("text"))
            for e in events
            if e["event"] in ("user", "bot") and e.get("text")
        ]
        assert turns == [
            ("user", "我買的吹風機用兩天就壞了"),
            ("bot", "您好，我來幫您查詢。"),
            ("user", "訂單編號 KF20261102001"),
        ]
    await customer.close()
