"""The start-up heap is frozen once the Rasa server has started, so full collections skip it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.channels import heap
from tests.channels.inprocess import serving

PROBE = """
import gc, time
from bot.channels.heap import freeze_start_up_heap

def full_collection_ms():
    started = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - started) * 1000

kept = [[i] for i in range(300_000)]  # a heap like a loaded model's: long-lived containers
before = min(full_collection_ms() for _ in range(3))
frozen = freeze_start_up_heap()
after = min(full_collection_ms() for _ in range(3))
more = [[i] for i in range(1000)]
print(frozen, freeze_start_up_heap(), before, after)
"""


def test_full_collections_skip_what_was_alive_at_the_freeze():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    frozen, again, before, after = int(out[0]), int(out[1]), float(out[2]), float(out[3])
    assert frozen >= 300_000
    assert again == frozen  # once per process: the later objects are not frozen
    assert after < before / 5


@pytest.mark.asyncio(loop_scope="function")
async def test_the_server_freezes_its_heap_when_it_starts(redis_server, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "freeze_start_up_heap", lambda: calls.append(1) or 1)
    async with serving({"REDIS_URL": redis_server.url, "KEFU_DATA_DIR": str(tmp_path)}):
        assert calls == [1]
