"""`make eval`: how well the assistant reads customers, in one table.

1. ``rasa test nlu --cross-validation --folds 5`` on ``data/nlu`` (Rasa's own
   cross-validation, the real pipeline trained five times): per-intent precision /
   recall / F1 and the confusion matrix of the test folds.
2. Sentiment, 5-fold cross-validation of the sentiment classifier on the same data. Each
   held-out message is read with the intent that Rasa's cross-validation predicted for
   it out of fold, exactly as at run time (where DIET's prediction is the feature).
3. The held-out set ``tests/nlu_holdout.yml`` (written separately, never trained on),
   parsed by the trained model ``models/kefu.tar.gz``: intents, sentiment, escalation.

Prints the table and writes it to ``results/eval.md`` (and the figures to
``results/eval.json``).
"""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from scripts.nlu_eval import (
    COMPLAINT_INTENTS,
    Labelled,
    accuracy,
    load_examples,
    macro_f1,
    parse_all,
    per_class,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
FOLDS = 5
SEED = 42
TARGET_MACRO_F1 = 0.90
TARGET_SENTIMENT = 0.90
SHORT = {
    "complaint_demanding": "demanding",
    "complaint_escalation": "escalation",
    "complaint_price_error": "price_error",
    "complaint_special_request": "special_req",
    "complaint_miscommunication": "miscomm",
    "complaint_defect": "defect",
}


def _step(text: str) -> None:
    print(f"\n[eval] {text}", flush=True)


def run_rasa_cross_validation(output: Path) -> None:
    """Rasa's own 5-fold cross-validation; its progress goes to the terminal."""
    rasa = Path(sys.executable).parent / "rasa"
    subprocess.run(
        [
            str(rasa),
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(FOLDS),
            "--out",
            str(output),
            "--successes",
            "--no-plot",
        ],
        cwd=ROOT,
        check=True,
    )


def out_of_fold_predictions(output: Path) -> Dict[str, Tuple[str, str]]:
    """text → (gold intent, predicted intent) from Rasa's cross-validation files."""
    predictions = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        path = output / name
        for row in json.loads(path.read_text(encoding="utf-8")) if path.exists() else []:
            predictions[row["text"]] = (row["intent"], row["intent_prediction"]["name"])
    return predictions


def sentiment_cross_validation(
    examples: Sequence[Labelled], predicted_intent: Dict[str, str]
) -> Tuple[List[str], List[str]]:
    """5-fold CV of the sentiment classifier, stratified by label; (gold, predicted)."""
    import jieba
    import yaml

    from bot.nlu.dictionary import traditional_dictionary
    from bot.nlu.sentiment_model import PolarityLexicon, SentimentExample, SentimentModel
    from bot.nlu.tokenizer import build_segmenter, segment

    jieba.setLogLevel(logging.WARNING)
    segmenter = build_segmenter(
        traditional_dictionary(ROOT / ".cache"), sorted((ROOT / "data/dict/domain").glob("*.txt"))
    )
    lexicon = PolarityLexicon.from_dict(
        yaml.safe_load((ROOT / "data/dict/sentiment_lexicon.yml").read_text(encoding="utf-8"))
    )
    labelled = [e for e in examples if e.sentiment]
    words = [tuple(t.text for t in segment(segmenter, e.text)) for e in labelled]
    by_label: Dict[str, List[int]] = {}
    for i, e in enumerate(labelled):
        by_label.setdefault(e.sentiment, []).append(i)
    rng = random.Random(SEED)
    fold_of = {}
    for indices in by_label.values():
        rng.shuffle(indices)
        for position, i in enumerate(indices):
            fold_of[i] = position % FOLDS
    gold, pred = [], []
    for fold in range(FOLDS):
        train = [
            SentimentExample(words[i], labelled[i].intent, labelled[i].sentiment)
            for i in range(len(labelled))
            if fold_of[i] != fold
        ]
        model = SentimentModel.train(train, lexicon)
        for i in (i for i in range(len(labelled)) if fold_of[i] == fold):
            intent = predicted_intent.get(labelled[i].text, labelled[i].intent)
            gold.append(labelled[i].sentiment)
            pred.append(model.predict(SentimentExample(words[i], intent)).label)
        print(f"  sentiment fold {fold + 1}/{FOLDS} done", flush=True)
    return gold, pred


def confusion(gold: Sequence[str], pred: Sequence[str]) -> List[str]:
    """Markdown confusion matrix over the complaint intents (rows: true, columns: predicted)."""
    columns = list(COMPLAINT_INTENTS) + ["other"]

    def bucket(intent: str) -> str:
        return intent if intent in COMPLAINT_INTENTS else "other"

    counts = Counter((g, bucket(p)) for g, p in zip(gold, pred) if g in COMPLAINT_INTENTS)
    lines = ["| true \\ predicted | " + " | ".join(SHORT.get(c, c) for c in columns) + " |"]
    lines.append("|---" * (len(columns) + 1) + "|")
    for row in COMPLAINT_INTENTS:
        cells = [str(counts[(row, c)]) if counts[(row, c)] else "·" for c in columns]
        lines.append(f"| {SHORT[row]} | " + " | ".join(cells) + " |")
    return lines


def intent_table(
    cv: Dict[str, Dict], holdout: Dict[str, Dict], intents: Sequence[str]
) -> List[str]:
    lines = [
        "| intent | CV P | CV R | CV F1 | CV n | holdout P | holdout R | holdout F1 | holdout n |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for intent in intents:
        c, h = cv.get(intent, {}), holdout.get(intent, {})

        def cells(r: Dict) -> str:
            if not r:
                return "– | – | – | –"
            return f"{r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | {r['support']}"

        lines.append(f"| {intent} | {cells(c)} | {cells(h)} |")
    return lines


def main() -> int:
    os.chdir(ROOT)
    model = Path(os.environ.get("KEFU_MODEL", "models/kefu.tar.gz"))
    cv_dir = RESULTS / "cross_validation"

    _step(f"1/3 Rasa cross-validation, {FOLDS} folds (trains the pipeline {FOLDS} times)")
    run_rasa_cross_validation(cv_dir)
    rasa_report = json.loads((cv_dir / "intent_report.json").read_text(encoding="utf-8"))
    oof = out_of_fold_predictions(cv_dir)
    cv_gold = [g for g, _ in oof.values()]
    cv_pred = [p for _, p in oof.values()]
    training = [e for f in sorted((ROOT / "data/nlu").glob("*.yml")) for e in load_examples(f)]
    intents = sorted({e.intent for e in training})
    cv_report = {
        k: {
            "precision": v["precision"],
            "recall": v["recall"],
            "f1": v["f1-score"],
            "support": v["support"],
        }
        for k, v in rasa_report.items()
        if k in intents
    }

    _step("2/3 sentiment cross-validation with out-of-fold intents")
    s_gold, s_pred = sentiment_cross_validation(training, {t: p for t, (_, p) in oof.items()})

    _step(f"3/3 held-out set tests/nlu_holdout.yml with {model}")
    holdout = load_examples(ROOT / "tests/nlu_holdout.yml")
    parsed = parse_all(model, [e.text for e in holdout])
    h_gold = [e.intent for e in holdout]
    h_pred = [r["intent"]["name"] for r in parsed]
    h_report = per_class(h_gold, h_pred, intents)
    h_sent_gold = [e.sentiment for e in holdout]
    h_sent_pred = [r["sentiment"]["label"] for r in parsed]
    escalation_msgs = [r for e, r in zip(holdout, parsed) if e.intent == "complaint_escalation"]
    other_msgs = [r for e, r in zip(holdout, parsed) if e.intent != "complaint_escalation"]
    figures = {
        "cv_complaint_macro_f1": macro_f1(cv_report, COMPLAINT_INTENTS),
        "cv_intent_accuracy": accuracy(cv_gold, cv_pred),
        "cv_sentiment_accuracy": accuracy(s_gold, s_pred),
        "holdout_complaint_macro_f1": macro_f1(h_report, COMPLAINT_INTENTS),
        "holdout_intent_accuracy": accuracy(h_gold, h_pred),
        "holdout_sentiment_accuracy": accuracy(h_sent_gold, h_sent_pred),
        "holdout_escalation_flag_recall": sum(r["escalation"]["flag"] for r in escalation_msgs)
        / max(1, len(escalation_msgs)),
        "holdout_escalation_false_flag_rate": sum(r["escalation"]["flag"] for r in other_msgs)
        / max(1, len(other_msgs)),
        "training_examples": len(training),
        "holdout_examples": len(holdout),
    }

    def mark(value: float, target: float) -> str:
        return "met" if value >= target else f"below target {target:.2f}"

    lines = [
        "# NLU evaluation",
        "",
        f"Training data: {len(training)} examples in data/nlu; held-out set: {len(holdout)} "
        "examples in tests/nlu_holdout.yml (never trained on).",
        "",
        "| figure | 5-fold CV | held-out set | target |",
        "|---|---|---|---|",
        f"| complaint-intent macro-F1 | {figures['cv_complaint_macro_f1']:.3f} "
        f"({mark(figures['cv_complaint_macro_f1'], TARGET_MACRO_F1)}) | "
        f"{figures['holdout_complaint_macro_f1']:.3f} | ≥ {TARGET_MACRO_F1:.2f} (CV) |",
        f"| intent accuracy (all intents) | {figures['cv_intent_accuracy']:.3f} | "
        f"{figures['holdout_intent_accuracy']:.3f} | |",
        f"| sentiment accuracy | {figures['cv_sentiment_accuracy']:.3f} "
        f"({mark(figures['cv_sentiment_accuracy'], TARGET_SENTIMENT)}) | "
        f"{figures['holdout_sentiment_accuracy']:.3f} | ≥ {TARGET_SENTIMENT:.2f} (CV) |",
        f"| escalation flagged on complaint_escalation messages | | "
        f"{figures['holdout_escalation_flag_recall']:.3f} | |",
        f"| escalation flagged on all other messages | | "
        f"{figures['holdout_escalation_false_flag_rate']:.3f} | |",
        "",
        "## Per intent",
        "",
        *intent_table(cv_report, h_report, intents),
        "",
        "## Confusion matrix, complaint intents, 5-fold CV (rows: true; other = any non-complaint intent)",
        "",
        *confusion(cv_gold, cv_pred),
        "",
        "## Confusion matrix, complaint intents, held-out set",
        "",
        *confusion(h_gold, h_pred),
        "",
        "## Sentiment confusion (rows: true; columns: predicted negative / neutral / positive)",
        "",
        "| | CV neg | CV neu | CV pos | holdout neg | holdout neu | holdout pos |",
        "|---|---|---|---|---|---|---|",
    ]
    cv_counts, h_counts = Counter(zip(s_gold, s_pred)), Counter(zip(h_sent_gold, h_sent_pred))
    for label in ("negative", "neutral", "positive"):
        row = [cv_counts[(label, p)] for p in ("negative", "neutral", "positive")]
        row += [h_counts[(label, p)] for p in ("negative", "neutral", "positive")]
        lines.append(f"| {label} | " + " | ".join(map(str, row)) + " |")
    misses = [
        f"- {e.intent} → {r['intent']['name']} ({r['intent']['confidence']:.2f}): {e.text.strip()[:70]}"
        for e, r in zip(holdout, parsed)
        if e.intent != r["intent"]["name"]
    ]
    lines += ["", "## Held-out messages the model got wrong", "", *misses]
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.md").write_text(text, encoding="utf-8")
    (RESULTS / "eval.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print("\n" + text)
    print(f"[eval] written to {RESULTS / 'eval.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
