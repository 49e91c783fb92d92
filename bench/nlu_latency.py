"""NLU latency and memory: our pipeline against a plain Rasa pipeline, in one run.

    make bench            (or: .venv/bin/python bench/nlu_latency.py [--messages 2000])

* ours:  models/kefu.tar.gz (config.yml: Traditional jieba, the sentence encoder, the
         intent, complaint and sentiment readers, rule entities, synonyms, fallback,
         escalation);
* plain: JiebaTokenizer (jieba's own dictionary), CountVectorsFeaturizer, DIETClassifier
         (one transformer layer of 128, 60 epochs) and none of our components, trained here
         on the team's first data set (the files directly in data/nlu, not data/nlu/voices:
         DIET on all of it trains for most of an hour on two cores); cached in
         results/bench/ until that data changes.

Each model is loaded and measured in its own child process, so each peak RSS is that
pipeline's own. Every message is parsed in-process with ``Agent.parse_message`` after a
warm-up; the messages are the training, held-out and in-the-wild texts, cycled to the count asked.
Accuracy is measured on the held-out set tests/nlu_holdout.yml.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAIN_CONFIG = """recipe: default.v1
assistant_id: plain-baseline
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 60
    number_of_transformer_layers: 1
    transformer_size: 128
    constrain_similarities: true
    random_seed: 42
"""


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _messages(count: int):
    from scripts.nlu_eval import load_examples, load_wild, training_files

    texts = [e.text for f in training_files(ROOT / "data/nlu") for e in load_examples(f)]
    texts += [e.text for e in load_examples(ROOT / "tests/nlu_holdout.yml")]
    texts += [m.text for m in load_wild(ROOT / "tests/nlu_wild.yml")]
    random.Random(7).shuffle(texts)
    return [texts[i % len(texts)] for i in range(count)]


def measure(model: Path, count: int) -> dict:
    """Runs in a child process: load, warm up, time every parse, score the held-out set."""
    from rasa.core.agent import Agent

    from scripts.nlu_eval import COMPLAINT_INTENTS, accuracy, load_examples, macro_f1, per_class

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    messages = _messages(count)
    holdout = load_examples(ROOT / "tests/nlu_holdout.yml")

    async def run():
        for text in messages[:50]:
            await agent.parse_message(text)
        timings = []
        for text in messages:
            t0 = time.perf_counter()
            await agent.parse_message(text)
            timings.append((time.perf_counter() - t0) * 1000)
        results = [await agent.parse_message(e.text) for e in holdout]
        return timings, results

    timings, results = asyncio.run(run())
    gold = [e.intent for e in holdout]
    pred = [r["intent"]["name"] for r in results]
    report = per_class(gold, pred, sorted(set(gold)))
    sentiment = [r.get("sentiment", {}).get("label") for r in results]
    return {
        "messages": len(timings),
        "p50": _percentile(timings, 50),
        "p95": _percentile(timings, 95),
        "p99": _percentile(timings, 99),
        "mean": statistics.fmean(timings),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_seconds": load_seconds,
        "intent_accuracy": accuracy(gold, pred),
        "complaint_macro_f1": macro_f1(report, COMPLAINT_INTENTS),
        "sentiment_accuracy": (
            accuracy([e.sentiment for e in holdout], sentiment) if any(sentiment) else None
        ),
    }


def _plain_model() -> Path:
    """Train the plain baseline once per version of the training data."""
    digest = hashlib.sha256(PLAIN_CONFIG.encode())
    files = sorted((ROOT / "data/nlu").glob("*.yml"))
    for path in files:
        digest.update(path.read_bytes())
    out = ROOT / "results/bench"
    model = out / f"plain-{digest.hexdigest()[:10]}.tar.gz"
    if model.exists():
        return model
    data = out / "plain_data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    for path in files:
        shutil.copy2(path, data / path.name)
    config = out / "plain_config.yml"
    config.write_text(PLAIN_CONFIG, encoding="utf-8")
    print("[bench] training the plain baseline pipeline (once per data version) …", flush=True)
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            model.name[: -len(".tar.gz")],
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return model


def _child(model: Path, count: int) -> dict:
    print(f"[bench] measuring {model.name}: {count} messages …", flush=True)
    output = subprocess.run(
        [sys.executable, __file__, "--measure", str(model), "--messages", str(count)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--model", default=os.environ.get("KEFU_MODEL", "models/kefu.tar.gz"))
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.messages)))
        return 0

    ours = _child(ROOT / args.model, args.messages)
    plain = _child(_plain_model(), args.messages)

    def fmt(value, spec):
        return "–" if value is None else format(value, spec)

    rows = [
        ("p50 latency (ms)", "p50", ".2f"),
        ("p95 latency (ms)", "p95", ".2f"),
        ("p99 latency (ms)", "p99", ".2f"),
        ("mean latency (ms)", "mean", ".2f"),
        ("peak RSS (MB)", "peak_rss_mb", ".0f"),
        ("model load (s)", "load_seconds", ".1f"),
        ("held-out intent accuracy", "intent_accuracy", ".3f"),
        ("held-out complaint macro-F1", "complaint_macro_f1", ".3f"),
        ("held-out sentiment accuracy", "sentiment_accuracy", ".3f"),
    ]
    print(f"\nNLU parse, {args.messages} messages in-process, one process per pipeline\n")
    print("| figure | ours | plain Rasa | ours / plain |\n|---|---|---|---|")
    for label, key, spec in rows:
        ratio = (
            f"{ours[key] / plain[key]:.2f}×"
            if ours.get(key) and plain.get(key) and key != "sentiment_accuracy"
            else ""
        )
        print(f"| {label} | {fmt(ours.get(key), spec)} | {fmt(plain.get(key), spec)} | {ratio} |")
    verdict = "met" if ours["p95"] <= 25 else "NOT met"
    print(f"\nTarget parse p95 ≤ 25 ms (issue 13): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
