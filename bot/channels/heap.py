"""The Rasa server's start-up heap, kept out of Python's full garbage collections.

After the model is loaded the Rasa server holds about 490,000 objects that live as long as
the process (TensorFlow, Rasa, the model, our components). Python's full collection walks
all of them: 220 ms at start, 350 ms under load, with the event loop stopped, so every
turn in flight waits. Under 50 live conversations it ran twice a minute (gc callbacks in
the server during `bench/load.py --levels 50`). :func:`freeze_start_up_heap`, called once
the server has started, collects once and moves every object alive then to the permanent
generation (``gc.freeze``): later full collections walk only what was made since. The
start-up objects are never freed, which they never were anyway.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)


def freeze_start_up_heap() -> int:
    """Collect, then freeze what is alive; returns how many objects are frozen now.
    Once per process: later calls only report the count."""
    if gc.get_freeze_count():
        return gc.get_freeze_count()
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    logger.info(
        "froze %d start-up objects out of full collections (%.0f ms)",
        gc.get_freeze_count(),
        (time.perf_counter() - started) * 1000,
    )
    return gc.get_freeze_count()
