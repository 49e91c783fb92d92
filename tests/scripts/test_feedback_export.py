"""The feedback loop end to end: a supervisor corrects a message the model misread,
`make feedback-export` writes it as training data, and the retrained model reads it as
corrected. Real training (NLU only, about 3 minutes on 2 cores)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid

import pytest
import yaml

from tests.conftest import ROOT
from tests.helpers.api import call

pytestmark = pytest.mark.model

TEXT = "你們的客服都不回訊息"  # read as a greeting by the model (found in issue 3)


def test_a_reviewed_correction_changes_the_retrained_models_answer(system, parse, tmp_path):
    before = parse(TEXT)["intent"]["name"]
    target = (
        "complaint_miscommunication"
        if before != "complaint_miscommunication"
        else "complaint_special_request"
    )
    password = system["password"]
    agent = call(system, "POST", "/login", {"username": "agent1", "password": password})[1]
    boss = call(system, "POST", "/login", {"username": "super1", "password": password})[1]
    cid = f"feedback-{uuid.uuid4().hex[:8]}"
    status, _ = call(system, "POST", "/webhook", {"sender": cid, "message": TEXT}, agent["token"])
    assert status == 200
    correction = {"conversation_id": cid, "turn": 0, "complaint_type": target}
    status, stored = call(system, "POST", "/review/corrections", correction, boss["token"])
    assert status == 200 and stored["intent"] == before

    nlu = tmp_path / "nlu"
    shutil.copytree(ROOT / "data/nlu", nlu, ignore=shutil.ignore_patterns("feedback.yml"))
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{system['redis_port']}/0"}
    export = subprocess.run(
        [sys.executable, "-m", "scripts.feedback_export", "--out", str(nlu / "feedback.yml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert export.returncode == 0, export.stdout + export.stderr
    exported = yaml.safe_load((nlu / "feedback.yml").read_text(encoding="utf-8"))
    block = next(b for b in exported["nlu"] if b["intent"] == target)
    assert TEXT in [e["text"] for e in block["examples"]]

    train = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "nlu",
            "--config",
            "config.yml",
            "--nlu",
            str(nlu),
            "--out",
            str(tmp_path / "models"),
            "--fixed-model-name",
            "feedback",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]

    from rasa.core.agent import Agent

    retrained = Agent.load(str(tmp_path / "models" / "feedback.tar.gz"))
    after = asyncio.run(retrained.parse_message(TEXT))["intent"]["name"]
    assert (before, after) == (before, target) and before != target
