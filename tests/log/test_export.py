"""Reviewed corrections → Rasa NLU YAML, checked by `rasa data validate`."""

from __future__ import annotations

import shutil
import subprocess
import sys

import yaml

from bot.log.export import nlu_yaml, training_examples
from tests.conftest import ROOT

INTENTS = ["complaint_defect", "complaint_miscommunication", "greet"]


def correction(turn, text, intent, complaint=None, sentiment=None):
    return {
        "conversation_id": "c1",
        "turn": turn,
        "text": text,
        "intent": intent,
        "model_sentiment": "neutral",
        "complaint_type": complaint,
        "sentiment": sentiment,
    }


def test_corrections_become_examples_of_the_corrected_intent():
    examples, skipped = training_examples(
        [
            correction(
                0,
                "你們的客服都不回訊息",
                "greet",
                complaint="complaint_miscommunication",
                sentiment="negative",
            ),
            correction(2, "杯子有裂痕", "complaint_defect", sentiment="negative"),
            correction(4, "  ", "greet", complaint="complaint_defect"),
            correction(6, "嗨", "no_such_intent", sentiment="positive"),
            correction(8, "杯子有裂痕", "complaint_defect", sentiment="negative"),
        ],
        INTENTS,
    )
    assert examples == {
        "complaint_miscommunication": [("你們的客服都不回訊息", "negative")],
        "complaint_defect": [("杯子有裂痕", "negative")],
    }
    assert len(skipped) == 3


def test_the_yaml_reads_back_with_quotes_and_newlines():
    text = '他說"明天"到\n結果沒有：#1 問題'
    data = yaml.safe_load(nlu_yaml({"complaint_miscommunication": [(text, "negative")]}))
    assert data["version"] == "3.1"
    assert data["nlu"][0]["examples"][0] == {"text": text, "metadata": {"sentiment": "negative"}}
    assert yaml.safe_load(nlu_yaml({}))["nlu"] == []


def test_rasa_data_validate_accepts_the_export(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data", ignore=shutil.ignore_patterns("demo"))
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    (project / "data/nlu/feedback.yml").write_text(
        nlu_yaml(
            {"complaint_miscommunication": [("客服說好要回電，結果三天都沒消息", "negative")]}
        ),
        encoding="utf-8",
    )
    rasa = [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings"]
    result = subprocess.run(rasa, cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
