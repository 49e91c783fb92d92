"""`make eval`: how well the assistant reads customers, in one table.

1. ``rasa test nlu --cross-validation --folds 5`` on ``data/nlu`` (Rasa's own
   cross-validation, the real pipeline trained five times): per-intent precision /
   recall / F1 and the complaint confusion of the test folds. ``KEFU_EVAL_SKIP_RASA_CV=1``
   skips it (the other checks take a minute or two).
2. The sentiment reader and the complaint gate, 5-fold cross-validation on the same data,
   with the gate's out-of-fold calibration.
3. The held-out set ``tests/nlu_holdout.yml`` (written separately, never trained on).
4. The in-the-wild set ``tests/nlu_wild.yml``: written by a helper who never read the
   training files, imitating real reviews and chats of 22 kinds of business, both scripts;
   with breakdowns by length, business, script and style, the confusions and the
   reliability table of the complaint gate.
5. The contrast set ``tests/nlu_contrast.yml``: minimal pairs that flip the sentiment or
   the complaint type with one change (negation, contrast, intensity, complaint or not,
   type); a pair counts only when both messages are read right.

3–5 are parsed by the trained model ``models/kefu.tar.gz`` in-process. Prints the table
and writes it to ``results/eval.md`` (and the figures to ``results/eval.json``).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from scripts.nlu_eval import (
    COMPLAINT_INTENTS,
    COMPLAINT_LABELS,
    NO_COMPLAINT,
    Labelled,
    Outside,
    accuracy,
    complaint_label,
    length_band,
    load_contrast,
    load_examples,
    load_wild,
    macro_f1,
    parse_all,
    per_class,
    readings_for,
    reliability,
    training_files,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
FOLDS = 5
SEED = 42
SHORT = {
    "complaint_demanding": "demanding",
    "complaint_escalation": "escalation",
    "complaint_price_error": "price_error",
    "complaint_special_request": "special_req",
    "complaint_miscommunication": "miscomm",
    "complaint_defect": "defect",
    "none": "none",
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


def readers_cross_validation(examples: Sequence[Labelled]) -> Dict[str, List]:
    """5-fold CV of the sentiment reader and the complaint gate (stratified, no DIET).

    Returns gold and out-of-fold predicted sentiment labels, and for the gate the
    out-of-fold P(complaint) with the truth, for the reliability table.
    """
    from bot.nlu.complaint_model import ComplaintModel
    from bot.nlu.sentiment_model import SentimentModel

    readings = readings_for([e.text for e in examples], ROOT)
    rng = random.Random(SEED)
    order = list(range(len(examples)))
    rng.shuffle(order)
    fold_of = {i: position % FOLDS for position, i in enumerate(order)}
    out: Dict[str, List] = {"s_gold": [], "s_pred": [], "gate_p": [], "gate_true": []}
    for fold in range(FOLDS):
        train = [i for i in range(len(examples)) if fold_of[i] != fold]
        test = [i for i in range(len(examples)) if fold_of[i] == fold]
        labelled = [i for i in train if examples[i].sentiment]
        sentiment = SentimentModel.train(
            [readings[i] for i in labelled], [examples[i].sentiment for i in labelled]
        )
        complaint = ComplaintModel.train(
            [readings[i] for i in train], [examples[i].intent for i in train]
        )
        for i in test:
            if examples[i].sentiment:
                out["s_gold"].append(examples[i].sentiment)
                out["s_pred"].append(sentiment.predict(readings[i]).label)
            out["gate_p"].append(complaint.read(readings[i]).probability)
            out["gate_true"].append(examples[i].intent in COMPLAINT_INTENTS)
        print(f"  readers fold {fold + 1}/{FOLDS} done", flush=True)
    return out


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


def _outside_scores(items: Sequence[Outside], parsed: Sequence[Dict]) -> Dict[str, float]:
    """The issue's figures for one outside set: sentiment and complaint type."""
    s_gold = [m.sentiment for m in items]
    s_pred = [r["sentiment"]["label"] for r in parsed]
    polar = [(g, p) for g, p in zip(s_gold, s_pred) if g in ("positive", "negative")]
    c_gold = [m.complaint for m in items]
    c_pred = [complaint_label(r["intent"]["name"]) for r in parsed]
    report = per_class(c_gold, c_pred, COMPLAINT_LABELS)

    def recall(label: str) -> float:
        hits = [p == label for g, p in polar if g == label]
        return sum(hits) / len(hits) if hits else 0.0

    certain = [i for i, r in enumerate(parsed) if not r["complaint"]["uncertain"]]
    return {
        "n": len(items),
        "sentiment_accuracy": accuracy(s_gold, s_pred),
        "posneg_accuracy": sum(g == p for g, p in polar) / max(1, len(polar)),
        "positive_recall": recall("positive"),
        "negative_recall": recall("negative"),
        "complaint_macro_f1": macro_f1(report, COMPLAINT_LABELS),
        "complaint_accuracy": accuracy(c_gold, c_pred),
        "gate_accuracy": accuracy(
            [g == NO_COMPLAINT for g in c_gold], [p == NO_COMPLAINT for p in c_pred]
        ),
        "uncertain_share": 1 - len(certain) / max(1, len(items)),
        "complaint_accuracy_when_certain": accuracy(
            [c_gold[i] for i in certain], [c_pred[i] for i in certain]
        ),
    }


def _breakdown(title: str, key, items: Sequence[Outside], parsed: Sequence[Dict]) -> List[str]:
    groups: Dict[str, List[int]] = {}
    for i, m in enumerate(items):
        groups.setdefault(key(m), []).append(i)
    lines = [
        f"## {title}",
        "",
        "| group | n | complaint type accuracy | sentiment accuracy | positive vs negative |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(groups, key=lambda g: -len(groups[g])):
        scores = _outside_scores(
            [items[i] for i in groups[name]], [parsed[i] for i in groups[name]]
        )
        lines.append(
            f"| {name} | {scores['n']} | {scores['complaint_accuracy']:.2f} | "
            f"{scores['sentiment_accuracy']:.2f} | {scores['posneg_accuracy']:.2f} |"
        )
    return lines + [""]


def _label_confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> List[str]:
    counts = Counter(zip(gold, pred))
    short = [SHORT.get(label, label) for label in labels]
    lines = ["| true \\ predicted | " + " | ".join(short) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, name in zip(labels, short):
        cells = [str(counts[(label, p)]) if counts[(label, p)] else "·" for p in labels]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _reliability_table(probabilities: Sequence[float], truth: Sequence[bool]) -> List[str]:
    rows, ece = reliability(probabilities, truth)
    lines = [
        "| P(complaint) | n | mean predicted | observed share of complaints |",
        "|---|---|---|---|",
    ]
    lines += [f"| {lo:.1f}–{hi:.1f} | {n} | {mp:.2f} | {ob:.2f} |" for lo, hi, n, mp, ob in rows]
    return lines + ["", f"Expected calibration error (ECE, 10 bins): **{ece:.3f}**", ""]


def main() -> int:
    os.chdir(ROOT)
    model = Path(os.environ.get("KEFU_MODEL", "models/kefu.tar.gz"))
    cv_dir = RESULTS / "cross_validation"
    skip_rasa_cv = os.environ.get("KEFU_EVAL_SKIP_RASA_CV") == "1"
    training = [e for f in training_files(ROOT / "data/nlu") for e in load_examples(f)]
    intents = sorted({e.intent for e in training})

    cv_report: Dict[str, Dict] = {}
    cv_gold: List[str] = []
    cv_pred: List[str] = []
    if skip_rasa_cv:
        _step("1/5 Rasa cross-validation skipped (KEFU_EVAL_SKIP_RASA_CV=1)")
    else:
        _step(f"1/5 Rasa cross-validation, {FOLDS} folds (trains the pipeline {FOLDS} times)")
        run_rasa_cross_validation(cv_dir)
        rasa_report = json.loads((cv_dir / "intent_report.json").read_text(encoding="utf-8"))
        oof = out_of_fold_predictions(cv_dir)
        cv_gold = [g for g, _ in oof.values()]
        cv_pred = [p for _, p in oof.values()]
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

    _step(f"2/5 sentiment reader and complaint gate, {FOLDS}-fold cross-validation")
    readers = readers_cross_validation(training)

    _step(f"3/5 held-out set tests/nlu_holdout.yml with {model}")
    holdout = load_examples(ROOT / "tests/nlu_holdout.yml")
    wild = load_wild(ROOT / "tests/nlu_wild.yml")
    pairs = load_contrast(ROOT / "tests/nlu_contrast.yml")
    contrast = [m for _, a, b in pairs for m in (a, b)]
    parsed_all = parse_all(model, [e.text for e in holdout] + [m.text for m in wild + contrast])
    h_parsed = parsed_all[: len(holdout)]
    w_parsed = parsed_all[len(holdout) : len(holdout) + len(wild)]
    c_parsed = parsed_all[len(holdout) + len(wild) :]
    h_items = [
        Outside(e.text, e.intent, complaint_label(e.intent), e.sentiment or "") for e in holdout
    ]
    _step("4/5 the in-the-wild set tests/nlu_wild.yml (written outside the team's training data)")
    _step("5/5 the contrast set tests/nlu_contrast.yml (minimal pairs)")

    h_report = per_class(
        [e.intent for e in holdout], [r["intent"]["name"] for r in h_parsed], intents
    )
    scores = {
        "holdout": _outside_scores(h_items, h_parsed),
        "wild": _outside_scores(wild, w_parsed),
        "contrast": _outside_scores(contrast, c_parsed),
    }
    pair_right = Counter()
    pair_total = Counter()
    for k, (change, a, b) in enumerate(pairs):
        ra, rb = c_parsed[2 * k], c_parsed[2 * k + 1]

        def right(m: Outside, r: Dict) -> bool:
            return (
                complaint_label(r["intent"]["name"]) == m.complaint
                and r["sentiment"]["label"] == m.sentiment
            )

        pair_total[change] += 1
        pair_right[change] += right(a, ra) and right(b, rb)
    escalation_msgs = [r for e, r in zip(holdout, h_parsed) if e.intent == "complaint_escalation"]
    other_msgs = [r for e, r in zip(holdout, h_parsed) if e.intent != "complaint_escalation"]
    gate_p = [r["complaint"]["probability"] for r in w_parsed + h_parsed]
    gate_true = [m.complaint != NO_COMPLAINT for m in wild + h_items]
    _, outside_ece = reliability(gate_p, gate_true)
    _, cv_ece = reliability(readers["gate_p"], readers["gate_true"])
    figures = {
        "training_examples": len(training),
        "cv_complaint_macro_f1": macro_f1(cv_report, COMPLAINT_INTENTS) if cv_report else None,
        "cv_intent_accuracy": accuracy(cv_gold, cv_pred) if cv_gold else None,
        "cv_sentiment_accuracy": accuracy(readers["s_gold"], readers["s_pred"]),
        "cv_gate_ece": cv_ece,
        "outside_gate_ece": outside_ece,
        "holdout_intent_accuracy": accuracy(
            [e.intent for e in holdout], [r["intent"]["name"] for r in h_parsed]
        ),
        "holdout_escalation_flag_recall": sum(r["escalation"]["flag"] for r in escalation_msgs)
        / max(1, len(escalation_msgs)),
        "holdout_escalation_false_flag_rate": sum(r["escalation"]["flag"] for r in other_msgs)
        / max(1, len(other_msgs)),
        "contrast_pairs_both_right": sum(pair_right.values()) / max(1, len(pairs)),
        **{f"{name}_{k}": v for name, s in scores.items() for k, v in s.items()},
    }

    def cell(value) -> str:
        return "–" if value is None else f"{value:.3f}"

    rows = [
        ("sentiment accuracy (3 labels)", "sentiment_accuracy", None),
        ("sentiment, positive vs negative", "posneg_accuracy", "≥ 0.85"),
        ("recall of positive texts", "positive_recall", "≥ 0.80"),
        ("recall of negative texts", "negative_recall", "≥ 0.80"),
        ("complaint type, 7 labels, macro-F1", "complaint_macro_f1", "≥ 0.55"),
        ("complaint type accuracy", "complaint_accuracy", "≥ 0.60"),
        ("complaint or not (gate) accuracy", "gate_accuracy", None),
        ("share read as uncertain", "uncertain_share", None),
        ("complaint type accuracy when not uncertain", "complaint_accuracy_when_certain", None),
    ]
    lines = [
        "# NLU evaluation",
        "",
        f"Training data: {len(training)} examples in data/nlu. Held-out set: {len(holdout)} "
        f"(tests/nlu_holdout.yml). In the wild: {len(wild)} messages written by a helper who "
        f"never read the training files (tests/nlu_wild.yml). Contrast set: {len(pairs)} minimal "
        "pairs (tests/nlu_contrast.yml). None of them is trained on. Targets are the issue's, "
        "set for real customer texts, which stay outside the team.",
        "",
        "| figure | held-out | in the wild | contrast | target (real texts) |",
        "|---|---|---|---|---|",
    ]
    for title, key, target in rows:
        lines.append(
            f"| {title} | {cell(scores['holdout'][key])} | {cell(scores['wild'][key])} | "
            f"{cell(scores['contrast'][key])} | {target or ''} |"
        )
    lines += [
        "",
        "| figure | value |",
        "|---|---|",
        f"| Rasa 5-fold CV, complaint-intent macro-F1 | {cell(figures['cv_complaint_macro_f1'])} |",
        f"| Rasa 5-fold CV, intent accuracy | {cell(figures['cv_intent_accuracy'])} |",
        f"| readers' 5-fold CV, sentiment accuracy | {cell(figures['cv_sentiment_accuracy'])} |",
        f"| gate ECE, out of fold (training data) | {cell(cv_ece)} |",
        f"| gate ECE, held-out + in the wild | {cell(outside_ece)} |",
        f"| held-out intent accuracy (all intents) | {cell(figures['holdout_intent_accuracy'])} |",
        f"| escalation flagged on escalation messages (held-out) | "
        f"{cell(figures['holdout_escalation_flag_recall'])} |",
        f"| escalation flagged on other messages (held-out) | "
        f"{cell(figures['holdout_escalation_false_flag_rate'])} |",
        f"| contrast pairs with both messages right (type and sentiment) | "
        f"{cell(figures['contrast_pairs_both_right'])} |",
        "",
        "## Contrast pairs by kind of change (both messages right)",
        "",
        "| change | pairs | both right |",
        "|---|---|---|",
        *[
            f"| {c} | {pair_total[c]} | {pair_right[c] / pair_total[c]:.2f} |"
            for c in sorted(pair_total)
        ],
        "",
        "## Calibration of the complaint gate (held-out + in the wild)",
        "",
        *_reliability_table(gate_p, gate_true),
        *_breakdown(
            "In the wild, by length (characters)", lambda m: length_band(m.text), wild, w_parsed
        ),
        *_breakdown("In the wild, by business", lambda m: m.business or "?", wild, w_parsed),
        *_breakdown("In the wild, by script", lambda m: m.script or "?", wild, w_parsed),
        *_breakdown("In the wild, by style", lambda m: m.style or "?", wild, w_parsed),
        "## Complaint type confusion, in the wild (rows: true)",
        "",
        *_label_confusion(
            [m.complaint for m in wild],
            [complaint_label(r["intent"]["name"]) for r in w_parsed],
            COMPLAINT_LABELS,
        ),
        "",
        "## Sentiment confusion, in the wild (rows: true)",
        "",
        *_label_confusion(
            [m.sentiment for m in wild],
            [r["sentiment"]["label"] for r in w_parsed],
            ("negative", "neutral", "positive"),
        ),
        "",
    ]
    if cv_report:
        lines += [
            "## Per intent (Rasa CV and held-out)",
            "",
            *intent_table(cv_report, h_report, intents),
            "",
            "## Confusion matrix, complaint intents, Rasa 5-fold CV (other = any non-complaint intent)",
            "",
            *confusion(cv_gold, cv_pred),
            "",
        ]
    misses = [
        f"- {m.complaint}/{m.sentiment} → {complaint_label(r['intent']['name'])}/"
        f"{r['sentiment']['label']}{' (uncertain)' if r['complaint']['uncertain'] else ''}: "
        f"{m.text[:70]}"
        for m, r in zip(wild, w_parsed)
        if m.complaint != complaint_label(r["intent"]["name"])
        or m.sentiment != r["sentiment"]["label"]
    ]
    lines += ["## In-the-wild messages read wrongly", "", *misses]
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.md").write_text(text, encoding="utf-8")
    (RESULTS / "eval.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print("\n" + text)
    print(f"[eval] written to {RESULTS / 'eval.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
