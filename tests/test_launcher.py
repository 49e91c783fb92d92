"""`make run` for real: embedded Redis, action server and Rasa server, then a conversation.

Slow (two Rasa processes load the model), and the only test that proves the processes,
endpoints.yml and the Redis tracker and lock stores work together.
"""

from __future__ import annotations

import json
import signal
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.conftest import launch

pytestmark = pytest.mark.model


def _post(url: str, payload: dict) -> object:
    request = urllib.request.Request(
        url, json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def running(model_path, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("var")
    process, ports, output = launch(model_path, data_dir, {})
    yield {"ports": ports, "data_dir": data_dir, "process": process, "output": output}
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(60)


def test_the_urls_are_printed(running):
    text = "".join(running["output"])
    assert f"http://127.0.0.1:{running['ports']['KEFU_RASA_PORT']}" in text


def test_model_parse_returns_the_analysis(running):
    base = f"http://127.0.0.1:{running['ports']['KEFU_RASA_PORT']}"
    result = _post(
        f"{base}/model/parse", {"text": "我上週買的吹風機用兩天就壞了，你們到底要不要處理？"}
    )
    assert result["intent"]["name"] == "complaint_defect"
    assert result["sentiment"]["label"] == "negative"
    assert set(result["escalation"]) == {"flag", "cues"}
    assert {"product", "date"} <= {e["entity"] for e in result["entities"]}


def _post_auth(url: str, payload: dict, token: str) -> object:
    request = urllib.request.Request(
        url,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_conversation_runs_the_actions_and_its_tracker_lives_in_redis(running):
    base = f"http://127.0.0.1:{running['ports']['KEFU_RASA_PORT']}"
    # the demo accounts were loaded by the launcher (default password)
    login = _post(f"{base}/webhooks/assist/login", {"username": "agent1", "password": "kefu-demo"})
    assist = _post_auth(
        f"{base}/webhooks/assist/webhook",
        {"sender": "conv-launch-1", "message": "再不處理我就去消基會，叫你們主管出來！"},
        login["token"],
    )
    assert assist["stage"] == "refer"
    assert assist["analysis"]["escalation"]["flag"] is True
    assert len(assist["suggestions"]) == 3
    store = redis.Redis(port=running["ports"]["KEFU_REDIS_PORT"])
    assert store.llen("kefu:tracker-events:conv-launch-1") > 0  # bot/store/tracker.py
    assert store.exists("kefu:order:KF20261102001")  # demo data
    tracker = _get(f"{base}/conversations/conv-launch-1/tracker")
    assert tracker["slots"]["escalated"] is True
    assert tracker["slots"]["stage"] == "refer"
    assert tracker["slots"]["complaint_type"] == "complaint_escalation"


def test_sigterm_stops_everything_and_redis_persisted(running):
    """A service manager's SIGTERM (Ctrl-C takes the same path) stops every process."""
    process = running["process"]
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    assert (Path(running["data_dir"]) / "redis" / "appendonly.aof").exists()
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis(port=running["ports"]["KEFU_REDIS_PORT"], socket_timeout=1).ping()
    for port in (running["ports"]["KEFU_RASA_PORT"], running["ports"]["KEFU_ACTION_PORT"]):
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
