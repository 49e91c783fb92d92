"""The channels' background tasks, started with the server and cancelled before it stops
(so a clean shutdown logs no "Task was destroyed but it is pending")."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Coroutine

from sanic import Sanic


def background(app: Sanic, work: Coroutine[Any, Any, Any]) -> None:
    """Run ``work`` for the life of the server."""
    tasks = getattr(app.ctx, "kefu_tasks", None)
    if tasks is None:
        tasks = app.ctx.kefu_tasks = []
    tasks.append(asyncio.get_running_loop().create_task(work))


async def stop_background(app: Sanic) -> None:
    """Cancel every background task and wait until each has ended."""
    tasks = getattr(app.ctx, "kefu_tasks", [])
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    tasks.clear()
