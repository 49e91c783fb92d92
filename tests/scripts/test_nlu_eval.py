import json

import pytest

from scripts.evaluate import confusion, out_of_fold_predictions
from scripts.nlu_eval import accuracy, macro_f1, per_class


def test_per_class_precision_recall_f1():
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    report = per_class(gold, pred, ["a", "b", "c"])
    assert report["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["b"]["precision"] == pytest.approx(2 / 3)
    assert report["b"]["recall"] == 1.0
    assert report["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert macro_f1(report, ["a", "b"]) == pytest.approx((0.5 + 0.8) / 2)


def test_accuracy_skips_unlabelled_examples():
    assert accuracy(["x", None, "y"], ["x", "z", "z"]) == 0.5
    assert accuracy([], []) == 0.0


def test_out_of_fold_predictions_read_rasas_files(tmp_path):
    row = {
        "text": "t1",
        "intent": "greet",
        "intent_prediction": {"name": "thank", "confidence": 0.7},
    }
    (tmp_path / "intent_errors.json").write_text(json.dumps([row]))
    ok = {
        "text": "t2",
        "intent": "greet",
        "intent_prediction": {"name": "greet", "confidence": 0.9},
    }
    (tmp_path / "intent_successes.json").write_text(json.dumps([ok]))
    assert out_of_fold_predictions(tmp_path) == {"t1": ("greet", "thank"), "t2": ("greet", "greet")}


def test_confusion_matrix_buckets_other_intents():
    lines = confusion(
        ["complaint_defect", "complaint_defect", "greet"],
        ["complaint_defect", "thank", "greet"],
    )
    defect_row = next(line for line in lines if line.startswith("| defect |"))
    assert defect_row.split(" | ")[-1].strip(" |") == "1"  # one defect predicted as 'other'
    assert len(lines) == 2 + 6  # header, separator, one row per complaint intent
