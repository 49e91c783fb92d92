"""`make feedback-export`: supervisors' reviewed corrections → data/nlu/feedback.yml.

Reads the corrections from Redis (``REDIS_URL``, or the embedded Redis of ``make run``;
when that is not running, it is started on its data folder for the export and stopped
again) and writes them as Rasa NLU training data, so the next ``make train`` learns from
them. The same YAML as ``GET /webhooks/assist/export/nlu``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import List, Optional

import redis
import redis.asyncio
import yaml

from bot.config import Settings
from bot.log.export import nlu_yaml, training_examples
from bot.store.corrections import Corrections

ROOT = Path(__file__).resolve().parent.parent


def _intents(domain: Path) -> List[str]:
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    return [i if isinstance(i, str) else next(iter(i)) for i in data.get("intents", [])]


async def _corrections(url: str) -> list:
    client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=2)
    try:
        return await Corrections(client).corrections()
    finally:
        await client.close()


def _reachable(url: str) -> bool:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except (redis.RedisError, OSError):
        return False


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data/nlu/feedback.yml")
    args = parser.parse_args(argv)
    settings = Settings.from_env(os.environ)
    url = settings.redis_target().url
    embedded = None
    if not _reachable(url):
        if settings.redis_url:
            print(f"Redis at REDIS_URL cannot be reached: {url}", file=sys.stderr)
            return 1
        from bot.devredis import start

        print("starting the embedded Redis for the export …")
        embedded = start(settings.data_dir / "redis", settings.embedded_redis_port)
    try:
        corrections = asyncio.run(_corrections(url))
    finally:
        if embedded is not None:
            embedded.stop()
    examples, skipped = training_examples(corrections, _intents(ROOT / "domain.yml"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_suffix(".tmp")
    temporary.write_text(nlu_yaml(examples), encoding="utf-8")
    temporary.replace(args.out)  # never a half-written training file
    count = sum(len(v) for v in examples.values())
    print(f"{count} reviewed examples from {len(corrections)} corrections → {args.out}")
    for reason in skipped:
        print(f"  skipped {reason}")
    print("`make train` now retrains the model with them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
